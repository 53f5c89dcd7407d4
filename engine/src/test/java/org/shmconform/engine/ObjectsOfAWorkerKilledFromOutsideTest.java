package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.schedule.Steps.attach;
import static org.shmconform.schedule.Steps.create;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.history.Execution;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.WorkerSpec;

/**
 * A worker SIGKILLed by another hand (here the test's, as the OOM killer or an operator would) inside the op that made
 * its System V objects: no reading of the engine's saw them while it lived, and once it is gone, its pid proves nothing
 * by itself (another process may have it). Real processes on {@link DiesInItsCreateBackend}: A's create makes a segment
 * and a set (IPC_PRIVATE: no key file, no name), operates the set and waits; the test kills A. Before the engine held a
 * local worker's pid past its death ({@code PidHold}), both outlived the run (checked: this test failed so).
 */
class ObjectsOfAWorkerKilledFromOutsideTest {
    @Test
    void theSegmentAndSetOfAWorkerKilledFromOutsideInItsCreateAreReaped() throws Exception {
        long started = System.currentTimeMillis() / 1000;
        List<int[]> made = new ArrayList<>(); // {pid, segment, set}
        int foreign = -1;
        String letters = null;
        try (RunContext run = RunContext.create()) {
            ScheduleRunner runner = new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                    ScheduleRunner.Timing.defaults());
            String column = DiesInItsCreateBackend.NAME;
            Schedule s = new Schedule(column, null, List.of(WorkerSpec.local("A", column), WorkerSpec.local("B", column)),
                    List.of(create("A", "k", 64), attach("B", "k")));
            assertNull(runner.unavailableReason(s));
            Killed k = runKillingA(run, runner, s, made);
            Execution x = k.execution();
            foreign = k.victim()[3];
            assertEquals(1, x.problems().size(), x.problems().toString());
            assertTrue(x.problems().get(0).startsWith(Execution.ENDED_FROM_OUTSIDE + "A ended during its create"), x.problems().toString());
            assertEquals(List.of(), left(made, started), "what A made before it was killed from outside outlived the schedule");
            letters = org.shmconform.backends.QtKeys.lettersOf(run.keyPrefix());
            final int foreignId = foreign;
            assertTrue(SysVObjects.segments().stream().anyMatch(g -> g.id() == foreignId), "a segment no worker made is left alone");
        } finally {
            left(made, started).forEach(SysVObjects::remove); // only what A said it made, still as made
            final int foreignId = foreign;
            SysVObjects.segments().stream().filter(g -> g.id() == foreignId && g.cpid() == ProcessHandle.current().pid())
                    .forEach(g -> SysVObjects.remove(g.obj())); // the test's own
        }
        assertEquals(List.of(), left(made, started), "and the run's end");
        // The /dev/shm name A's real create made carries the run's prefix: the reaper removes it by name (it did before too).
        String runLetters = letters;
        try (Stream<Path> names = Files.list(Path.of("/dev/shm"))) {
            assertEquals(List.of(), names.map(p -> p.getFileName().toString()).filter(n -> n.contains(runLetters)).toList());
        }
    }

    /**
     * The same for a worker of another user (nobody, as AttacksAsNobodyTest's attacker runs): one started by setpriv's user
     * switch, with a TMPDIR of its own it may write. Before the pid hold reached such workers (only those of the harness's
     * own user were held), its segment and set outlived the run (checked: this test failed so).
     */
    @Test
    void theSegmentAndSetOfAWorkerOfAnotherUserKilledFromOutsideInItsCreateAreReaped() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.shmconform.engine.state.PrivateDirectory.myUid() == 0,
                "a worker as nobody needs root: run the tests as root");
        long started = System.currentTimeMillis() / 1000;
        List<int[]> made = new ArrayList<>(); // {pid, segment, set}
        try (RunContext run = RunContext.create()) {
            ScheduleRunner runner = new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                    ScheduleRunner.Timing.defaults());
            String column = DiesInItsCreateBackend.NAME;
            Schedule s = new Schedule(column, null, List.of(new WorkerSpec("A", column, LocalEnvironment.NAME, "g", "nobody")
                    .withTmpdir("a")), List.of(create("A", "k", 64)));
            assertNull(runner.unavailableReason(s));
            Killed k = runKillingA(run, runner, s, made);
            Execution x = k.execution();
            int[] victim = k.victim();
            removeOwnSegment(victim[3]);
            assertEquals(1, x.problems().size(), x.problems().toString());
            assertTrue(x.problems().get(0).startsWith(Execution.ENDED_FROM_OUTSIDE + "A ended during its create"), x.problems().toString());
            assertEquals(List.of(), left(made, started), "what A (nobody) made before it was killed from outside outlived the schedule");
        } finally {
            left(made, started).forEach(SysVObjects::remove); // only what A said it made, still as made
        }
        assertEquals(List.of(), left(made, started), "and the run's end");
    }

    /** The execution of a schedule whose A the test killed once it had made its objects, and what it killed (pid, segment, set, ...). */
    private record Killed(Execution execution, int[] victim) {
    }

    /** Runs {@code s} while the test kills A once it has made its objects; what it killed is added to {@code made}. */
    private static Killed runKillingA(RunContext run, ScheduleRunner runner, Schedule s, List<int[]> made) throws Exception {
        CompletableFuture<int[]> killed = CompletableFuture.supplyAsync(() -> killOnceMade(run));
        Execution x = runner.run(s);
        int[] victim = killed.get();
        assertTrue(victim != null, "the test found A's objects and killed A: " + x.problems() + x.history().toJsonLines());
        made.add(victim);
        return new Killed(x, victim);
    }

    /**
     * A worker behind a namespace prefix (ipcns: nsenter into its group's IPC namespace) is not held, and needs no hold:
     * what it makes is in that namespace, which no reading of the harness's sees, and which the namespace reaper empties
     * after the schedule (OwnNamespaceReaper). A guard: it passed before the pid hold reached workers of another user too.
     */
    @Test
    void theSegmentAndSetOfAWorkerInAnIpcNamespaceKilledFromOutsideInItsCreateGoWithTheNamespacesLeftovers() throws Exception {
        List<int[]> made = new ArrayList<>();
        try (RunContext run = RunContext.create();
             org.shmconform.engine.env.Environment env = PooledSchedules.available(org.shmconform.engine.env.IpcNamespaceEnvironment.NAME, run)) {
            ScheduleRunner runner = new ScheduleRunner(run, Map.of(env.name(), env), ScheduleRunner.Timing.defaults());
            String column = DiesInItsCreateBackend.NAME;
            Schedule s = new Schedule(column, null, List.of(new WorkerSpec("A", column, env.name(), "g", null)), List.of(create("A", "k", 64)));
            assertNull(runner.unavailableReason(s));
            Killed k = runKillingA(run, runner, s, made);
            Execution x = k.execution();
            int[] victim = k.victim();
            removeOwnSegment(victim[3]);
            assertTrue(x.problems().get(0).startsWith(Execution.ENDED_FROM_OUTSIDE + "A ended during its create"), x.problems().toString());
            long holder = env.ownIpcNamespace("g").orElseThrow().holderPid();
            assertEquals(List.of(), NamespaceWorkerPoolTest.sysvIn(holder, "sem"), "no set is left in the group's namespace: " + x.notes());
            assertEquals(List.of(), NamespaceWorkerPoolTest.sysvIn(holder, "shm"), "nor a segment: " + x.notes());
            assertTrue(x.notes().stream().anyMatch(n -> n.startsWith("removed from group g's IPC namespace")
                    && n.contains("semaphore set(s) [" + victim[2] + "]") && n.contains("segment(s) [" + victim[1] + "]")), x.notes().toString());
        }
    }

    /** The segment {@link #killOnceMade} made in this JVM, removed if it is still the one this JVM made. */
    private static void removeOwnSegment(int id) {
        SysVObjects.segments().stream().filter(g -> g.id() == id && g.cpid() == ProcessHandle.current().pid())
                .forEach(g -> SysVObjects.remove(g.obj()));
    }

    /**
     * Waits for A's file, then SIGKILLs A (never through the engine) and makes a segment of this JVM's; {pid, segment, set,
     * that segment}, or null if none came in time.
     */
    private static int[] killOnceMade(RunContext run) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (Path tmp : run.workerTmps()) {
                try (Stream<Path> files = Files.list(tmp)) {
                    Path f = files.filter(p -> p.getFileName().toString().matches(DiesInItsCreateBackend.MADE + "\\d+")).findFirst()
                            .orElse(null);
                    if (f != null) {
                        int pid = Integer.parseInt(f.getFileName().toString().substring(DiesInItsCreateBackend.MADE.length()));
                        String[] ids = Files.readString(f).trim().split(" ");
                        new ProcessBuilder("kill", "-KILL", Integer.toString(pid)).inheritIO().start().waitFor();
                        // Made by this JVM, no worker of the run, right after A's death, as the engine takes its look: never
                        // the run's, and left alone by every reaping.
                        int foreign = org.shmconform.backends.linux.LibC.INSTANCE.shmget(0 /* IPC_PRIVATE */, 4096,
                                0600 | org.shmconform.backends.linux.LibC.IPC_CREAT);
                        return new int[] {pid, Integer.parseInt(ids[0]), Integer.parseInt(ids[1]), foreign};
                    }
                } catch (IOException e) {
                    // a TMPDIR not made yet, or gone: looked at again
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return null;
            }
        }
        return null;
    }

    /** Of the objects A said it made, those still there as made: created by its pid, since {@code since}. */
    private static List<SysVObjects.Obj> left(List<int[]> made, long since) {
        List<SysVObjects.Obj> left = new ArrayList<>();
        for (int[] m : made) {
            SysVObjects.segments().stream().filter(g -> g.id() == m[1] && g.cpid() == m[0] && g.ctime() >= since)
                    .forEach(g -> left.add(new SysVObjects.Obj("shm", g.id(), g.key(), g.cuid(), g.ctime())));
            SysVObjects.semaphoreSets().stream().filter(t -> t.id() == m[2] && t.ctime() >= since && SysVObjects.lastOperator(t.id()) == m[0])
                    .forEach(t -> left.add(new SysVObjects.Obj("sem", t.id(), t.key(), t.cuid(), t.ctime())));
        }
        return left;
    }
}
