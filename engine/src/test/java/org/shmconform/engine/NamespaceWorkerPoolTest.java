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
 * a worker that locked is replaced, since the System V sets of that namespace are out of the reaper's reach.
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

    @ParameterizedTest(name = "{0} in {1}")
    @CsvSource({"posix, ipcns", "sysv, ipcns+shm"})
    void aWorkerThatLockedInAnIpcNamespaceOfItsOwnIsReplaced(String column, String envName) throws Exception {
        try (RunContext run = RunContext.create(); Environment env = available(envName, run)) {
            Step[] story = {create("A", "k", 64), lock("A"), unlock("A"), attach("B", "k"), detach("B"), detach("A")};
            Execution first = execute(run, env, column, story);
            Execution second = execute(run, env, column, story);
            Set<Long> before = Set.of(pid(first, "A"), pid(first, "B"));
            assertFalse(before.contains(pid(second, "A")) && before.contains(pid(second, "B")), "the locker was replaced");
            if (column.equals("posix")) { // on sysv the lock is a System V set: B's attach and detach may leave an undo too
                assertTrue(before.contains(pid(second, "A")) || before.contains(pid(second, "B")),
                        "B, which never locked, was reused; notes: " + first.notes());
            }
            assertTrue(first.notes().stream().anyMatch(n -> n.startsWith("worker A") && n.contains("IPC namespace the reaper does not reach")),
                    first.notes().toString());
        }
    }
}
