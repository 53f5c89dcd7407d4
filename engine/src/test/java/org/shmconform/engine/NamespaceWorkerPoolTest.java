package org.shmconform.engine;

import static org.shmconform.engine.PooledSchedules.available;
import static org.shmconform.engine.PooledSchedules.execute;
import static org.shmconform.engine.PooledSchedules.namespace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.schedule.Steps.attach;
import static org.shmconform.schedule.Steps.create;
import static org.shmconform.schedule.Steps.detach;
import static org.shmconform.schedule.Steps.kill;
import static org.shmconform.schedule.Steps.lock;
import static org.shmconform.schedule.Steps.read;
import static org.shmconform.schedule.Steps.unlock;
import static org.shmconform.schedule.Steps.write;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.shmconform.engine.env.Environment;
import org.shmconform.history.Execution;
import org.shmconform.schedule.Step;

/**
 * Workers in an environment's unshared namespaces (ipcns, ipcns+shm) are pooled as local ones are: the next schedule
 * of the column in that environment is served by the same processes, which really are in the group's IPC namespace;
 * a worker that locked serves again once every semaphore set of that namespace, out of the host's reaper's reach, has
 * been removed from inside it with every unattached segment ({@code OwnNamespaceReaper}), and is replaced when they may
 * not be (another schedule uses the environment).
 */
class NamespaceWorkerPoolTest {

    private static long pid(Execution x, String worker) {
        return x.workers().get(worker).pid();
    }

    @ParameterizedTest(name = "{0} in {1}")
    @CsvSource({"posix, ipcns", "mmapfile, ipcns+shm", "memfd, ipcns"})
    void theNextScheduleInTheNamespaceIsServedByTheSameWorkers(String column, String envName) throws Exception {
        try (RunContext run = RunContext.create(); Environment env = available(envName, run)) {
            Step[] story = {create("A", "k", 64), attach("B", "k"), write("A", 0, "hello"), read("B", 0, 5), detach("B"), detach("A")};
            Execution first = execute(run, env, column, story);
            assertNotEquals(namespace(ProcessHandle.current().pid(), "ipc"), namespace(pid(first, "A"), "ipc"),
                    "the worker is in the group's IPC namespace");
            Execution second = execute(run, env, column, story);
            // Idle workers of one key are interchangeable: A may now be the process that was B.
            assertEquals(Set.of(pid(first, "A"), pid(first, "B")), Set.of(pid(second, "A"), pid(second, "B")),
                    "both were reused; notes: " + second.notes());
            assertTrue(second.notes().stream().noneMatch(n -> n.contains("not reused")), second.notes().toString());
            assertTrue(run.workerPool().stats().reused() >= 2, run.workerPool().stats().toString());
        }
    }

    /**
     * A worker that locked in such a namespace may keep a SEM_UNDO adjustment on a set there, out of the host's reaper's
     * reach: after the schedule every semaphore set of the namespace is removed from a thread that enters it, and the
     * worker serves again. On sysv, A is killed holding its object, so the lock's set outlives the schedule (Qt removes it
     * only in its creator's destructor) with B's adjustment on it; the test fails if the set is left or B replaced.
     */
    @ParameterizedTest(name = "{0} in {1}")
    @CsvSource({"posix, ipcns", "sysv, ipcns+shm", "sysv, ipcns"})
    void aWorkerThatLockedInAnIpcNamespaceOfItsOwnServesAgainOnceTheNamespaceHasNoSet(String column, String envName) throws Exception {
        try (RunContext run = RunContext.create(); Environment env = available(envName, run)) {
            Step[] story = {create("A", "k", 64), lock("A"), unlock("A"), attach("B", "k"), kill("A"), lock("B"), unlock("B")};
            Execution first = execute(run, env, column, story);
            long b = pid(first, "B");
            long holder = env.ownIpcNamespace("g").orElseThrow().holderPid();
            assertEquals(List.of(), sysvIn(holder, "sem"), "no set is left in the group's namespace");
            assertEquals(List.of(), sysvIn(holder, "shm"), "nor a segment");
            if (column.equals("sysv")) {
                assertTrue(first.notes().stream().anyMatch(n -> n.startsWith("removed from group g's IPC namespace")
                        && !n.contains("semaphore set(s) []")), first.notes().toString());
            }
            assertTrue(first.notes().stream().noneMatch(n -> n.startsWith("worker B") && n.contains("not reused")), first.notes().toString());
            Execution second = execute(run, env, column, story);
            assertTrue(Set.of(pid(second, "A"), pid(second, "B")).contains(b), "B, which locked, served again; notes: " + second.notes());
        }
    }

