package org.shmconform.scenarios;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;
import org.shmconform.history.ReportLayout;
import org.shmconform.engine.RunContext;
import org.shmconform.engine.ScheduleRunner;
import org.shmconform.engine.WorkerPool;
import org.shmconform.engine.Trial;
import org.shmconform.engine.env.Environment;
import org.shmconform.model.Property;
import org.shmconform.schedule.Schedule;
import org.shmconform.spi.Availability;

/**
 * Runs scenarios on columns: each scenario's schedule for the column is a {@link Trial} (run on real
 * workers, checked, its schedule and history kept where the report folder's {@link ReportLayout} puts them).
 */
public final class SuiteRunner {
    /** Told about each scenario as it starts and ends, for progress output. */
    public interface Progress {
        /** Says nothing. */
        Progress NONE = new Progress() {
            @Override
            public void started(Scenario scenario, String column, int index, int total) {
            }

            @Override
            public void finished(ScenarioResult result, int index, int total) {
            }
        };

        void started(Scenario scenario, String column, int index, int total);

        void finished(ScenarioResult result, int index, int total);
    }

    private final ScheduleRunner runner;
    private final ReportLayout report;
    private final Progress progress;
    /** The column whose local workers the pool may hold idle now (a runner that reuses workers), or null. */
    private String pooledColumn;

    public SuiteRunner(RunContext run, Map<String, Environment> environments, ScheduleRunner.Timing timing, Path reportDir,
                       Progress progress) {
        this(run, environments, timing, ReportLayout.at(reportDir), progress);
    }

    public SuiteRunner(RunContext run, Map<String, Environment> environments, ScheduleRunner.Timing timing, ReportLayout report,
                       Progress progress) {
        this(new ScheduleRunner(run, environments, timing), report, progress);
    }

    /**
     * Scenarios run by {@code runner}: one that {@linkplain ScheduleRunner#reusingWorkers reuses workers}
     * runs each scenario on the run's pooled local workers (a worker goes back only when it proves clean),
     * and keeps idle only the workers of the column being run, with no spare ready beyond what a scenario uses
     * ({@link ScheduleRunner#withoutReserve}).
     */
    public SuiteRunner(ScheduleRunner runner, ReportLayout report, Progress progress) {
        this.runner = runner.withoutReserve();
        this.report = report;
        this.progress = progress;
    }

    public ScheduleRunner scheduleRunner() {
        return runner;
    }

    /** The environment name of a job whose workers name their own environments (a cross-environment scenario). */
    public static final String CROSS = "cross";

    /** One scenario on one column in one environment ({@link #CROSS} for scenarios whose workers name their own). */
    public record Job(Scenario scenario, String column, String env) {
    }

    /**
     * The jobs for a run: every scenario on every column locally; the environment-sensitive ones
     * again inside every other environment chosen; the cross-environment ones once per column when
     * all the environments they use were chosen.
     */
    public static List<Job> plan(List<Scenario> scenarios, List<String> columns, List<String> envs) {
        List<Job> jobs = new ArrayList<>();
        for (String env : envs) {
            for (String column : columns) {
                for (Scenario s : scenarios) {
                    if (!s.appliesTo().test(column)) {
                        continue;
                    }
                    boolean here = s.placement() == Scenario.Placement.LOCAL ? env.equals("local")
                            : s.placement() == Scenario.Placement.EVERY_ENVIRONMENT;
                    if (here) {
                        jobs.add(new Job(s, column, env));
                    }
                }
            }
        }
        for (String column : columns) {
            for (Scenario s : scenarios) {
                if (s.placement() == Scenario.Placement.FIXED && s.appliesTo().test(column)
                        && s.scheduleFor(column).workers().stream().allMatch(w -> envs.contains(w.env()))) {
                    jobs.add(new Job(s, column, CROSS));
                }
            }
        }
        return jobs;
    }

