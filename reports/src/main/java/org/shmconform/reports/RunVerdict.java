package org.shmconform.reports;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;
import org.shmconform.fuzz.FuzzResult;

/**
 * The one verdict of a run, from which both the exit status and every report's summary are made, so
 * that they cannot disagree: a FAIL or UNKNOWN scenario run, a fuzz failure that reproduced, a fuzz
 * schedule that could not be judged or a baseline regression fails the run.
 */
public record RunVerdict(int fail, int unknown, int deviates, int pass, int notAvailable, int fuzzFailures,
                         int fuzzUnknown, int regressions, boolean baselineCompared, boolean interrupted) {

    public static RunVerdict of(RunSummary run) {
        int[] n = new int[Verdict.values().length];
        for (ScenarioResult r : run.results()) {
            n[r.verdict().ordinal()]++;
        }
        List<FuzzResult> fuzz = run.fuzz() == null ? List.of() : run.fuzz();
        int fuzzFailures = (int) fuzz.stream().mapToLong(f -> f.failures().size()).sum();
        int fuzzUnknown = fuzz.stream().mapToInt(f -> f.unknown().size()).sum();
        int regressions = run.baseline() == null ? 0 : run.baseline().regressions().size();
        return new RunVerdict(n[Verdict.FAIL.ordinal()], n[Verdict.UNKNOWN.ordinal()], n[Verdict.DEVIATES.ordinal()],
                n[Verdict.PASS.ordinal()], n[Verdict.NOT_AVAILABLE.ordinal()], fuzzFailures, fuzzUnknown, regressions,
                run.baseline() != null, run.interrupted());
    }

    /**
     * Whether the run fails (exit 1): anything that is not as expected, wherever it was found, or a run that could try
     * none of its cells (every one NOT_AVAILABLE here: a CI job whose Docker engine or Qt build went away must not stay
     * green while it tests nothing).
     */
    public boolean failed() {
        return fail + unknown + fuzzFailures + fuzzUnknown + regressions > 0 || nothingTried();
    }

    /** Cells were asked for and none could be tried here. */
    public boolean nothingTried() {
        return notAvailable > 0 && fail + unknown + deviates + pass == 0;
    }

    /**
     * INTERRUPTED (a run cut short by SIGINT/SIGTERM: exit 130/143, whatever the runs that finished gave),
     * else FAIL (exit 1) or PASS (exit 0).
     */
    public String word() {
        return interrupted ? "INTERRUPTED" : failed() ? "FAIL" : "PASS";
    }

    public Map<String, Integer> counts() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("FAIL", fail);
        m.put("UNKNOWN", unknown);
        m.put("DEVIATES", deviates);
        m.put("PASS", pass);
        m.put("NOT_AVAILABLE", notAvailable);
        m.put("fuzzFailures", fuzzFailures);
        m.put("fuzzUnknown", fuzzUnknown);
        m.put("regressions", regressions);
        return m;
    }

    /** "FAIL — 1 failure, 0 unknown, 12 deviates, 190 pass, 16 not available; fuzz: 1 failure; baseline: 2 regressions". */
    public String text() {
        return word() + " — " + tally();
    }

    /** The counts alone: "1 failure, 0 unknown, 12 deviates, 190 pass, 16 not available; fuzz: ...; baseline: ...". */
    public String tally() {
        StringBuilder b = new StringBuilder()
                .append(plural(fail, "failure")).append(", ").append(unknown).append(" unknown, ")
                .append(deviates).append(" deviates, ").append(pass).append(" pass, ").append(notAvailable).append(" not available");
        if (fuzzFailures > 0 || fuzzUnknown > 0) {
            List<String> parts = new ArrayList<>();
            if (fuzzFailures > 0) {
                parts.add(plural(fuzzFailures, "failure"));
            }
            if (fuzzUnknown > 0) {
                parts.add(fuzzUnknown + " unknown");
            }
            b.append("; fuzz: ").append(String.join(", ", parts));
        }
        if (baselineCompared) {
            b.append("; baseline: ").append(plural(regressions, "regression"));
        }
        if (nothingTried()) {
            b.append("; nothing could be tried here (see each cell's reason)");
        }
        return b.toString();
    }

    /** The last line of the console: {@code shmconform: FAIL — ... — report: DIR}. */
    public String line(Object report) {
        return "shmconform: " + text() + (report == null ? "" : " — report: " + report);
    }

    static String plural(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    /**
     * Why a scenario run is not simply PASS, in one line: the reason of its decisive property, else the
     * engine's (a worker that did not start, a step that could not run), else its notes. Null for a plain PASS.
     */
    public static String reason(ScenarioResult r) {
        Verdict v = r.verdict();
        for (PropertyResult p : r.properties()) {
            if (p.verdict() == v && p.why() != null && !p.why().isBlank()) {
                return (v == Verdict.NOT_AVAILABLE ? "" : p.property() + ": ") + p.why();
            }
        }
        if (r.reason() != null && !r.reason().isBlank()) {
            return r.reason();
        }
        if (v != Verdict.PASS && r.notes() != null && !r.notes().isEmpty()) {
            return String.join("; ", r.notes());
        }
        return v == Verdict.PASS ? null : "no reason given";
    }
}
