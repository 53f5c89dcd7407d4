package org.shmconform.reports;

import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;
import org.shmconform.model.SeedCoverage;

/**
 * The seed statements' coverage with a run's verdicts (matrix.md, matrix.html, results.json's {@code coverage},
 * {@code shmconform list}): one row per id of docs/seed-sentences.md, as {@link SeedCoverage} maps it, and per
 * column the verdicts of the row's properties in the scenario runs that count for it, over every scenario and
 * environment.
 */
public final class CoverageTable {
    /** What the verdict cells mean, for the legends of matrix.md and matrix.html. */
    static final String LEGEND = "One row per statement of the seed documents (ids of docs/seed-sentences.md). A tested statement"
            + " lists the properties that put it to the test (only in the scenarios or columns named after \"in\" / \"on\", when"
            + " named) and, per column, how many of those property verdicts each verdict got over every scenario and environment,"
            + " the most severe first (the cell's colour); \"–\": no run of them on that column. A statement that is not tested"
            + " says why across the row: not testable on Linux (another platform, or Qt's build-time configuration), or not yet"
            + " tested and what would test it.";

    private CoverageTable() {
    }

    /**
     * One row of the table.
     *
     * @param status        TESTED, NOT_TESTABLE_ON_LINUX or NOT_YET_TESTED
     * @param properties    the property ids that put it to the test (TESTED only)
     * @param scenarios     only these scenarios count (empty: every scenario that checks the properties)
     * @param columns       only these columns count (empty: every column)
     * @param note          what part of the statement is and is not put to the test, or null
     * @param notTestableOn the platform or build step a NOT_TESTABLE_ON_LINUX statement is about (WINDOWS, APPLE, ...), else null
     * @param reason        why a statement is not tested, never blank; null for a TESTED one
     * @param verdicts      per column that ran any of them: the most severe verdict and the count of each
     */
    public record Row(String id, String section, String statement, String status, List<String> properties, List<String> scenarios,
                      List<String> columns, String note, String notTestableOn, String reason, Map<String, Tally> verdicts) {
    }

    /** The verdicts of one row on one column: the most severe, and how many of each (most severe first, none with 0). */
    public record Tally(Verdict worst, Map<Verdict, Integer> counts) {
        /** "FAIL 1, PASS 3". */
        String text() {
            StringBuilder b = new StringBuilder();
            counts.forEach((v, n) -> b.append(b.length() == 0 ? "" : ", ").append(v).append(' ').append(n));
            return b.toString();
        }
    }

    /** The table for a run: every row, with the verdicts of the run's columns in their order. */
    public static List<Row> of(RunSummary run) {
        List<String> columns = run.columns().stream().map(RunSummary.Column::name).toList();
        return SeedCoverage.rows().stream().map(r -> row(r, columns, run.results())).toList();
    }

    /** The table without a run ({@code shmconform list}): the mapping alone, no verdicts. */
    public static List<Row> withoutRun() {
        return SeedCoverage.rows().stream().map(r -> row(r, List.of(), List.of())).toList();
    }

    /** "44 statements: 23 tested, ..." with the run's count of tested statements that got a verdict, when there was a run. */
    static String figures(List<Row> rows, boolean run) {
        long withVerdict = rows.stream().filter(r -> !r.verdicts().isEmpty()).count();
        return SeedCoverage.summary() + (run ? " In this run, " + withVerdict + " of the tested statements got a verdict." : "");
    }

    /** The coverage in one line: the properties (and where they count), or the status and its reason. */
    static String coverageText(Row r) {
        return SeedCoverage.byId(r.id()).map(SeedCoverage.Row::coverageText).orElse(r.reason());
    }

    private static Row row(SeedCoverage.Row r, List<String> columns, List<ScenarioResult> results) {
        Map<String, Tally> verdicts = new LinkedHashMap<>();
        if (r.status() == SeedCoverage.Status.TESTED) {
            for (String column : columns) {
                Tally t = tally(r, column, results);
                if (t != null) {
                    verdicts.put(column, t);
                }
            }
        }
        return new Row(r.id(), r.section(), r.statement(), r.status().name(), r.propertyIds(), r.scenarios(), r.columns(), r.note(),
                r.elsewhere() == null ? null : r.elsewhere().name(), r.reason(), verdicts);
    }

    private static Tally tally(SeedCoverage.Row row, String column, List<ScenarioResult> results) {
        Map<Verdict, Integer> n = new LinkedHashMap<>();
        Arrays.stream(Verdict.values()).sorted(Comparator.comparingInt(Style::severity)).forEach(v -> n.put(v, 0));
        Verdict worst = null;
        for (ScenarioResult r : results) {
            if (!r.column().equals(column) || !row.appliesTo(r.scenario(), column)) {
                continue;
            }
            for (PropertyResult p : r.properties()) {
                if (row.propertyIds().contains(p.property())) {
                    n.merge(p.verdict(), 1, Integer::sum);
                    worst = worst == null ? p.verdict() : worst.merge(p.verdict());
                }
            }
        }
        n.values().removeIf(c -> c == 0);
        return worst == null ? null : new Tally(worst, n);
    }
}
