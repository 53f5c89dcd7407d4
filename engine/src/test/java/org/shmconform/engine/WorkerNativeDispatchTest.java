package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.engine.state.PrivateDirectory;
import org.shmconform.engine.state.StateDirectory;

/**
 * A local Java worker loads JNA's native library from the harness's private cache, never from a copy it unpacks
 * itself (~/.cache/JNA/temp); a tampered cached copy is refused.
 */
@ExtendWith(TakesTheKeyFileTurn.class)
class WorkerNativeDispatchTest {

    @Test
    void aLocalJavaWorkerMapsTheCachedLibraryAndUnpacksNone() throws Exception {
        Path library = WorkerNativeDispatch.library();
        assertNotNull(library, "the harness's JNA carries libjnidispatch.so for this platform");
        assertTrue(library.startsWith(StateDirectory.cache()), library.toString());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(library.getParent(), LinkOption.NOFOLLOW_LINKS)));
        try (RunContext run = RunContext.create()) {
            var command = new WorkerCommands(run).command("sysv", null, null);
            assertTrue(command.arguments().containsAll(WorkerNativeDispatch.options()), command.arguments().toString());
            WorkerProcess w = new WorkerProcess("A", new LocalEnvironment().start(command, "g"), run.logs().resolve("A.stderr.log"));
            try {
                assertNotNull(w.awaitHello(Duration.ofSeconds(60)), "the worker said hello");
                List<String> jna = Files.readAllLines(Path.of("/proc/" + w.hello().pid() + "/maps")).stream()
                        .filter(l -> l.contains("jnidispatch") || l.contains("/JNA/") || l.matches(".*/jna[0-9]+\\.tmp.*")).toList();
                assertTrue(!jna.isEmpty() && jna.stream().allMatch(l -> l.endsWith(" " + library)), jna.toString());
            } finally {
                w.killAndReap(Duration.ofSeconds(30));
            }
        }
    }

    @Test
    void aTamperedCachedLibraryIsRefused() throws Exception {
        Path library = WorkerNativeDispatch.library();
        byte[] good = Files.readAllBytes(library);
        try {
            Files.write(library, new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
            var e = assertThrows(PrivateDirectory.UnsafeDirectoryException.class, () -> WorkerClassPath.verify(library,
                    WorkerClassPath.sha256(good)));
            assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
            Files.delete(library);
            assertEquals(library, WorkerNativeDispatch.library(), "a missing copy is written again");
            assertTrue(java.util.Arrays.equals(good, Files.readAllBytes(library)), "the copy written again is the library");
        } finally {
            if (!java.util.Arrays.equals(good, Files.readAllBytes(library))) {
                Files.delete(library);
                WorkerNativeDispatch.library();
            }
        }
    }
}
