package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.host.HostIds;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * The Qt worker's and the Qt 6.8 launcher's builds, by a harness run as root whose PATH has nobody's directory ahead
 * of /usr/bin: nobody's bash, cc, g++ and pkg-config must not run (before, bash build.sh and cc were looked up on the
 * PATH, and build.sh's g++ and pkg-config too), and what is built is the system compiler's.
 */
class BuildToolsPlantedOnPathTest {
    private static final int NOBODY = 65534;
    private Path plants;
    private Path state;

    @BeforeEach
    void nobodysDirectory() throws Exception {
        assumeTrue(HostIds.uid() == 0, "the plant matters to a harness run as root");
        assumeTrue(new ProcessBuilder("/usr/bin/g++", "--version").redirectErrorStream(true).start().waitFor() == 0, "no g++");
        plants = Files.createTempDirectory("shmconform-plants-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setAttribute(plants, "unix:uid", NOBODY);
        for (String tool : List.of("bash", "cc", "g++", "pkg-config", "id")) {
            Path planted = plants.resolve(tool);
            Files.writeString(planted, "#!/bin/sh\necho " + tool + " >> " + plants.resolve("ran") + "\nexec /usr/bin/" + tool + " \"$@\"\n");
            Files.setPosixFilePermissions(planted, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setAttribute(planted, "unix:uid", NOBODY);
        }
        state = Path.of("/run/shmconform-test-" + RunContext.letters(8));
    }

    @AfterEach
    void removeAll() {
        if (plants != null) {
            PrivateDirectory.deleteTree(plants);
        }
        if (state != null) {
            PrivateDirectory.deleteTree(state);
            PrivateDirectory.deleteTree(state.resolveSibling(state.getFileName() + "-share"));
        }
    }

    @Test
    void theBuildsRunNoProgramFromNobodysPathDirectory() throws Exception {
        ProcessBuilder harness = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-D" + RunContext.STATE_DIR_PROPERTY + "=" + state, "-cp", System.getProperty("java.class.path"),
                PrintsBuiltWorkers.class.getName()).redirectErrorStream(true);
        harness.environment().put("PATH", plants + ":" + System.getenv("PATH"));
        Process p = harness.start();
        String said = new String(p.getInputStream().readAllBytes()).strip();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), said);
        assertTrue(said.contains("qt built"), said);
        assertTrue(said.contains("qt68-launch built"), said);
        Path ran = plants.resolve("ran");
        assertEquals("", Files.exists(ran) ? Files.readString(ran).strip().replace('\n', ' ') : "",
                "programs of nobody's PATH directory run by the harness as root");
    }
}
