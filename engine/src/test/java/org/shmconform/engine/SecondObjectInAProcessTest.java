package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.shmconform.schedule.Steps.attach;
import static org.shmconform.schedule.Steps.create;
import static org.shmconform.schedule.Steps.detach;
import static org.shmconform.schedule.Steps.isAttached;
import static org.shmconform.schedule.Steps.kill;
import static org.shmconform.schedule.Steps.lock;
import static org.shmconform.schedule.Steps.read;
import static org.shmconform.schedule.Steps.unlock;
import static org.shmconform.schedule.Steps.write;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.shmconform.checker.ScheduleChecker;
import org.shmconform.checker.Verdict;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.history.EventType;
import org.shmconform.history.Execution;
import org.shmconform.history.HistoryEvent;
import org.shmconform.history.Nemesis;
import org.shmconform.model.Property;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.WorkerSpec;

/**
 * Issue 13 point 1, "a second object in the same process", on real workers: A2 is a second segment object in A's process
 * ({@link WorkerSpec#objectOf}). Each object keeps its own bookkeeping (attached, locked: Qt's lockedByMe is per object);
 * a second object's lock while the first holds it is excluded as another process's would be (N1: the lock is for
 * exclusive access), which in one single-threaded process is a self-deadlock that only a kill ends; and a kill of the
 * process kills both objects, the history showing both dead, and releases the lock to a waiting peer.
 */
@ExtendWith(TakesTheKeyFileTurn.class)
class SecondObjectInAProcessTest {
    @RegisterExtension
    static final OneRunPerClass RUN = new OneRunPerClass();

    private static Execution run(String column, List<Step> steps) throws InterruptedException {
        ScheduleRunner runner = new ScheduleRunner(RUN.context(), Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                ScheduleRunner.Timing.defaults());
        WorkerSpec a = WorkerSpec.local("A", column);
        Schedule s = new Schedule("second-object-" + column, null, List.of(a, WorkerSpec.objectOf(a, "A2"),
                WorkerSpec.local("B", column)), steps);
        String unavailable = runner.unavailableReason(s);
        assumeTrue(unavailable == null, column + " cannot run here: " + unavailable);
        Execution x = runner.run(s);
        System.out.println("[" + column + "] " + s.steps().stream().map(st -> st.worker() + " " + st.op() + (st.noWait() ? "~" : ""))
                .collect(Collectors.joining(", ")) + "\n" + x.history().toJsonLines());
        return x;
    }

    private static HistoryEvent end(Execution x, String process, String f) {
        return x.history().events().stream().filter(e -> e.process().equals(process) && e.f().equals(f) && e.type() != EventType.invoke)
                .reduce((first, second) -> second).orElse(null);
    }

    private static final List<Property> JUDGED = List.of(Property.LOCK_EXCLUSIVE, Property.API_CONTRACT, Property.LOCK_HOLDER_DEATH);

    private static void passes(Execution x, String column) {
        ScheduleChecker.check(x, column, JUDGED, Subjects.here()).results()
                .forEach(r -> assertEquals(Verdict.PASS, r.verdict(), r.toString() + "\n" + x.history().toJsonLines()));
    }

