package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.shmconform.checker.ScheduleChecker;
import org.shmconform.engine.env.Environment;
import org.shmconform.engine.env.Environments;
import org.shmconform.history.Execution;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.WorkerSpec;

/** For the tests of a pool per column and environment: two workers of one group, on the run's pool, judged as ever. */
final class PooledSchedules {
    private PooledSchedules() {
    }

    /** Runs the steps by workers A and B of group "g" in {@code env}, reusing the run's pooled workers; every step must run. */
    static Execution execute(RunContext run, Environment env, String column, Step... steps) throws InterruptedException {
        ScheduleRunner runner = new ScheduleRunner(run, Map.of(env.name(), env), ScheduleRunner.Timing.defaults()).reusingWorkers();
        Schedule s = new Schedule("pool-test", null, List.of(new WorkerSpec("A", column, env.name(), "g", null),
                new WorkerSpec("B", column, env.name(), "g", null)), Arrays.asList(steps));
        assertNull(runner.unavailableReason(s), column + " workers cannot run in " + env.name() + " here");
        Execution x = runner.run(s);
        assertEquals(List.of(), x.problems(), "the schedule ran every step");
        assertFalse(ScheduleChecker.check(x, column, List.of(), Subjects.here()).fails(), "the history is judged as before");
        return x;
    }

    /** The namespace of that kind ("ipc", "pid", ...) a process is in, as /proc names it. */
    static String namespace(long pid, String kind) throws java.io.IOException {
        return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/" + pid + "/ns/" + kind)).toString();
    }

    /** The environment, or the test skipped with the reason it is NOT_AVAILABLE here. */
    static Environment available(String name, RunContext run) {
        Environment env = Environments.create(name, run.runId()).orElseThrow();
        if (!env.availability().available()) {
            env.close();
        }
        Assumptions.assumeTrue(env.availability().available(), () -> name + ": NOT_AVAILABLE " + env.availability().reason());
        return env;
    }
}
