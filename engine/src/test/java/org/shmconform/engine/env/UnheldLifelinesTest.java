package org.shmconform.engine.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifelines an environment makes in the state directory when its run has none are removed by a later reaper once no
 * process holds their FIFO, and never while one does: the harness's own read-write end, or a container's reader. Five
 * such directories stayed in /run/shmconform after one morning's tests and runs, with nothing to remove them.
 */
class UnheldLifelinesTest {
    @TempDir
    Path tmp;

    @Test
    void aLifelineNobodyHoldsGoesAndOneHeldByItsHarnessOrAReaderStays() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("state"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (ContainerLifeline live = ContainerLifeline.create(root);
             ContainerLifeline other = ContainerLifeline.create(root)) {
            Path dead = Files.createDirectory(root.resolve(ContainerLifeline.PREFIX + "dead"));
            mkfifo(dead.resolve("fifo"));
            Path notAFifo = Files.createDirectory(root.resolve(ContainerLifeline.PREFIX + "file"));
            Files.createFile(notAFifo.resolve("fifo"));
            Path link = Files.createSymbolicLink(root.resolve(ContainerLifeline.PREFIX + "link"), dead);
            // A container's main command reads the other one while its harness holds it.
            Process reader = new ProcessBuilder(other.mainCommand()).start();
            try {
                List<String> removed = new ArrayList<>();
                // A harness making a run holds the makers' lock for a moment, and then no reaper removes: ask again.
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                        .until(() -> {
                            removed.addAll(ContainerLifeline.removeUnheld(root));
                            return !Files.exists(dead);
                        });
                assertEquals(List.of("containers' lifeline of a harness that is gone: " + dead), removed);
                assertTrue(Files.isDirectory(live.dir()), "held by its harness");
                assertTrue(Files.isDirectory(other.dir()), "held by its harness and a reader");
                assertTrue(Files.exists(notAFifo.resolve("fifo")), "no FIFO there: nothing to judge by");
                assertTrue(Files.isSymbolicLink(link), "a link is no lifeline of ours");
                assertFalse(reader.waitFor(300, java.util.concurrent.TimeUnit.MILLISECONDS), "the reader was not disturbed");
            } finally {
                other.close();
                reader.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
                reader.destroyForcibly();
            }
        }
    }

    private static void mkfifo(Path p) throws Exception {
        Process mk = new ProcessBuilder("/usr/bin/mkfifo", "-m", "0600", p.toString()).start();
        assertEquals(0, mk.waitFor());
    }
}
