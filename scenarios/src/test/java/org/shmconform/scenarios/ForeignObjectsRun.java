package org.shmconform.scenarios;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.engine.RunContext;
import org.shmconform.engine.ScheduleRunner;
import org.shmconform.engine.env.Environment;
import org.shmconform.engine.env.Environments;
import org.shmconform.fuzz.FuzzCampaign;

/**
 * The harness side of ForeignObjectsTest, started in a private pid namespace where foreign
 * objects were made by processes whose pids the workers then get again: a piece of the named suite
 * and a short fuzz on sysv and qt. Writes the run id, the workers' pids and the verdicts to args[0].
 */
public final class ForeignObjectsRun {
    static final List<String> SCENARIOS = List.of("crash-survives", "lock-holder-killed", "last-detach-attacher-last", "other-user");
    static final List<String> COLUMNS = List.of("sysv", "qt");

    private ForeignObjectsRun() {
    }

    /**
     * Makes the next process of this pid namespace take the lowest free pid again, i.e. one of the
     * dead planters' (only here, as the namespace's init: never on the host).
     */
    private static void reusePids() throws java.io.IOException {
        if (ProcessHandle.current().pid() == 1) {
            Files.writeString(Path.of("/proc/sys/kernel/ns_last_pid"), "1");
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> out = new ArrayList<>();
        TreeSet<Long> pids = new TreeSet<>();
        RunContext run = RunContext.create();
        out.add("run " + run.runId());
        Map<String, Environment> envs = new LinkedHashMap<>();
        envs.put("local", Environments.create("local", run.runId()).orElseThrow());
        try {
            SuiteRunner suite = new SuiteRunner(run, envs, ScheduleRunner.Timing.defaults(), Path.of(args[1], "suite"),
                    SuiteRunner.Progress.NONE);
            for (Scenario s : NamedSuite.all()) {
                if (SCENARIOS.contains(s.id())) {
                    for (String column : COLUMNS) {
                        reusePids();
                        ScenarioResult r = suite.run(s, column, "local");
                        out.add("verdict " + s.id() + " " + column + " " + r.verdict());
                    }
                }
            }
            for (String column : COLUMNS) {
                reusePids();
                var result = FuzzCampaign.run(FuzzCampaign.Options.of(column).count(4).time(Duration.ofSeconds(90))
                        .outDir(Path.of(args[1], "fuzz-" + column)), run, line -> { },
                        checked -> checked.execution().workers().values().forEach(w -> pids.add(w.pid())));
                out.add("fuzz " + column + " schedules " + result.schedulesRun() + " failures " + result.failures().size()
                        + " unknown " + result.unknown().size());
            }
        } finally {
            envs.values().forEach(Environment::close);
            run.close();
        }
        out.add("workerpids " + String.join(" ", pids.stream().map(String::valueOf).toList()));
        Files.write(Path.of(args[0]), out);
    }
}