    /**
     * A segment whose creator was killed survives it (nattch 0, its key file gone with the object): the host's reaper
     * would remove it after the schedule, and so does the namespace's, or a later schedule's key file on its old inode
     * would reach it through ftok.
     */
    @ParameterizedTest(name = "{0} in {1}")
    @CsvSource({"sysv, ipcns"})
    void aKilledCreatorsSegmentDoesNotOutliveItsSchedule(String column, String envName) throws Exception {
        try (RunContext run = RunContext.create(); Environment env = available(envName, run)) {
            Execution x = execute(run, env, column, create("A", "k", 64), attach("B", "k"), detach("B"), kill("A"));
            assertEquals(List.of(), sysvIn(env.ownIpcNamespace("g").orElseThrow().holderPid(), "shm"), x.notes().toString());
            assertTrue(x.notes().stream().anyMatch(n -> n.startsWith("removed from group g's IPC namespace") && !n.endsWith("segment(s) []")
                    && !n.contains("segment(s) [] ")), x.notes().toString());
        }
    }

    /** While another schedule uses the environment its sets are not removed (they may be that schedule's): the locker goes. */
    @ParameterizedTest(name = "{0} in {1}")
    @CsvSource({"posix, ipcns"})
    void aLockerIsReplacedWhenAnotherScheduleUsesTheEnvironment(String column, String envName) throws Exception {
        try (RunContext run = RunContext.create(); Environment env = available(envName, run)) {
            Step[] story = {create("A", "k", 64), lock("A"), unlock("A"), attach("B", "k"), detach("B"), detach("A")};
            EnvironmentUsers.enter(new OwnNamespaceReaper.Namespace(env, "g")); // what another schedule in its group would count
            Execution first;
            try {
                first = execute(run, env, column, story);
            } finally {
                EnvironmentUsers.leave(new OwnNamespaceReaper.Namespace(env, "g"));
            }
            assertTrue(first.notes().stream().anyMatch(n -> n.startsWith("worker A") && n.contains("IPC namespace the reaper does not reach")),
                    first.notes().toString());
            Execution second = execute(run, env, column, story);
            Set<Long> before = Set.of(pid(first, "A"), pid(first, "B"));
            assertFalse(before.contains(pid(second, "A")) && before.contains(pid(second, "B")), "the locker was replaced");
            assertTrue(before.contains(pid(second, "A")) || before.contains(pid(second, "B")),
                    "B, which never locked, was reused; notes: " + first.notes());
        }
    }

    /**
     * A schedule in another group of the environment is in another IPC namespace (a fuzz campaign's other lane): it does
     * not stop this group's reaping, so the set A left with B's adjustment on it is removed and B, which locked, serves again.
     */
    @ParameterizedTest(name = "{0} in {1}")
    @CsvSource({"sysv, ipcns"})
    void anotherGroupsScheduleDoesNotStopThisGroupsReaping(String column, String envName) throws Exception {
        try (RunContext run = RunContext.create(); Environment env = available(envName, run)) {
            Step[] story = {create("A", "k", 64), lock("A"), unlock("A"), attach("B", "k"), kill("A"), lock("B"), unlock("B")};
            OwnNamespaceReaper.Namespace other = new OwnNamespaceReaper.Namespace(env, "h");
            EnvironmentUsers.enter(other); // what a schedule in group h would count
            Execution first;
            try {
                first = execute(run, env, column, story);
            } finally {
                EnvironmentUsers.leave(other);
            }
            assertEquals(List.of(), sysvIn(env.ownIpcNamespace("g").orElseThrow().holderPid(), "sem"), "no set is left in group g's namespace");
            assertTrue(first.notes().stream().anyMatch(n -> n.startsWith("removed from group g's IPC namespace")
                    && !n.contains("semaphore set(s) []")), first.notes().toString());
            assertTrue(first.notes().stream().noneMatch(n -> n.startsWith("worker B") && n.contains("not reused")), first.notes().toString());
        }
    }

    /** The ids /proc/sysvipc/{sem,shm} lists in the IPC namespace of process {@code pid}, read by a process in it. */
    static List<Integer> sysvIn(long pid, String kind) throws Exception {
        Process p = new ProcessBuilder("nsenter", "--target", Long.toString(pid), "--ipc", "--", "cat", "/proc/sysvipc/" + kind)
                .redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, p.waitFor(), "nsenter: " + lines);
        return lines.stream().skip(1).map(l -> Integer.valueOf(l.trim().split("\\s+")[1])).toList();
    }
}
