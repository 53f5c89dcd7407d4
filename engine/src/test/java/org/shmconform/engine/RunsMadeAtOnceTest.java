package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
import org.shmconform.backends.host.OfdLockFile;
import org.shmconform.engine.state.RunsBeingMade;
import org.shmconform.engine.state.StateDirectory;

/**
 * Runs made at the same moment (a run's fuzz lines each open a run context; two harnesses started together): each
 * run's making reaps the dead runs first, and a run being made must never look dead to it. Found by a real run: a
 * second context's reaper took the lock file of a run still being made between its open(2) and its fcntl(2), and
 * removed the directory under it ("internal error: .../runs/.new-…/ledger"). And a harness killed while making its run's
 * directory, before the directory's lock file was in place, left a {@code .new-} directory no reaper would remove (its
 * lock could not be opened, as one being made this very moment): such leftovers are removed once no harness is making a
 * run, and never while one is.
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

    /** What a harness killed right after its mkdir, or between making its lock file and renaming it into place, leaves. */
    private static Path[] leftBehind() throws Exception {
        Path runs = StateDirectory.runs();
        Path empty = Files.createDirectory(runs.resolve(".new-abcdefghijklmnop"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path unrenamed = Files.createDirectory(runs.resolve(".new-ponmlkjihgfedcba"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.createFile(unrenamed.resolve(".lock.making"));
        return new Path[] {empty, unrenamed};
    }

    @Test
    void aMakersLeftoversAreRemovedWhenNoHarnessIsMakingARun() throws Exception {
        Path[] left = leftBehind();

        Reaper.reapDeadRuns();

        for (Path dir : left) {
            assertFalse(Files.exists(dir), dir + " should have been reaped");
        }
    }

    @Test
    void aDirectoryBeingMadeIsKeptWhileItsMakerMayStillLockIt() throws Exception {
        Path[] left = leftBehind();

        // Another open file description: it excludes the reaper's as another harness's would.
        try (OfdLockFile maker = RunsBeingMade.hold()) {
            Reaper.reapDeadRuns();
            for (Path dir : left) {
                assertTrue(Files.isDirectory(dir), dir + " was removed while a harness was making a run");
            }
        }
        Reaper.reapDeadRuns();
        for (Path dir : left) {
            assertFalse(Files.exists(dir), dir + " should have been reaped once no run was being made");
        }
    }
}
