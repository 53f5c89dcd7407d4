package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.testsupport.SystemVKeyFileTurn;
import org.shmconform.engine.state.PrivateDirectory;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.WorkerSpec;

/** Schedules with a worker whose lock is a System V set, in the host's IPC namespace, take turns; others do not wait. */
class KeyFileTurnsTest {
    /**
     * How long a waiter may take to get the turn back: only a hang reaches it. The turn file is the user's, so a
     * `shmconform run` of the same user beside the build takes it for each of its schedules meanwhile (TurnStallBudgetTest
     * allows as long).
     */
    private static final long TURN_GIVEN_BACK_MINUTES = 10;

    /** The backends' tests of System V keys take their turn on this very file (they cannot ask the engine for it). */
    @Test
    void theBackendsTestsTakeTheirTurnOnTheRunsFile() {
        assertEquals(Optional.of(KeyFileTurns.turnFile()), SystemVKeyFileTurn.file());
    }

    @Test
    void aSecondHolderWaitsUntilTheFirstGivesItsTurnBack() throws Exception {
        AtomicBoolean secondHolds = new AtomicBoolean();
        CountDownLatch taken = new CountDownLatch(1);
        Thread second;
        try (KeyFileTurns.Turn first = KeyFileTurns.take()::close) {
            second = new Thread(() -> {
                try (KeyFileTurns.Turn t = KeyFileTurns.take()::close) {
                    secondHolds.set(true);
                    taken.countDown();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            second.start();
            // The second open of the file cannot hold it while the first does (an open-file-description lock).
            assertFalse(taken.await(300, TimeUnit.MILLISECONDS));
            assertFalse(secondHolds.get());
        }
        assertTrue(taken.await(TURN_GIVEN_BACK_MINUTES, TimeUnit.MINUTES), "the second holder got its turn once the first gave it back");
        second.join();
    }

    /**
     * A run given a state directory of its own (a test's, or {@code --state-dir}) takes turns with the runs in the
     * default one: the turn is the user's, not the state directory's. Before, the engine tests' private runs and a
     * {@code shmconform run} beside them never waited for each other, and a key file of one could reach the other's set.
     */
    @Test
    void aRunInAStateDirectoryOfItsOwnTakesTurnsWithTheDefaultOnes() throws Exception {
        Path own = Path.of("/run/shmconform-test-" + RunContext.letters(8));
        CountDownLatch taken = new CountDownLatch(1);
        Thread other = new Thread(() -> {
            try (KeyFileTurns.Turn t = KeyFileTurns.take()::close) {
                taken.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            try (KeyFileTurns.Turn first = KeyFileTurns.take()::close) {
                System.setProperty(RunContext.STATE_DIR_PROPERTY, own.toString());
                other.start();
                assertFalse(taken.await(300, TimeUnit.MILLISECONDS), "the run in " + own + " waits for the default one's turn");
            } finally {
                System.clearProperty(RunContext.STATE_DIR_PROPERTY);
            }
            assertTrue(taken.await(TURN_GIVEN_BACK_MINUTES, TimeUnit.MINUTES), "and gets it once it is given back");
            other.join();
        } finally {
            other.interrupt();
            PrivateDirectory.deleteTree(own); // made only where the turn was the state directory's own
        }
    }

    /**
     * A thread that holds the turn (a test whose own objects are keyed like a run's) runs its schedules within it: their
     * turn is no second open of the file, which would wait for the first forever; another thread still waits.
     */
    @Test
    void aScheduleOfAThreadThatHoldsTheTurnRunsWithinIt() throws Exception {
        CountDownLatch taken = new CountDownLatch(1);
        Thread other = new Thread(() -> {
            try (KeyFileTurns.Turn t = KeyFileTurns.take(schedule("sysv", "local"), new TurnStalls(System::nanoTime))) {
                taken.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try (KeyFileTurns.Turn held = KeyFileTurns.hold()) {
            try (KeyFileTurns.Turn within = KeyFileTurns.take(schedule("sysv", "local"), new TurnStalls(System::nanoTime))) {
                other.start();
                assertFalse(taken.await(300, TimeUnit.MILLISECONDS), "another thread waits while this one's schedule runs");
            }
            assertFalse(taken.await(300, TimeUnit.MILLISECONDS), "the schedule's end gives back no turn it did not take");
        }
        assertTrue(taken.await(TURN_GIVEN_BACK_MINUTES, TimeUnit.MINUTES), "the other thread gets the turn once it is given back");
        other.join();
    }

    @Test
    void onlyColumnsWhoseLockIsASystemVSetTakeTurnsInTheHostsIpcNamespace() {
        for (String impl : List.of("qt68-sysv-native", "qt68-sysv", "sysv", "qt")) {
            assertTrue(KeyFileTurns.needsTurn(schedule(impl, "local")), impl);
            assertTrue(KeyFileTurns.needsTurn(schedule(impl, "docker-host")), impl);
            for (String privateIpc : List.of("ipcns", "ipcns+shm", "docker-private", "docker-shareable")) {
                assertFalse(KeyFileTurns.needsTurn(schedule(impl, privateIpc)), impl + " in " + privateIpc);
            }
        }
        for (String impl : List.of("posix", "qt68-posix", "mmapfile", "memfd")) {
            assertFalse(KeyFileTurns.needsTurn(schedule(impl, "local")), impl);
        }
    }

    private static Schedule schedule(String impl, String env) {
        return new Schedule("turn-" + impl, 1L, List.of(new WorkerSpec("A", impl, env, "g", null, null)), List.<Step>of());
    }
}