    /**
     * The jobs at {@code indices} (0-based in {@code jobs}), in that order, each told to the progress with its 1-based
     * number in {@code jobs} (a lane of the plan keeps the plan's numbers), until the end or until {@code abandoned} says so.
     */
    public List<ScenarioResult> run(List<Job> jobs, List<Integer> indices, BooleanSupplier abandoned) throws InterruptedException {
        List<ScenarioResult> results = new ArrayList<>();
        for (int k = 0; k < indices.size(); k++) {
            if (abandoned.getAsBoolean()) {
                break;
            }
            int i = indices.get(k);
            Job job = jobs.get(i);
            boolean workersUsedAfter = k + 1 < indices.size() && sameWorkers(job, jobs.get(indices.get(k + 1)));
            progress.started(job.scenario(), job.column(), i + 1, jobs.size());
            ScenarioResult result = run(job.scenario(), job.column(), job.env(), workersUsedAfter);
            results.add(result);
            progress.finished(result, i + 1, jobs.size());
        }
        return results;
    }

    public ScenarioResult run(Scenario scenario, String column) throws InterruptedException {
        return run(scenario, column, "local");
    }

    public ScenarioResult run(Scenario scenario, String column, String env) throws InterruptedException {
        return run(scenario, column, env, true);
    }

    /**
     * Whether the next job borrows pooled workers like this one's: the same environment, and the same column or one whose
     * workers are of the same program (one Java column after another: {@link WorkerPool#sameProgram}).
     */
    private static boolean sameWorkers(Job job, Job next) {
        return next.env().equals(job.env()) && WorkerPool.sameProgram(job.column(), next.column());
    }

    /**
     * @param workersUsedAfter whether a scenario after this one borrows the same pooled workers; if not, a worker this
     *                         one loses is not replaced in the background ({@link ScheduleRunner#withoutSpares})
     */
    private ScenarioResult run(Scenario scenario, String column, String env, boolean workersUsedAfter) throws InterruptedException {
        long start = System.nanoTime();
        Schedule schedule = scenario.scheduleFor(column, env);
        String missing = scenario.requires().apply(column);
        if (missing == null) { // a requirement (root, a partner, a report the column gives) is a fact, probe or none
            Availability here = runner.availability(schedule);
            if (here.undecided()) {
                return undecided(scenario, column, env, here.reason());
            }
            missing = here.available() ? null : here.reason();
        }
        if (missing != null) {
            return notAvailable(scenario, column, env, missing);
        }
        retireIdleWorkersBefore(column);
        ReportLayout.Evidence evidence = report.scenarioEvidence(scenario.id(), column, env);
        Trial trial = Trial.run(workersUsedAfter ? runner : runner.withoutSpares(), schedule, column, scenario.properties())
                .keep(evidence);
        long millis = (System.nanoTime() - start) / 1_000_000;
        return new ScenarioResult(scenario.id(), scenario.title(), column, env, trial.outcome().results(),
                evidence.historyName(), evidence.scheduleName(), millis, trial.execution().broken(), trial.execution().notes());
    }

    /**
     * The suite runs one column's scenarios after another: the idle workers of the column before are ended
     * when another column's scenario starts, so that the pool never holds a JVM per worker of every column; unless
     * they serve the new column too (one Java column after another: {@link WorkerPool#sameProgram}), which then
     * borrows them instead of starting its own.
     */
    private void retireIdleWorkersBefore(String column) {
        if (!runner.reusesWorkers() || column.equals(pooledColumn)) {
            return;
        }
        if (pooledColumn != null && !WorkerPool.sameProgram(pooledColumn, column)) {
            runner.retireIdle(pooledColumn);
        }
        pooledColumn = column;
    }

    /**
     * A cell whose probe did not finish: UNKNOWN, never NOT_AVAILABLE, so the run fails and says why instead of passing
     * with less tried than it could have ({@link Availability.State#UNDECIDED}).
     */
    private ScenarioResult undecided(Scenario scenario, String column, String env, String reason) {
        String why = "a probe this cell needs did not finish: " + reason;
        List<PropertyResult> results = new ArrayList<>();
        for (Property p : scenario.properties()) {
            results.add(new PropertyResult(p.id(), Verdict.UNKNOWN, why, null, List.of()));
        }
        return new ScenarioResult(scenario.id(), scenario.title(), column, env, results, null, null, 0, why, List.of());
    }

    private ScenarioResult notAvailable(Scenario scenario, String column, String env, String reason) {
        List<PropertyResult> results = new ArrayList<>();
        for (Property p : scenario.properties()) {
            results.add(new PropertyResult(p.id(), Verdict.NOT_AVAILABLE, reason, null, List.of()));
        }
        return new ScenarioResult(scenario.id(), scenario.title(), column, env, results, null, null, 0, reason, List.of());
    }
}
