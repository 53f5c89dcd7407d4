package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.schedule.Steps.attach;
import static org.shmconform.schedule.Steps.create;
import static org.shmconform.schedule.Steps.detach;
import static org.shmconform.schedule.Steps.isAttached;
import static org.shmconform.schedule.Steps.kill;
import static org.shmconform.schedule.Steps.lock;
import static org.shmconform.schedule.Steps.read;
import static org.shmconform.schedule.Steps.spawnChild;
import static org.shmconform.schedule.Steps.truncate;
import static org.shmconform.schedule.Steps.unlock;
import static org.shmconform.schedule.Steps.write;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.shmconform.checker.ScheduleChecker;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.history.EventType;
import org.shmconform.history.Execution;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.WorkerSpec;

/**
 * Workers reused across schedules (WorkerPool) on real processes: a clean worker serves the next
 * schedule under its real pid; one that cannot prove itself clean (its segment still mapped), or that
 * the schedule killed, is replaced; closing the run ends every pooled worker.
 */
class WorkerPoolTest {

    /** Two pooled workers A and B of the column run the steps; every step must have run. */
    static Execution execute(RunContext run, String column, Step... steps) throws InterruptedException {
        return execute(run, column, r -> r, steps);
    }

    /** The same on the pooling runner as {@code how} changes it (no reserve, no spares). */
    static Execution execute(RunContext run, String column, java.util.function.UnaryOperator<ScheduleRunner> how, Step... steps)
            throws InterruptedException {
        ScheduleRunner runner = how.apply(new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                ScheduleRunner.Timing.defaults()).reusingWorkers());
        Schedule s = new Schedule("pool-test", null, List.of(WorkerSpec.local("A", column), WorkerSpec.local("B", column)),
                Arrays.asList(steps));
        assertNull(runner.unavailableReason(s), column + " workers cannot run here");
        Execution x = runner.run(s);
        assertEquals(List.of(), x.problems(), "the schedule ran every step");
        return x;
    }

    private static Set<Long> pids(Execution x) {
        return x.workers().values().stream().map(Execution.WorkerInfo::pid).collect(Collectors.toSet());
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Every kind of segment and lock: a worker that used it properly proves itself clean (no false alarm). */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sysv", "posix", "mmapfile", "memfd", "mmapfile-atomic", "mmapfile-robust", QtReferenceWorker.IMPL})
    void cleanWorkersServeTheNextScheduleUnderTheirRealPids(String column) throws InterruptedException {
        var here = Subjects.here().availability(column);
        Assumptions.assumeTrue(here.available(), () -> column + ": NOT_AVAILABLE " + here.reason());
        Set<Long> first;
        try (RunContext run = RunContext.create()) {
            // The last step leaves B attached: the reset, not the schedule, must drop that segment.
            Step[] story = {create("A", "k", 64), lock("A"), attach("B", "k"), write("A", 0, "hello"), unlock("A"),
                    read("B", 0, 5), detach("A")};
            first = pids(execute(run, column, story));
            Execution second = execute(run, column, story);
            assertEquals(first, pids(second), "both workers were reused; notes: " + second.notes());
            assertTrue(second.notes().stream().noneMatch(n -> n.contains("not reused")), second.notes().toString());
            assertFalse(ScheduleChecker.check(second, column, List.of(), Subjects.here()).fails(),
                    "a schedule on reused workers is judged like any other");
            assertEquals(2, run.workerPool().stats().reused());
            assertTrue(first.stream().allMatch(WorkerPoolTest::alive), "idle workers live in the pool");
        }
        assertTrue(first.stream().noneMatch(WorkerPoolTest::alive), "closing the run ended every pooled worker");
    }

    /**
     * Every Java column's worker is one program: a clean worker of one Java column serves the next Java column's schedule
     * under its pid, after a reset that names that column, and its object is then of that column's backend (a System V
     * segment cannot be resized, an mmapfile one can). A Qt worker is no Java worker's stand-in.
     */
    @Test
    void aCleanJavaWorkerServesTheNextJavaColumnWithThatColumnsBackend() throws InterruptedException {
        assertTrue(WorkerPool.sameProgram("sysv", "mmapfile"));
        assertFalse(WorkerPool.sameProgram("sysv", QtReferenceWorker.IMPL));
        try (RunContext run = RunContext.create()) {
            Step[] story = {create("A", "k", 64), attach("B", "k"), truncate("A", 32), detach("B"), detach("A")};
            Execution sysv = execute(run, "sysv", story);
            assertEquals(EventType.fail, typeOf(sysv, "A", "truncate"), "a System V segment cannot be resized");
            Execution mmapfile = execute(run, "mmapfile", story);
            assertEquals(pids(sysv), pids(mmapfile), "both workers served the next column; notes: " + mmapfile.notes());
            assertEquals(EventType.ok, typeOf(mmapfile, "A", "truncate"), "the reused worker's object is the mmapfile backend's");
            assertEquals(2, run.workerPool().stats().reused());
            assertFalse(ScheduleChecker.check(mmapfile, "mmapfile", List.of(), Subjects.here()).fails(),
                    "a schedule on a worker of another column is judged like any other");
        }
    }

    /**
     * A worker that serves memfd-fd after a reset, started for mmapfile: the child it starts (spawnChild) is a worker of
     * the column it serves now, not of its command line's, so it attaches through the descriptor it inherits.
     */
    @Test
    void aChildOfAWorkerThatServesAnotherColumnNowServesThatColumn() throws InterruptedException {
        try (RunContext run = RunContext.create()) {
            Execution mmapfile = execute(run, "mmapfile", create("A", "k", 64), attach("B", "k"), detach("B"), detach("A"));
            ScheduleRunner runner = new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                    ScheduleRunner.Timing.defaults()).reusingWorkers();
            Schedule s = new Schedule("pool-test-child", null, List.of(WorkerSpec.local("A", "memfd-fd"), WorkerSpec.local("B", "memfd-fd"),
                    WorkerSpec.local("C", "memfd-fd")), List.of(create("A", "k", 64), write("A", 0, "inherited"), spawnChild("A", "C"),
                    read("C", 0, 9), isAttached("B"), kill("C"), detach("A")));
            Execution x = runner.run(s);
            assertEquals(List.of(), x.problems(), x.history().toJsonLines());
            assertTrue(pids(mmapfile).contains(x.workers().get("A").pid()), "A is a worker that served mmapfile before: " + x.notes());
            assertEquals(EventType.ok, typeOf(x, "A", "spawnChild"), x.history().toJsonLines());
            String read = x.history().events().stream().filter(e -> e.process().equals("C") && e.f().equals("read")
                    && e.type() == EventType.ok).findFirst().orElseThrow(() -> new AssertionError(x.history().toJsonLines())).data();
            assertEquals("inherited", new String(java.util.HexFormat.of().parseHex(read), java.nio.charset.StandardCharsets.UTF_8),
                    "the child read its parent's bytes through the inherited memfd");
        }
    }

    /** The type of the completion of {@code worker}'s {@code f}. */
    private static EventType typeOf(Execution x, String worker, String f) {
        return x.history().events().stream().filter(e -> e.process().equals(worker) && e.f().equals(f) && e.type() != EventType.invoke)
                .map(org.shmconform.history.HistoryEvent::type).findFirst()
                .orElseThrow(() -> new AssertionError("no completed " + f + " by " + worker + " in\n" + x.history().toJsonLines()));
    }

    @Test
    void aWorkerThatCannotProveItselfCleanIsReplaced() throws InterruptedException, IOException {
        try (RunContext run = RunContext.create()) {
            // A's segment object is dropped by the reset, but the test backend leaves its mapping in the process.
            Execution leaky = execute(run, LeakOnCloseBackend.NAME, create("A", "k", 64), write("A", 0, "left"));
            long a = leaky.workers().get("A").pid();
            String note = leaky.notes().stream().filter(n -> n.startsWith("worker A (pid " + a + ") not reused"))
                    .findFirst().orElseThrow(() -> new AssertionError("no replacement note in " + leaky.notes()));
            assertTrue(note.contains("did not prove clean") && note.contains("still maps /dev/shm/"), note);
            assertFalse(alive(a), "the unclean worker was killed");
            // B did nothing: it proved clean and was kept.
            assertTrue(leaky.notes().stream().noneMatch(n -> n.startsWith("worker B")), leaky.notes().toString());

            Execution next = execute(run, LeakOnCloseBackend.NAME, create("A", "k", 64), detach("A"));
            assertFalse(pids(next).contains(a), "the next schedule never meets the unclean process");
            assertEquals(1, run.workerPool().stats().replaced());
            try (Stream<Path> shm = Files.list(Path.of("/dev/shm"))) {
                assertTrue(shm.noneMatch(p -> p.getFileName().toString().contains(run.keyPrefix())), "the run left a file in /dev/shm");
            }
        }
    }

    @Test
    void aKilledWorkerIsNeverReturned() throws InterruptedException {
        try (RunContext run = RunContext.create()) {
            Execution x = execute(run, "sysv", create("A", "k", 64), attach("B", "k"), kill("B"), detach("A"));
            long b = x.workers().get("B").pid();
            assertTrue(x.notes().stream().anyMatch(n -> n.startsWith("worker B (pid " + b + ") not reused: the engine killed it")),
                    x.notes().toString());
            Execution next = execute(run, "sysv", create("A", "k", 64), attach("B", "k"), detach("B"), detach("A"));
            assertFalse(pids(next).contains(b));
            assertTrue(pids(next).contains(x.workers().get("A").pid()), "the clean survivor was reused: " + next.notes());
        }
    }

    /**
     * POSIX's lock stays held when its holder dies (no undo): the survivor's reset (its object's destructor detaches
     * under the lock, as Qt's does) sleeps in sem_wait for ever. The pool learns that from the kernel and replaces
     * the worker, instead of waiting out the reset deadline (which cost 10 s per such worker in every posix fuzz run).
     */
    @Test
    void aResetAsleepInALockWaitIsSeenByTheKernelAndTheWorkerReplaced() throws InterruptedException {
        try (RunContext run = RunContext.create()) {
            Execution x = execute(run, "posix", create("A", "k", 64), attach("B", "k"), lock("A"), kill("A"));
            long b = x.workers().get("B").pid();
            assertTrue(x.notes().stream().anyMatch(n -> n.startsWith("worker B (pid " + b + ") not reused: its reset sleeps in a lock wait")),
                    x.notes().toString());
            assertFalse(ProcessHandle.of(b).isPresent(), "the replaced worker " + b + " was killed and reaped");
        }
    }

    /**
     * A SEM_UNDO adjustment is not in /proc: a worker that locked goes back to the pool only when no semaphore set the
     * run's ledger recorded survives the reaper. Here one does: a set this test makes, recorded with another creator
     * uid, so the reaper (which also matches the creator) leaves it and the pool's check (id and key) finds it.
     */
    @Test
    void aWorkerThatLockedIsReplacedWhileASetTheLedgerRecordedSurvives() throws Exception {
        org.shmconform.backends.sysv.SysVObjects.Obj set = null;
        try (RunContext run = RunContext.create()) {
            Process mk = new ProcessBuilder("ipcmk", "-S", "1", "-p", "0600").redirectErrorStream(true).start();
            String out = new String(mk.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            assertEquals(0, mk.waitFor(), out);
            int id = Integer.parseInt(out.replaceAll("[^0-9]", ""));
            set = org.shmconform.backends.sysv.SysVObjects.list().stream().filter(o -> o.kind().equals("sem") && o.id() == id)
                    .findFirst().orElseThrow();
            run.ledger().write("sem " + set.id() + " " + set.key() + " " + set.ctime() + " " + (set.cuid() + 4242));
            // B only asks whether it is attached: no op of it operates a set (a create, attach or detach may:
            // ScheduleAttempt.mayLeaveAnUndo).
            Execution x = execute(run, "sysv", create("A", "k", 64), lock("A"), unlock("A"), isAttached("B"), detach("A"));
            long a = x.workers().get("A").pid();
            assertTrue(x.notes().stream().anyMatch(n -> n.startsWith("worker A (pid " + a + ") not reused: it may keep a SEM_UNDO"
                    + " adjustment") && n.contains("id " + id + " ")), x.notes().toString());
            assertTrue(x.notes().stream().noneMatch(n -> n.startsWith("worker B")), "B operated no set: " + x.notes());
            Execution next = execute(run, "sysv", create("A", "k", 64), detach("A"));
            assertFalse(pids(next).contains(a), "the next schedule never meets the worker that locked");
        } finally {
            if (set != null) {
                org.shmconform.backends.sysv.SysVObjects.remove(set);
            }
        }
    }
}
