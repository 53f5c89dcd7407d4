package org.shmconform.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;
import org.shmconform.model.SeedCoverage;

/**
 * The "Seed statements" section of matrix.md and matrix.html: one row per id of docs/seed-sentences.md, each with its
 * properties' verdicts per column (counted only where the row says they count) or its reason, never blank.
 */
class CoverageTableTest {
    private static ScenarioResult run(String scenario, String column, String env, String property, Verdict v) {
        return new ScenarioResult(scenario, "title", column, env, List.of(new PropertyResult(property, v, v == Verdict.PASS ? null : "why",
                null, List.of())), null, null, 10, null, List.of());
    }

    private static RunSummary summary() {
        List<ScenarioResult> results = List.of(
                run("lock-excludes", "sysv", "local", "LOCK-EXCLUSIVE", Verdict.PASS),
                run("lock-excludes", "sysv", "ipcns", "LOCK-EXCLUSIVE", Verdict.PASS),
                run("lock-holder-killed", "sysv", "local", "LOCK-HOLDER-DEATH", Verdict.DEVIATES),
                run("lock-excludes", "mmapfile-atomic", "local", "LOCK-EXCLUSIVE", Verdict.PASS),
                run("lock-holder-killed", "mmapfile-atomic", "local", "LOCK-HOLDER-DEATH", Verdict.FAIL),
                run("other-user", "sysv", "local", "NOT-WORLD-ACCESSIBLE", Verdict.PASS),
                run("sealed-memfd-lower-privileged-peer", "sysv", "local", "NOT-WORLD-ACCESSIBLE", Verdict.NOT_AVAILABLE));
        return new RunSummary(RunSummary.SCHEMA, "abcdef", "2026-12-02T00:00:00Z", "2026-12-02T00:01:00Z", 60_000, false,
                Map.of("kernel", "6.x"), List.of(new RunSummary.Column("sysv", "System V", true, null, Map.of()),
                new RunSummary.Column("mmapfile-atomic", "file + atomic flag", true, null, Map.of())), results, List.of(), null);
    }

    private static CoverageTable.Row row(String id) {
        return CoverageTable.of(summary()).stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void verdictsAreCountedPerColumnOverScenariosAndEnvironments() {
        CoverageTable.Row b7 = row("B7");
        assertEquals("DEVIATES 1, PASS 2", b7.verdicts().get("sysv").text());
        assertEquals(Verdict.DEVIATES, b7.verdicts().get("sysv").worst());
        assertEquals("FAIL 1, PASS 1", b7.verdicts().get("mmapfile-atomic").text());
        assertEquals(Verdict.FAIL, b7.verdicts().get("mmapfile-atomic").worst());
    }

    @Test
    void onlyTheScenariosAndColumnsARowNamesCount() {
        // M4 is the atomic flag: only the mmapfile-atomic column counts.
        assertEquals(List.of("mmapfile-atomic"), List.copyOf(row("M4").verdicts().keySet()));
        // L3 counts NOT-WORLD-ACCESSIBLE in other-user only, not in the hand-over scenario.
        assertEquals("PASS 1", row("L3").verdicts().get("sysv").text());
        // N1 (LOCK-EXCLUSIVE) on every column; N2 is Windows: no verdicts, a reason.
        assertEquals("PASS 2", row("N1").verdicts().get("sysv").text());
        assertTrue(row("N2").verdicts().isEmpty());
        assertEquals("WINDOWS", row("N2").notTestableOn());
    }

    @Test
    void matrixMdHasOneRowPerStatementNeverBlank() {
        String md = MatrixMarkdown.render(summary());
        String section = md.substring(md.indexOf("## Seed statements"));
        for (SeedCoverage.Row r : SeedCoverage.rows()) {
            Matcher m = Pattern.compile("(?m)^\\| " + r.id() + " \\| ([^|]+) \\| (.+?) \\|(.*)$").matcher(section);
            assertTrue(m.find(), "no row " + r.id() + " in\n" + section);
            assertTrue(!m.group(2).isBlank(), r.id() + " has an empty coverage cell");
        }
        assertTrue(section.contains("| N1 | one thread or process can lock the memory for exclusive access | LOCK-EXCLUSIVE | PASS 2 | PASS 1 |"),
                section);
        assertTrue(section.contains("| B7 | lock() before reading or writing, unlock() after: exclusive access for non-atomic work |"
                + " LOCK-EXCLUSIVE, LOCK-HOLDER-DEATH | DEVIATES 1, PASS 2 | **FAIL 1, PASS 1** |"), section);
        assertTrue(section.contains("| N2 | Windows: the object does not own the segment; the kernel frees it when every holder has detached"
                + " or exited | not testable on Linux (Windows): "), section);
        // No statement is left untested since seed M2 got its scenario: a row limited to a scenario and a column says so.
        assertTrue(section.contains("| M2 | a mapped file is independent of the backend API and simpler to share with non-Qt programs |"
                + " DATA-SHARED in qt-file-map-meets-mmapfile on mmapfile — "), section);
        assertTrue(section.contains(", 0 not yet tested."), section);
        assertTrue(section.contains(SeedCoverage.summary()), section);
    }

    @Test
    void matrixHtmlSpansTheReasonAcrossTheRow() {
        String html = MatrixHtml.render(summary());
        String section = html.substring(html.indexOf("<h2 id=\"seed\">"));
        for (SeedCoverage.Row r : SeedCoverage.rows()) {
            assertTrue(section.contains("<tr id=\"seed-" + r.id() + "\">"), r.id());
        }
        assertTrue(section.contains("<td colspan=\"3\" class=\"elsewhere\">not testable on Linux (Windows): "), section);
        assertFalse(section.contains("class=\"untested\""), "no statement is left untested (seed M2 was the last)");
        assertTrue(section.contains("<td class=\"FAIL\">FAIL 1, PASS 1</td>"), section);
        assertTrue(section.contains("<td class=\"DEVIATES\">DEVIATES 1, PASS 2</td>"), section);
    }
}
