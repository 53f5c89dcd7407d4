package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.shmconform.schedule.Steps.attach;
import static org.shmconform.schedule.Steps.create;
import static org.shmconform.schedule.Steps.detach;
import static org.shmconform.schedule.Steps.kill;
import static org.shmconform.schedule.Steps.lock;
import static org.shmconform.schedule.Steps.unlock;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.history.Execution;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.WorkerSpec;

/**
 * A worker that dies holding a SEM_UNDO adjustment on a set becomes its last operator at its death (the kernel's exit_sem
 * sets the pid as it applies the adjustment), after its last reading; if a peer operated the set after the worker's op,
 * that reading did not find the set the worker's, and the peer's reading did not either: nobody could prove it the run's.
 * Seen in qt68-sysv-native fuzz campaigns: B held k's set, C's unlock landed on it through Qt's retry after EIDRM, B was
 * killed, and the set outlived the schedule's reaper with the dead B as its last operator. Here A locks, B unlocks, A is
 * killed and B ends: each death makes its worker the last operator. A lock's or unlock's reply is read at once, while its
 * worker is the set's last operator, so the set is in the ledger before anything else happens to it. Real processes on a
 * test column whose lock is such a set ({@link UndoLeftBackend}).
 */
class ASetAKilledLockerHeldIsReapedTest {
    @Test
    void theSetIsRecordedAtTheLockAndReapedAfterTheSchedule() throws InterruptedException {
        assertNoSetOutlives(UndoLeftBackend.NAME, "the set A held when it was killed outlived the schedule",
                create("A", "k", 64), attach("B", "k"), lock("A"), unlock("B"), kill("A"), detach("B"));
    }

    /**
     * The same through a create and an attach, whose lock and release Qt's retry after EIDRM can split over two sets (the
     * path the reading at a worker's end was left for): A's create leaves A an adjustment on the set, B's attach
     * operates it after A, A is killed (its reading sees B as the last operator; its death makes A the last operator), B
     * ends (its reading sees the dead A). Only a reading at the create's reply, while A is the last operator, proves the
     * set the run's.
     */
    @Test
    void aSetACreateOperatedLastIsRecordedAtItsReplyAndReaped() throws InterruptedException {
        assertNoSetOutlives(UndoLeftByLockersBackend.NAME, "the set A's create operated last outlived the schedule",
                create("A", "k", 64), attach("B", "k"), kill("A"), detach("B"));
    }

    /** Runs the steps with workers A and B of {@code column}, whose set is keyed by UndoLeftBackend.setKey of key k. */
    private static void assertNoSetOutlives(String column, String why, Step... steps) throws InterruptedException {
        Integer key = null;
        long started = System.currentTimeMillis() / 1000;
        try (RunContext run = RunContext.create()) {
            ScheduleRunner runner = new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                    ScheduleRunner.Timing.defaults());
            Schedule s = new Schedule(column, null, List.of(WorkerSpec.local("A", column), WorkerSpec.local("B", column)),
                    List.of(steps));
            assertNull(runner.unavailableReason(s));
            Execution x = runner.run(s);
            assertEquals(List.of(), x.problems(), "every step ran");
            key = UndoLeftBackend.setKey(x.keyPrefix() + "k");
            int k = key;
            long a = x.workers().get("A").pid();
            List<String> left = SysVObjects.semaphoreSets().stream().filter(set -> set.key() == k)
                    .map(set -> "set " + set.id() + ", last operator " + SysVObjects.lastOperator(set.id()) + " (A was " + a + ")")
                    .toList();
            assertEquals(List.of(), left, why);
        } finally {
            Integer k = key;
            if (k != null) { // only a set of the test column's shape and key, made or set since the test began: its own
                SysVObjects.semaphoreSets().stream().filter(set -> set.key() == k && set.nsems() == 1 && set.ctime() >= started)
                        .forEach(set -> SysVObjects.remove(set.obj()));
            }
        }
    }
}
