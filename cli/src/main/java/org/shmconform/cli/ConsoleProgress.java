package org.shmconform.cli;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;
import org.shmconform.conformance.ConformanceRun;
import org.shmconform.engine.RunContext;
import org.shmconform.fuzz.FuzzResult;
import org.shmconform.reports.RunDiff;
import org.shmconform.reports.RunSummary;
import org.shmconform.reports.RunVerdict;
import org.shmconform.scenarios.Scenario;
import org.shmconform.scenarios.SuiteRunner;

/**
 * What {@code shmconform run} prints as its {@link ConformanceRun} goes: the plan, one line per scenario
 * as it finishes, "[ 3/75] sysv      local   crash-survives   PASS   1.4 s", with the reason of anything
 * that is not PASS (UNKNOWN included: nothing is skipped in silence), the fuzz campaigns, what the
 * reaper removed, and the summary. What goes into the report, and stopping on a signal, are the run's.
 */
final class ConsoleProgress implements ConformanceRun.Listener {
    private final boolean quiet;
    private final Set<String> reasonsShown = new HashSet<>();

    ConsoleProgress(boolean quiet) {
        this.quiet = quiet;
    }

    @Override
    public void opened(ConformanceRun run) {
        ConformanceRun.Plan plan = run.plan();
        List<SuiteRunner.Job> jobs = run.jobs();
        System.out.printf("shmconform run %s: %d scenarios x %d columns, report in %s%n", run.runId(), plan.scenarios().size(),
                plan.columns().size(), run.report().dir());
        System.out.printf("%d scenario runs in %s%n", jobs.size(), plan.environments());
        long unplanned = plan.scenarios().stream().filter(s -> s.placement() == Scenario.Placement.FIXED).count() * plan.columns().size()
                - jobs.stream().filter(j -> j.env().equals(SuiteRunner.CROSS)).count();
        if (unplanned > 0) {
            System.out.printf("(%d cross-environment runs left out: they need environments not chosen with --env)%n", unplanned);
        }
    }

    @Override
    public void finished(ScenarioResult r, int index, int total) {
        if (quiet && r.verdict().expected()) {
            return;
        }
        System.out.println(line(r, index, total));
    }

    @Override
    public void fuzzLine(String column, String line) {
        if (!quiet) {
            System.out.println("  [fuzz " + column + "] " + line);
        }
    }

    @Override
    public void fuzzFinished(FuzzResult result) {
        FuzzCommand.print(result);
    }

    @Override
    public void reaped(List<String> reaped) {
        List<String> leftInPlace = RunContext.leftInPlace(reaped);
        List<String> removed = reaped.stream().filter(r -> !leftInPlace.contains(r)).toList();
        if (!removed.isEmpty()) {
            System.out.println("Reaped at the end of the run (left by crashed or killed workers, as the scenarios intend):");
            removed.forEach(r -> System.out.println("  " + r));
        }
        if (!leftInPlace.isEmpty()) {
            System.out.println("Left in place at the end of the run (not the run's alone; the report says it too):");
            leftInPlace.forEach(r -> System.out.println("  " + r));
        }
    }

    /** The end: counts, where the report is, the baseline's regressions, and the one summary line. */
    @Override
    public void reported(ConformanceRun.Outcome outcome) {
        RunSummary summary = outcome.summary();
        RunVerdict verdict = RunVerdict.of(summary);
        Path dir = outcome.report().dir();
        System.out.printf("%nDone in %.1f s: %s%nReport: %s (matrix.md, matrix.html, timeline.html and runs/, results.json, junit.xml)%n",
                summary.millis() / 1000.0, verdict.counts(), outcome.report().matrixMarkdown());
        if (summary.baseline() != null) {
            Path against = dir.resolve(summary.baseline().file()).normalize();
            RunDiff diff = new RunDiff(summary.baseline().changes());
            System.out.println("Against the baseline " + against + ": " + diff.tally() + (diff.changes().isEmpty() ? "" : ":"));
            diff.lines(against.getParent(), dir).forEach(l -> System.out.println("  " + l));
        }
        if (outcome.interrupted()) {
            System.out.println("shmconform: INTERRUPTED by " + outcome.interruptedBy() + " after " + summary.results().size() + " of "
                    + outcome.planned() + " scenario runs" + (outcome.dropped() == 1 ? " (the one in progress left out)"
                    : outcome.dropped() > 1 ? " (the " + outcome.dropped() + " in progress left out)" : "")
                    + "; workers killed, run directory reaped — " + verdict.tally() + " — report: " + dir);
        } else {
            System.out.println(Ansi.summary(verdict.line(dir)));
        }
    }

    String line(ScenarioResult r, int index, int total) {
        String width = Integer.toString(String.valueOf(total).length());
        return String.format("[%" + width + "d/%d] %-9s %-16s %-36s %s %5.1f s%s", index, total, r.column(), r.env(),
                r.scenario(), Ansi.verdict(r.verdict().name(), 13), r.millis() / 1000.0, detail(r));
    }

    private String detail(ScenarioResult r) {
        String reason = RunVerdict.reason(r);
        if (reason == null) {
            return "";
        }
        if (r.verdict() == Verdict.NOT_AVAILABLE) {
            return reasonsShown.add(reason) ? "  " + reason : "  (as above)";
        }
        return "  " + reason;
    }
}
