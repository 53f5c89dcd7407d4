package org.shmconform.scenarios;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.shmconform.harness.checker.ScenarioResult;
import org.shmconform.harness.engine.RunContext;
import org.shmconform.harness.engine.ScheduleRunner;
import org.shmconform.harness.engine.env.LocalEnvironment;

public class SmokeMain {
    public static void main(String[] args) throws Exception {
        try (RunContext run = RunContext.create()) {
            SuiteRunner suite = new SuiteRunner(run, Map.of("local", new LocalEnvironment()), ScheduleRunner.Timing.defaults(),
                    Path.of("/tmp/smoke-report"), new SuiteRunner.Progress() {
                        public void started(Scenario s, String c, int i, int n) { }
                        public void finished(ScenarioResult r, int i, int n) {
                            System.out.println(r.column() + " " + r.scenario() + " " + r.verdict() + " " + r.millis() + "ms " + r.properties() + " " + r.notes());
                        }
                    });
            List<Scenario> scenarios = args.length > 1 ? List.of(NamedSuite.named(args[1]).orElseThrow()) : NamedSuite.all();
            suite.run(scenarios, List.of(args[0].split(",")));
        }
    }
}
