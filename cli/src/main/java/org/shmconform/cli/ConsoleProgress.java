package org.shmconform.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;
import org.shmconform.reports.RunVerdict;
import org.shmconform.scenarios.Scenario;
import org.shmconform.scenarios.SuiteRunner;

/**
 * One line per scenario as it finishes, "[ 3/75] sysv      local   crash-survives   PASS   1.4 s", with
 * the reason of anything that is not PASS (UNKNOWN included: nothing is skipped in silence). It also
 * keeps the results that finished, and leaves the suite between two scenario runs when the run is
 * interrupted; a run that finished after the stop was asked for is dropped, as its workers may have
 * had the signal too.
 */
final class ConsoleProgress implements SuiteRunner.Progress {
    private final boolean quiet;
    private final Interruption stop;
    private final Set<String> reasonsShown = new HashSet<>();
    private final List<ScenarioResult> finished = new ArrayList<>();
    private int dropped;

    ConsoleProgress(boolean quiet, Interruption stop) {
        this.quiet = quiet;
        this.stop = stop;
    }

    /** The scenario runs that finished before any stop. */
    List<ScenarioResult> finished() {
        return List.copyOf(finished);
    }

    /** Scenario runs that ended after the stop was asked for, left out of the report. */
    int dropped() {
        return dropped;
    }

    @Override
    public void started(Scenario scenario, String column, int index, int total) {
        if (stop != null) {
            stop.check();
        }
    }

    @Override
    public void finished(ScenarioResult r, int index, int total) {
        if (stop != null && stop.requested()) {
            dropped++;
            stop.check();
        }
        finished.add(r);
        if (quiet && r.verdict().expected()) {
            return;
        }
        System.out.println(line(r, index, total));
    }

    String line(ScenarioResult r, int index, int total) {
        String width = Integer.toString(String.valueOf(total).length());
        return String.format("[%" + width + "d/%d] %-9s %-16s %-36s %-13s %5.1f s%s", index, total, r.column(), r.env(),
                r.scenario(), r.verdict(), r.millis() / 1000.0, detail(r));
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
