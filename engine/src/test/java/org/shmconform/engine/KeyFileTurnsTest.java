package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.WorkerSpec;

/** Schedules with a Qt 6.8 System V worker take turns; others do not wait. */
class KeyFileTurnsTest {

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
        assertTrue(taken.await(30, TimeUnit.SECONDS), "the second holder got its turn once the first gave it back");
        second.join();
    }

    @Test
    void onlyColumnsWhoseSetsOutliveTheirKeyFilesTakeTurns() {
        assertTrue(KeyFileTurns.needsTurn(schedule("qt68-sysv-native")));
        assertTrue(KeyFileTurns.needsTurn(schedule("qt68-sysv")));
        assertFalse(KeyFileTurns.needsTurn(schedule("sysv")));
        assertFalse(KeyFileTurns.needsTurn(schedule("qt68-posix")));
        assertFalse(KeyFileTurns.needsTurn(schedule("qt")));
    }

    private static Schedule schedule(String impl) {
        return new Schedule("turn-" + impl, 1L, List.of(new WorkerSpec("A", impl, "local", "g", null, null)), List.<Step>of());
    }
}
