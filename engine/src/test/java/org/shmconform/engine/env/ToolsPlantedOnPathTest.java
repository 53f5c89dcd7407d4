package org.shmconform.engine.env;

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
 * A harness run as root whose PATH has, ahead of /usr/bin, a directory that user nobody owns: the setpriv, unshare,
 * nsenter and mkfifo nobody put there must not run. Before, ipcns's probe alone ran nobody's setpriv, unshare and
 * nsenter as root (the harness looked them up on its PATH).
 */
class ToolsPlantedOnPathTest {
    private static final int NOBODY = 65534;
    private static final List<String> TOOLS = List.of("setpriv", "unshare", "nsenter", "mkfifo", "sh", "cat", "mount", "true");
    private Path plants;

    @BeforeEach
    void nobodysDirectory() throws Exception {
        assumeTrue(HostIds.uid() == 0, "the plant matters to a harness run as root");
        plants = Files.createTempDirectory("shmconform-plants-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setAttribute(plants, "unix:uid", NOBODY);
        for (String tool : TOOLS) {
            Path planted = plants.resolve(tool);
            // Records that it ran, then does the real tool's work, so the harness sees nothing amiss.
            Files.writeString(planted, "#!/bin/sh\necho " + tool + " >> " + plants.resolve("ran") + "\nexec /usr/bin/" + tool + " \"$@\"\n");
            Files.setPosixFilePermissions(planted, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setAttribute(planted, "unix:uid", NOBODY);
        }
    }

    @AfterEach
    void removePlants() {
        if (plants != null) {
            PrivateDirectory.deleteTree(plants);
        }
    }

    @Test
    void theNamespaceEnvironmentRunsNoProgramFromNobodysPathDirectory() throws Exception {
        ProcessBuilder harness = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), PrintsNamespaceAvailability.class.getName()).redirectErrorStream(true);
        harness.environment().put("PATH", plants + ":" + System.getenv("PATH"));
        Process p = harness.start();
        String said = new String(p.getInputStream().readAllBytes()).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), said);
        assertTrue(said.endsWith("available") && !said.contains("not available"), said);
        Path ran = plants.resolve("ran");
        assertEquals("", Files.exists(ran) ? Files.readString(ran).strip().replace('\n', ' ') : "",
                "programs of nobody's PATH directory run by the harness as root");
    }
}
