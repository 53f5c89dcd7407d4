package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.shmconform.engine.env.DockerEnvironment;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.engine.launch.WorkerHandle;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * A Java worker in a container starts from the worker image's own class-data archive: made once in the private cache
 * (a 0700 directory holding the archive alone), mounted read-only, and mapped by the worker's JVM, which maps an
 * archive only when it accepts it (image, options and jars as at the dump).
 */
class ContainerWorkerArchiveIT {
    @Test
    void aJavaWorkerInAContainerMapsTheImagesArchiveOfItsClasses() throws Exception {
        Path state = PrivateState.use();
        try (RunContext run = RunContext.create();
             DockerEnvironment env = new DockerEnvironment(DockerEnvironment.Mode.PRIVATE, run.runId())) {
            assumeTrue(env.availability().available(), env.availability().reason());
            WorkerCommand command = new WorkerCommands(run).command("posix", null, null);
            for (int worker = 1; worker <= 2; worker++) { // the second finds the archive the first one's start made
                WorkerHandle w = env.start(command, "a");
                try {
                    String hello = new BufferedReader(new InputStreamReader(w.stdout(), StandardCharsets.UTF_8)).readLine();
                    assertNotNull(hello, "no hello");
                    // This test's state directory's archives (another test of this JVM may have made some elsewhere).
                    List<Path> archives = DockerEnvironment.archivesInUse().stream().filter(a -> a.startsWith(RunContext.cacheDir())).toList();
                    assertEquals(1, archives.size(), archives.toString());
                    Path dir = archives.get(0);
                    assertTrue(dir.getFileName().toString().startsWith(DockerEnvironment.ARCHIVE_PREFIX), dir.toString());
                    assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(PrivateDirectory.lstat(dir).permissions()));
                    try (Stream<Path> in = Files.list(dir)) {
                        assertEquals(List.of(dir.resolve("worker.jsa")), in.toList());
                    }
                    assertTrue(Files.isRegularFile(dir.resolve("worker.jsa"), LinkOption.NOFOLLOW_LINKS));
                    long pid = workerJvmStartedWith(dir.resolve("worker.jsa"));
                    assertTrue(Files.readString(Path.of("/proc/" + pid + "/maps")).contains(dir.resolve("worker.jsa").toString()),
                            "the worker's JVM (host pid " + pid + ") mapped the archive");
                } finally {
                    w.kill();
                    w.awaitExit(Duration.ofSeconds(20));
                    w.release();
                }
            }
        } finally {
            PrivateState.remove(state);
        }
    }

    /** The host pid of the one live JVM given this archive (not the docker client, whose arguments name it too). */
    private static long workerJvmStartedWith(Path archive) {
        List<Long> pids = ProcessHandle.allProcesses().filter(p -> p.info().command().orElse("").endsWith("/java")
                && p.info().arguments().map(List::of).orElse(List.of()).contains("-XX:SharedArchiveFile=" + archive))
                .map(ProcessHandle::pid).toList();
        assertEquals(1, pids.size(), "JVMs with the archive: " + pids);
        return pids.get(0);
    }
}
