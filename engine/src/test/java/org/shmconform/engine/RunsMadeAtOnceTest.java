package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs made at the same moment (a run's fuzz lines each open a run context; two harnesses started together): each
 * run's making reaps the dead runs first, and a run being made must never look dead to it. Found by a real run: a
 * second context's reaper took the lock file of a run still being made between its open(2) and its fcntl(2), and
 * removed the directory under it ("internal error: .../runs/.new-…/ledger").
 */
class RunsMadeAtOnceTest {
    private static final int THREADS = 4;
    private static final int ROUNDS = 40;
    private Path state;

    @BeforeEach
    void privateState() {
        state = PrivateState.use();
    }

    @AfterEach
    void cleanUp() {
        Reaper.reapDeadRuns();
        PrivateState.remove(state);
    }

    @Test
    void everyRunMadeBesideOthersIsMadeAndEndsClean() throws Exception {
        CyclicBarrier together = new CyclicBarrier(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<List<String>>> made = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                Callable<List<String>> maker = () -> {
                    List<String> problems = new ArrayList<>();
                    for (int i = 0; i < ROUNDS; i++) {
                        together.await(60, TimeUnit.SECONDS); // every thread makes its run at once
                        try (RunContext run = RunContext.create()) {
                            if (!run.runDir().toFile().isDirectory()) {
                                problems.add("run " + run.runId() + " has no directory");
                            }
                        } catch (RuntimeException e) {
                            problems.add(e.toString());
                        }
                    }
                    return problems;
                };
                made.add(pool.submit(maker));
            }
            List<String> problems = new ArrayList<>();
            for (Future<List<String>> f : made) {
                problems.addAll(f.get(300, TimeUnit.SECONDS));
            }
            assertEquals(List.of(), problems, THREADS + " threads making " + ROUNDS + " runs each at once");
        } finally {
            pool.shutdownNow();
        }
    }
}
