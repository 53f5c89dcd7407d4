package org.shmconform.engine.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.engine.launch.SystemTools;
import org.shmconform.engine.launch.ToolRun;

/**
 * A Docker probe that did not finish is UNDECIDED, not NOT_AVAILABLE: a {@code docker version} that neither answers nor
 * refuses says nothing about whether an engine exists, and a NOT_AVAILABLE column would let the run pass having tried
 * less than it could. Each case runs in a JVM of its own, given a docker client that is a script of the test's.
 */
class DockerProbeUndecidedTest {

    @Test
    void aDockerClientThatDoesNotEndMakesTheEnvironmentUndecided(@TempDir Path dir) throws Exception {
        String printed = probeWith(client(dir, "exec " + SystemTools.path("sleep") + " 600"), 2);

        assertTrue(printed.startsWith("UNDECIDED: "), printed);
        assertTrue(printed.contains("version did not end in 2 s"), printed);
    }

    @Test
    void aDockerClientThatRefusesMakesTheEnvironmentNotAvailable(@TempDir Path dir) throws Exception {
        // The client's bound is the default's here: only a hang reaches it, and a busy machine must not make it UNDECIDED.
        String printed = probeWith(client(dir, "echo 'Cannot connect to the Docker daemon' >&2; exit 1"), 30);

        assertTrue(printed.startsWith("NOT_AVAILABLE: no docker engine answers"), printed);
        assertTrue(printed.contains("Cannot connect to the Docker daemon"), printed);
    }

    private static Path client(Path dir, String body) throws Exception {
        Path script = dir.resolve("docker");
        Files.writeString(script, "#!" + SystemTools.path("sh") + "\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    /** The last line a child JVM printed for the docker-private environment's probe with {@code client} as docker, bounded so. */
    private static String probeWith(Path client, int clientSeconds) {
        ToolRun r = ToolRun.separate(new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dshmconform.docker=" + client, "-Dshmconform.docker.seconds=" + clientSeconds, "-cp", System.getProperty("java.class.path"),
                PrintsDockerAvailability.class.getName())), Duration.ofSeconds(120));
        assertEquals(0, r.exitCode(), r.output() + r.errors());
        return r.lastLine();
    }
}
