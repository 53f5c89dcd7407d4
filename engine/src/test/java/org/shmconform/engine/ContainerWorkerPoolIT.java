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
 * Workers in a container are pooled as local ones are: the next schedule of the column in that environment and group is
 * served by the same processes, which really run in the group's container (its pid namespace, not the harness's), after
 * the harness proved them clean through the host's /proc (the image's runtime is code, not a segment); a worker that
 * locked in an IPC namespace of the container's own serves again once every semaphore set of that namespace is removed.
 */
class ContainerWorkerPoolIT {

    /** The worker's host pid: the history records the pid its hello gave, the container's; the pool knows the host's. */
    private static Set<Long> hostPids(RunContext run, String column) throws InterruptedException {
        return Set.copyOf(run.workerPool().idlePidsOnceSparesStarted(column));
    }

    @ParameterizedTest(name = "{0} in {1}")
    @CsvSource({"posix, docker-private", "memfd, docker-shareable", "mmapfile, docker-host"})
    void theNextScheduleInTheContainerIsServedByTheSameWorkers(String column, String envName) throws Exception {
        try (RunContext run = RunContext.create(); Environment env = available(envName, run)) {
            Step[] story = {create("A", "k", 64), attach("B", "k"), write("A", 0, "hello"), read("B", 0, 5), detach("B"), detach("A")};
            execute(run, env, column, story);
            Set<Long> idle = hostPids(run, column);
            assertEquals(2, idle.size(), "both workers went back to the pool: " + idle);
            for (long pid : idle) {
                assertNotEquals(namespace(ProcessHandle.current().pid(), "pid"), namespace(pid, "pid"), "worker " + pid + " runs in a container");
            }
            Execution second = execute(run, env, column, story);
            assertTrue(second.notes().stream().noneMatch(n -> n.contains("not reused")), second.notes().toString());
            assertEquals(idle, hostPids(run, column), "the same two processes served the second schedule; notes: " + second.notes());
            assertTrue(run.workerPool().stats().reused() >= 2, run.workerPool().stats().toString());
        }
    }

    @ParameterizedTest(name = "{0} in {1}")
    @CsvSource({"posix, docker-private", "sysv, docker-private", "sysv, docker-shareable"})
    void aWorkerThatLockedInAContainersOwnIpcNamespaceServesAgainOnceTheNamespaceHasNoSet(String column, String envName) throws Exception {
        try (RunContext run = RunContext.create(); Environment env = available(envName, run)) {
            // A is killed holding its object: on sysv the lock's set outlives the schedule, with B's adjustment on it.
            Execution first = execute(run, env, column, create("A", "k", 64), lock("A"), unlock("A"), attach("B", "k"), kill("A"),
                    lock("B"), unlock("B"));
            long holder = env.ownIpcNamespace("g").orElseThrow().holderPid();
            assertEquals(List.of(), NamespaceWorkerPoolTest.sysvIn(holder, "sem"), "no set is left in the container's namespace; notes: "
                    + first.notes());
            assertEquals(List.of(), NamespaceWorkerPoolTest.sysvIn(holder, "shm"), "nor a segment; notes: " + first.notes());
            assertTrue(first.notes().stream().noneMatch(n -> n.startsWith("worker B") && n.contains("not reused")), first.notes().toString());
            assertEquals(1, run.workerPool().stats().replaced(), "only the killed A was replaced: " + run.workerPool().stats() + " "
                    + first.notes());
            if (envName.equals("docker-shareable")) {
                // Each live worker in a container of its own; the replaced worker's container holds nothing of it any more
                // (it may wait for the group's next worker), nor does the group's holder.
                Set<Long> live = hostPids(run, column);
                long withAWorker = 0;
                for (String id : runningContainers(run.runId())) {
                    List<Long> processes = containerProcesses(id);
                    long workersIn = processes.stream().filter(live::contains).count();
                    assertTrue(workersIn <= 1, "container " + id + " runs " + processes + ", live workers " + live);
                    if (workersIn == 0) {
                        assertEquals(1, processes.size(), "container " + id + " without a live worker runs only its main process: "
                                + processes);
                    }
                    withAWorker += workersIn;
                }
                assertEquals(live.size(), withAWorker, "every live worker in a container of the run: " + live);
            }
        }
    }

    /** The host pids of the processes running in container {@code id}. */
    private static List<Long> containerProcesses(String id) throws Exception {
        Process top = new ProcessBuilder(System.getProperty("shmconform.docker", "/usr/bin/docker"), "top", id, "-o", "pid")
                .redirectErrorStream(true).start();
        List<String> lines = new String(top.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
                .map(String::strip).filter(l -> !l.isEmpty()).toList();
        assertEquals(0, top.waitFor(), "docker top: " + lines);
        return lines.stream().skip(1).map(Long::valueOf).toList(); // under the header "PID"
    }

    /** The run's running containers, by the label every container of the run carries. */
    private static List<String> runningContainers(String runId) throws Exception {
        Process ps = new ProcessBuilder(System.getProperty("shmconform.docker", "/usr/bin/docker"), "ps", "-q", "--filter",
                "label=" + org.shmconform.engine.env.ContainerSweeper.RUN + "=" + runId).redirectErrorStream(true).start();
        List<String> ids = new String(ps.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
                .filter(l -> !l.isBlank()).toList();
        assertEquals(0, ps.waitFor(), "docker ps: " + ids);
        return ids;
    }
}
