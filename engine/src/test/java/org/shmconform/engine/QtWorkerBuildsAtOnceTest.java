package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.shmconform.spi.Availability;

/**
 * Two runs of one state directory that both find the Qt worker unbuilt (a new worker source, a fresh cache) build it
 * at the same time: each must end with the worker available. Before, both compiled in the one cache directory and the
 * second to finish found the first's hash file there: its Qt column was NOT_AVAILABLE ("cannot build the Qt worker:
 * .../qt_shm_worker.sha256"), two `shmconform run -b qt` started together on a fresh --state-dir.
 */
class QtWorkerBuildsAtOnceTest {
    private Path state;

    @BeforeEach
    void freshState() throws Exception {
        assumeTrue(new ProcessBuilder("g++", "--version").redirectErrorStream(true).start().waitFor() == 0, "no g++ here");
        state = PrivateState.use();
    }

    @AfterEach
    void removeState() {
        PrivateState.remove(state);
    }

    @Test
    void twoBuildsAtOnceBothGiveTheWorker() throws Exception {
        // build() itself, not availability(): what a run's first look does, without the JVM's cached answer, which it leaves
        // alone (it pointed later tests at this test's removed state directory before).
        Callable<Availability> oneRun = () -> QtReferenceWorker.build().availability();
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            List<Future<Availability>> builds = List.of(two.submit(oneRun), two.submit(oneRun));
            for (Future<Availability> b : builds) {
                Availability a = b.get();
                assumeTrue(a.available() || !a.reason().contains("Qt6Core"), "no Qt here: " + a.reason());
                assertTrue(a.available(), a.reason());
            }
        } finally {
            two.shutdownNow();
        }
        try (Stream<Path> cache = Files.list(RunContext.cacheDir())) {
            List<String> builds = cache.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("qt-worker-")).toList();
            assertEquals(1, builds.size(), "one build directory, no unfinished one left: " + builds);
        }
    }
}
