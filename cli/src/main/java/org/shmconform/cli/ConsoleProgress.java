package org.shmconform.cli;

import org.shmconform.harness.checker.PropertyResult;
import org.shmconform.harness.checker.ScenarioResult;
import org.shmconform.harness.checker.Verdict;
import org.shmconform.scenarios.Scenario;
import org.shmconform.scenarios.SuiteRunner;

/** One line per scenario as it finishes: "[ 3/75] sysv      crash-survives              PASS     1.4 s". */
final class ConsoleProgress implements SuiteRunner.Progress {
    private final boolean quiet;
    private final java.util.Set<String> reasonsShown = new java.util.HashSet<>();

    ConsoleProgress(boolean quiet) {
        this.quiet = quiet;
    }

    @Override
    public void started(Scenario scenario, String column, int index, int total) {
    }

    @Override
    public void finished(ScenarioResult r, int index, int total) {
        if (quiet && r.verdict().expected()) {
            return;
        }
        String width = Integer.toString(String.valueOf(total).length());
        System.out.printf("[%" + width + "d/%d] %-9s %-16s %-36s %-13s %5.1f s%s%n", index, total, r.column(), r.env(),
                r.scenario(), r.verdict(), r.millis() / 1000.0, detail(r));
    }

    private String detail(ScenarioResult r) {
        if (r.verdict() == Verdict.NOT_AVAILABLE) {
            return reasonsShown.add(r.reason()) ? "  " + r.reason() : "  (as above)";
        }
        for (PropertyResult p : r.properties()) {
            if (p.verdict() != Verdict.PASS && p.why() != null) {
                return "  " + p.property() + ": " + p.why();
            }
        }
        return "";
    }
}
