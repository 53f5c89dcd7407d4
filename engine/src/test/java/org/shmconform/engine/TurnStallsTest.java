package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A runner stands still only while some lane of it waits for the turn and none of its lanes holds it. */
class TurnStallsTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final TurnStalls stalls = new TurnStalls(now::get);

    @Test
    void aWaitWhileNoLaneHoldsTheTurnCountsUntilItIsGot() {
        stalls.waits();
        now.addAndGet(5_000);
        assertEquals(5_000, stalls.nanos(), "a stall still going on counts");
        stalls.waited(true);
        now.addAndGet(7_000);
        assertEquals(5_000, stalls.nanos(), "holding it is the runner's own time");
        stalls.gaveBack();
        now.addAndGet(1_000);
        assertEquals(5_000, stalls.nanos(), "so is the time between schedules");
    }

    @Test
    void aLaneWaitingWhileAnotherLaneOfTheRunnerHoldsTheTurnIsNoStall() {
        stalls.waits();
        stalls.waited(true);
        stalls.waits(); // the second lane, behind the first
        now.addAndGet(4_000);
        assertEquals(0, stalls.nanos());
        stalls.gaveBack(); // the first gives it back; someone else takes it before the second lane does
        now.addAndGet(3_000);
        stalls.waited(true);
        assertEquals(3_000, stalls.nanos(), "from when no lane of it held the turn");
    }

    @Test
    void aWaitThatEndsWithoutTheTurnEndsTheStall() {
        stalls.waits();
        now.addAndGet(2_000);
        stalls.waited(false); // interrupted
        now.addAndGet(9_000);
        assertEquals(2_000, stalls.nanos());
    }

    /** A schedule's take behind another holder's turn tells its stalls; one taken at once tells a stall of nothing. */
    @Test
    void aSchedulesTakeTellsItsWaitBehindAnotherHolder() throws Exception {
        org.shmconform.schedule.Schedule sysv = new org.shmconform.schedule.Schedule("t", null,
                java.util.List.of(org.shmconform.schedule.WorkerSpec.local("A", "sysv")),
                java.util.List.of(org.shmconform.schedule.Steps.create("A", "k", 8)));
        try (KeyFileTurns.Turn t = KeyFileTurns.take(sysv, stalls)) {
            assertEquals(0, stalls.nanos(), "the clock did not move: taken at once (or behind a run beside it: the same)");
        }
        java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);
        Thread taker;
        try (org.shmconform.backends.host.OfdLockFile other = KeyFileTurns.take()) {
            taker = new Thread(() -> {
                try (KeyFileTurns.Turn t = KeyFileTurns.take(sysv, stalls)) {
                    released.countDown();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            taker.start();
            org.awaitility.Awaitility.await("the taker waits behind the other holder").atMost(java.time.Duration.ofSeconds(60))
                    .pollInterval(java.time.Duration.ofMillis(5)).until(stalls::stalled);
            now.addAndGet(6_000);
            assertEquals(6_000, stalls.nanos(), "waiting behind the other holder");
        }
        // 10 min, as TurnStallBudgetTest: the user's turn file is also taken by a run of the same user beside the build.
        assertEquals(true, released.await(10, java.util.concurrent.TimeUnit.MINUTES));
        taker.join();
        now.addAndGet(1_000);
        assertEquals(6_000, stalls.nanos(), "no more once it got the turn and gave it back");
    }
}