    /** Per object: A2's lock, attach and detach are its own; A (which never locked) cannot unlock, and stays attached. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sysv", "posix", "mmapfile", "memfd", "mmapfile-robust", QtReferenceWorker.IMPL, Qt68Columns.SYSV,
            Qt68Columns.POSIX})
    void eachObjectKeepsItsOwnAttachmentAndLock(String column) throws InterruptedException {
        Execution x = run(column, List.of(create("A", "k", 64), attach("A2", "k"), lock("A2"), write("A2", 0, "A2"),
                read("A", 0, 2), unlock("A"), unlock("A2"), detach("A2"), isAttached("A"), isAttached("A2"), detach("A")));
        assertEquals(List.of(), x.problems(), x.history().toJsonLines());
        assertEquals(x.workers().get("A").pid(), x.workers().get("A2").pid(), "one process");
        assertEquals("4132", end(x, "A", "read").data(), "A reads what A2 wrote (one segment)");
        assertEquals(EventType.fail, end(x, "A", "unlock").type(), "A never locked: Qt's lockedByMe is per object");
        assertEquals(EventType.ok, end(x, "A2", "unlock").type());
        assertEquals("true", end(x, "A", "isAttached").value());
        assertEquals("false", end(x, "A2", "isAttached").value());
        passes(x, column);
    }

    /**
     * A holds the lock; A2's lock waits for it as B's does (exclusive access: "a single thread or process"), and since
     * A's process is busy in A2's lock nothing but a kill can release it: the kill of A ends both objects (both dead in
     * the history, A2's lock never granted). B's lock is then granted where the process's death releases the lock (a
     * System V undo, an OFD lock's close, a robust mutex's EOWNERDEAD), and stays blocked where it does not (a POSIX
     * semaphore: LOCK_HOLDER_DEATH). mmapfile-robust's error-checking mutex refused A2's lock with EDEADLK instead of
     * waiting (a FAIL of LOCK-EXCLUSIVE): its robust mutex is now of the normal type, whose relock by the owning thread
     * sleeps in futex on the lock word.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sysv", "posix", "mmapfile", "memfd", "mmapfile-atomic", "mmapfile-robust", QtReferenceWorker.IMPL,
            Qt68Columns.SYSV, Qt68Columns.POSIX})
    void aSecondObjectsLockWaitsForTheFirstsUntilTheProcessIsKilled(String column) throws InterruptedException {
        Execution x = run(column, List.of(create("A", "k", 64), attach("A2", "k"), attach("B", "k"), lock("A"), lock("A2").async(),
                lock("B").async(), kill("A")));
        assertEquals(List.of(), x.problems(), x.history().toJsonLines());
        HistoryEvent a2Lock = end(x, "A2", "lock");
        assertNotNull(a2Lock, x.history().toJsonLines());
        assertEquals(EventType.info, a2Lock.type(), "A2's lock is never granted while A holds it: " + a2Lock);
        for (String object : List.of("A", "A2")) {
            assertNotNull(x.workers().get(object).exitStatus(), object + " is dead");
            assertTrue(x.history().events().stream().anyMatch(e -> Nemesis.is(e.process()) && e.type() == EventType.ok
                    && object.equals(e.value())), "the history shows " + object + " killed");
        }
        passes(x, column);
    }

    /**
     * A step of A while its process is blocked in A2's lock (a synchronous step, which ScheduleValidation cannot know
     * will block): the engine does not send it behind the blocked op (it would wait for a reply that cannot come) but
     * ends the process as it ends any blocked worker given a step, and says the step was not performed.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sysv", QtReferenceWorker.IMPL})
    void aStepToAProcessBlockedInItsOtherObjectsLockEndsItAndDoesNotHang(String column) throws InterruptedException {
        Execution x = run(column, List.of(create("A", "k", 64), attach("A2", "k"), lock("A"), lock("A2"), unlock("A")));
        // "blocked", not "timeout": the kernel showed the wait, no reply deadline was waited for (a stopwatch said so before,
        // which a busy machine could fail).
        assertEquals("blocked", end(x, "A2", "lock").note(), x.history().toJsonLines());
        assertEquals(List.of("step 5 (unlock by A) not performed: A was already gone (blocked by the engine)"), x.problems());
    }

    /** A kill of the second object is a kill of the process: A dies too, and the lock A2 held goes to B. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sysv", "mmapfile", QtReferenceWorker.IMPL})
    void aKillOfTheSecondObjectKillsTheProcess(String column) throws InterruptedException {
        Execution x = run(column, List.of(create("A", "k", 64), attach("A2", "k"), attach("B", "k"), lock("A2"), lock("B").async(),
                kill("A2"), unlock("B"), detach("B")));
        assertEquals(List.of(), x.problems(), x.history().toJsonLines());
        assertNotNull(x.workers().get("A").exitStatus(), "A died with its process");
        assertEquals(EventType.ok, end(x, "B", "lock").type());
        passes(x, column);
    }
}
