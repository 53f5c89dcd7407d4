package org.shmconform.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;
import org.shmconform.reports.RunDiff.Kind;

/** Every transition of a cell between two runs is the kind the diff and --baseline say it is, with both sides' evidence. */
class RunDiffTest {
    private static final Verdict P = Verdict.PASS;
    private static final Verdict D = Verdict.DEVIATES;
    private static final Verdict U = Verdict.UNKNOWN;
    private static final Verdict F = Verdict.FAIL;
    private static final Verdict N = Verdict.NOT_AVAILABLE;

    /**
     * The whole table, written out by hand: rows are the old verdict (null: not in the old run), columns the
     * new one in the order PASS, DEVIATES, UNKNOWN, FAIL, NOT_AVAILABLE, missing. "-": unchanged.
     */
    private static final Map<Verdict, String[]> TABLE = new LinkedHashMap<>();

    static {
        TABLE.put(P, new String[] {"-", "REGRESSION", "REGRESSION", "REGRESSION", "REGRESSION", "REGRESSION"});
        TABLE.put(D, new String[] {"IMPROVEMENT", "-", "REGRESSION", "REGRESSION", "REGRESSION", "REGRESSION"});
        TABLE.put(U, new String[] {"IMPROVEMENT", "IMPROVEMENT", "-", "CHANGED", "REGRESSION", "REGRESSION"});
        TABLE.put(F, new String[] {"IMPROVEMENT", "IMPROVEMENT", "CHANGED", "-", "REGRESSION", "REGRESSION"});
        TABLE.put(N, new String[] {"IMPROVEMENT", "IMPROVEMENT", "CHANGED", "CHANGED", "-", "REMOVED"});
        TABLE.put(null, new String[] {"NEW", "NEW", "NEW", "NEW", "NEW", "-"});
    }

    private static final Verdict[] AFTER = {P, D, U, F, N, null};

    @Test
    void everyTransitionIsClassifiedAsTheTableSays() {
        int checked = 0;
        for (Map.Entry<Verdict, String[]> row : TABLE.entrySet()) {
            for (int i = 0; i < AFTER.length; i++) {
                Kind kind = RunDiff.classify(row.getKey(), AFTER[i]);
                assertEquals(row.getValue()[i], kind == null ? "-" : kind.name(), row.getKey() + " -> " + AFTER[i]);
                checked++;
            }
        }
        assertEquals(36, checked);
    }

    private static ScenarioResult run(String scenario, String column, Verdict v, String why, Integer event) {
        // An UNKNOWN's reason is the engine's (on the scenario run), as when a worker did not start.
        return new ScenarioResult(scenario, "t", column, "local", List.of(new PropertyResult("LOCK-EXCLUSIVE", v, v == U ? null : why,
                event, List.of())), v == N ? null : "evidence/" + column + "-" + scenario + ".history.jsonl", null, 100,
                v == N || v == U ? why : null, List.of());
    }

    private static RunSummary summary(List<ScenarioResult> results) {
        return new RunSummary(RunSummary.SCHEMA, "r", "2026-12-02T00:00:00Z", "2026-12-02T00:01:00Z", 60_000, false, Map.of(),
                List.of(), results, List.of(), null);
    }

    /** Two runs in which every cell (scenario = its old and new verdict) goes through one transition of the table. */
    private static RunSummary[] twoRuns() {
        List<ScenarioResult> before = new ArrayList<>();
        List<ScenarioResult> after = new ArrayList<>();
        for (Verdict b : Arrays.asList(P, D, U, F, N, null)) {
            for (Verdict a : AFTER) {
                String scenario = b + "-to-" + a;
                if (b != null) {
                    before.add(run(scenario, "sysv", b, b == P ? null : "old " + b + " reason", b == F || b == D ? 3 : null));
                }
                if (a != null) {
                    after.add(run(scenario, "sysv", a, a == P ? null : "new " + a + " reason", a == F || a == D ? 7 : null));
                }
            }
        }
        return new RunSummary[] {summary(before), summary(after)};
    }

    @Test
    void comparingTwoRunsFindsEveryChangedCellWithBothSides() {
        RunSummary[] runs = twoRuns();
        RunDiff diff = RunDiff.compare(runs[0], runs[1]);
        assertEquals(36 - 6, diff.changes().size(), "every pair but the six unchanged ones");
        for (RunDiff.Change c : diff.changes()) {
            String[] parts = c.cell().split("/")[2].split("-to-");
            Verdict b = parts[0].equals("null") ? null : Verdict.valueOf(parts[0]);
            Verdict a = parts[1].equals("null") ? null : Verdict.valueOf(parts[1]);
            assertEquals(RunDiff.classify(b, a), c.kind(), c.cell());
            assertEquals(b, c.before() == null ? null : c.before().verdict(), c.cell());
            assertEquals(a, c.after() == null ? null : c.after().verdict(), c.cell());
        }
        assertEquals(13, diff.of(Kind.REGRESSION).size());
        assertEquals(7, diff.of(Kind.IMPROVEMENT).size());
        assertEquals(5, diff.of(Kind.NEW).size());
        assertEquals(1, diff.of(Kind.REMOVED).size());
        assertEquals(4, diff.of(Kind.CHANGED).size());
        assertEquals("13 regressions, 7 improvements, 5 new, 1 removed, 4 other changes", diff.tally());
        // Regressions first, then in cell order.
        assertEquals(Kind.REGRESSION, diff.changes().get(0).kind());
    }

