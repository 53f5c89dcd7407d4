package org.shmconform.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.shmconform.schedule.Schedule;

/** Lanes run schedules side by side and give them back in the order they were given (no process here: the runner is the test's). */
class LanesTest {
    private static Lanes.Job job(long seed) {
        return new Lanes.Job(seed, false, null, new Schedule("lanes-" + seed, seed, List.of(), List.of()));
    }

    @Test
    void twoLanesRunTwoSchedulesAtOnceAndGiveThemBackInOrder() throws Exception {
        CountDownLatch bothRunning = new CountDownLatch(2);
        AtomicInteger atOnce = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<Long> seeds = new ArrayList<>();
        try (Lanes lanes = new Lanes(2, s -> {
            most.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
            bothRunning.countDown();
            // The first two wait for each other: with one lane at a time this would never return.
            assertTrue(bothRunning.await(30, TimeUnit.SECONDS), "the other lane never ran");
            if (s.seed() == 1) {
                Thread.sleep(50); // the older one ends last: it is still taken first
            }
            atOnce.decrementAndGet();
            return null;
        })) {
            long next = 1;
            while (true) {
                while (lanes.hasRoom() && next <= 6) {
                    lanes.submit(job(next++));
                }
                Lanes.Done d = lanes.takeOldest();
                if (d == null) {
                    break;
                }
                seeds.add(d.job().seed());
                assertTrue(d.endNanos() >= d.startNanos());
            }
        }
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), seeds);
        assertEquals(2, most.get(), "never more schedules at once than lanes");
    }

    @Test
    void aFullLaneRefusesMoreAndOneLaneRunsOnTheCallersThread() throws Exception {
        Thread caller = Thread.currentThread();
        List<Thread> ranOn = new ArrayList<>();
        try (Lanes lanes = new Lanes(1, s -> {
            ranOn.add(Thread.currentThread());
            return null;
        })) {
            lanes.submit(job(1));
            assertFalse(lanes.hasRoom());
            assertThrows(IllegalStateException.class, () -> lanes.submit(job(2)));
            assertEquals(1, lanes.takeOldest().job().seed());
            assertNull(lanes.takeOldest());
        }
        assertEquals(List.of(caller), ranOn);
    }

    @Test
    void aScheduleThatThrewRethrowsWhenTakenAndCloseWaitsForTheOthers() throws Exception {
        IllegalStateException broke = new IllegalStateException("the engine broke");
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger ended = new AtomicInteger();
        Lanes lanes = new Lanes(2, s -> {
            if (s.seed() == 1) {
                throw broke;
            }
            release.await();
            Thread.sleep(100);
            ended.incrementAndGet();
            return null;
        });
        lanes.submit(job(1));
        lanes.submit(job(2));
        assertSame(broke, assertThrows(IllegalStateException.class, lanes::takeOldest));
        release.countDown();
        lanes.close(); // the campaign is ending: the schedule still running ends first, its workers given back by it
        assertEquals(1, ended.get());
    }

    @Test
    void busyTimeCountsOverlappingSchedulesOnce() {
        BusyTime one = new BusyTime();
        one.add(0, 10);
        one.add(10, 25);
        assertEquals(25, one.nanos(), "one lane: the sum of the schedules' times");
        BusyTime two = new BusyTime();
        two.add(100, 140);
        two.add(110, 130); // inside the first
        two.add(120, 170); // overlaps its end
        two.add(200, 210); // after a gap
        assertEquals(40 + 30 + 10, two.nanos());
    }
}