    @Test
    void theEvidenceOfBothSidesIsPrinted() {
        RunSummary[] runs = twoRuns();
        RunDiff diff = RunDiff.compare(runs[0], runs[1]);
        List<String> lines = diff.lines(Path.of("old"), Path.of("new"));
        int at = lines.indexOf("REGRESSION sysv/local/DEVIATES-to-FAIL/LOCK-EXCLUSIVE: DEVIATES -> FAIL");
        assertTrue(at >= 0, String.join("\n", lines));
        assertEquals("    old: DEVIATES: old DEVIATES reason (event 3) — old/evidence/sysv-DEVIATES-to-FAIL.history.jsonl", lines.get(at + 1));
        assertEquals("    new: FAIL: new FAIL reason (event 7) — new/evidence/sysv-DEVIATES-to-FAIL.history.jsonl", lines.get(at + 2));
        int gone = lines.indexOf("REGRESSION sysv/local/PASS-to-null/LOCK-EXCLUSIVE: PASS -> (not in the new run)");
        assertEquals("    new: not in the run", lines.get(gone + 2));
        // An UNKNOWN property without a reason of its own carries the engine's.
        int unknown = lines.indexOf("REGRESSION sysv/local/PASS-to-UNKNOWN/LOCK-EXCLUSIVE: PASS -> UNKNOWN");
        assertEquals("    new: UNKNOWN: new UNKNOWN reason — new/evidence/sysv-PASS-to-UNKNOWN.history.jsonl", lines.get(unknown + 2));
    }

    /** --baseline makes the same comparison: PASS -> DEVIATES and a missing cell are regressions there too (they were not). */
    @Test
    void theBaselineUsesTheSameComparison() {
        RunSummary[] runs = twoRuns();
        List<Baseline.Regression> regressions = Baseline.compare(runs[0], runs[1]);
        assertEquals(RunDiff.compare(runs[0], runs[1]).of(Kind.REGRESSION).stream().map(RunDiff.Change::cell).toList(),
                regressions.stream().map(Baseline.Regression::cell).toList());
        Baseline.Regression deviates = regressions.stream().filter(r -> r.cell().contains("/PASS-to-DEVIATES/")).findFirst().orElseThrow();
        assertEquals("new DEVIATES reason", deviates.why());
        Baseline.Regression missing = regressions.stream().filter(r -> r.cell().contains("/PASS-to-null/")).findFirst().orElseThrow();
        assertNull(missing.now());
        assertEquals("sysv/local/PASS-to-null/LOCK-EXCLUSIVE: PASS -> missing (no longer in the run)", missing.toString());
        // And the run fails on them.
        RunSummary withOutcome = new RunSummary(RunSummary.SCHEMA, "r", "s", "f", 1, false, Map.of(), List.of(), List.of(), List.of(),
                Baseline.Outcome.of("old.json", RunDiff.compare(runs[0], runs[1])));
        assertEquals(13, RunVerdict.of(withOutcome).regressions());
        assertTrue(RunVerdict.of(withOutcome).failed());
    }

    @Test
    void aRunComparedWithItselfHasNoChange() {
        RunSummary[] runs = twoRuns();
        RunDiff same = RunDiff.compare(runs[1], runs[1]);
        assertTrue(same.changes().isEmpty());
        assertFalse(same.regressed());
        assertEquals("0 regressions, 0 improvements, 0 new, 0 removed, 0 other changes", same.tally());
    }

    /** results.json, matrix.md, matrix.html and junit.xml say the same about the baseline: the regressions, with both sides. */
    @Test
    void everyReportShowsTheRegressionsWithBothSides() {
        RunSummary[] runs = twoRuns();
        RunSummary withOutcome = new RunSummary(RunSummary.SCHEMA, "r", "s", "f", 1, false, Map.of("kernel", "6.x"), List.of(),
                runs[1].results(), List.of(), Baseline.Outcome.of("../old/results.json", RunDiff.compare(runs[0], runs[1])));
        String old = "old: DEVIATES: old DEVIATES reason (event 3) — ../old/evidence/sysv-DEVIATES-to-FAIL.history.jsonl";
        String now = "new: FAIL: new FAIL reason (event 7) — evidence/sysv-DEVIATES-to-FAIL.history.jsonl";
        String md = MatrixMarkdown.render(withOutcome);
        String html = MatrixHtml.render(withOutcome);
        for (String page : List.of(md, html)) {
            assertTrue(page.contains("REGRESSION sysv/local/DEVIATES-to-FAIL/LOCK-EXCLUSIVE: DEVIATES -&gt; FAIL")
                    || page.contains("**REGRESSION** sysv/local/DEVIATES-to-FAIL/LOCK-EXCLUSIVE: DEVIATES -> FAIL"), page);
            assertTrue(page.contains(old) && page.contains(now), page);
            assertTrue(page.contains("13 regressions, 7 improvements, 5 new, 1 removed, 4 other changes"), page);
        }
        String xml = JUnitXml.render(withOutcome);
        String old2 = "old: DEVIATES: old DEVIATES reason (event 3) — evidence/sysv-DEVIATES-to-FAIL.history.jsonl";
        assertTrue(xml.contains(old2) && xml.contains(now), xml);
    }
}
