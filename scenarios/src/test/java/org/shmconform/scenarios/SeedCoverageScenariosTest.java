package org.shmconform.scenarios;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.shmconform.engine.Subjects;
import org.shmconform.model.Property;
import org.shmconform.model.SeedCoverage;

/**
 * The coverage table claims only what the named suite tests: every property a seed statement names is checked by a
 * scenario that counts for it (among the scenarios the row names, if it names any) on every column the row names; a
 * scenario or column a row names exists. Nothing here runs a scenario: it reads the suite as data.
 */
class SeedCoverageScenariosTest {
    /** What is wrong with one row against a suite and the known column names. */
    static List<String> problems(SeedCoverage.Row row, List<Scenario> suite, Set<String> columns) {
        List<String> problems = new ArrayList<>();
        for (String s : row.scenarios()) {
            if (suite.stream().noneMatch(x -> x.id().equals(s))) {
                problems.add(row.id() + ": no scenario " + s);
            }
        }
        for (String c : row.columns()) {
            if (!columns.contains(c)) {
                problems.add(row.id() + ": no column " + c);
            }
        }
        List<String> where = row.columns().isEmpty() ? List.of("") : row.columns();
        for (Property p : row.properties()) {
            for (String column : where) {
                boolean tested = suite.stream().anyMatch(s -> s.properties().contains(p)
                        && (row.scenarios().isEmpty() || row.scenarios().contains(s.id()))
                        && (column.isEmpty() || s.appliesTo().test(column)));
                if (!tested) {
                    problems.add(row.id() + ": no scenario checks " + p.id() + (column.isEmpty() ? "" : " on " + column)
                            + (row.scenarios().isEmpty() ? "" : " among " + row.scenarios()));
                }
            }
        }
        return problems;
    }

    @Test
    void everyClaimedPropertyIsCheckedByAScenarioThatCountsForTheRow() {
        List<Scenario> suite = NamedSuite.all();
        Set<String> columns = Subjects.here().names();
        List<String> problems = new ArrayList<>();
        int claims = 0;
        for (SeedCoverage.Row row : SeedCoverage.rows()) {
            if (row.status() == SeedCoverage.Status.TESTED) {
                claims += row.properties().size();
                problems.addAll(problems(row, suite, columns));
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(claims >= 30, "only " + claims + " property claims read");
    }

    /** The check can fail: a claim no scenario backs, an unknown scenario, an unknown column are each reported. */
    @Test
    void anUnbackedClaimIsReported() {
        List<Scenario> suite = NamedSuite.all();
        Set<String> columns = Subjects.here().names();
        SeedCoverage.Row readOnlyInOtherUser = new SeedCoverage.Row("X1", "s", "t", SeedCoverage.Status.TESTED,
                List.of(Property.READ_ONLY), List.of("other-user", "no-such-scenario"), List.of("no-such-column"), null, null, null);
        assertEquals(List.of("X1: no scenario no-such-scenario", "X1: no column no-such-column",
                "X1: no scenario checks READ-ONLY on no-such-column among [other-user, no-such-scenario]"),
                problems(readOnlyInOtherUser, suite, columns));
        SeedCoverage.Row qtOnlyOnSysv = new SeedCoverage.Row("X2", "s", "t", SeedCoverage.Status.TESTED,
                List.of(Property.KEY_FILE_IN_TMPDIR), List.of(), List.of("sysv"), null, null, null);
        assertEquals(List.of("X2: no scenario checks KEY-FILE-IN-TMPDIR on sysv"), problems(qtOnlyOnSysv, suite, columns));
    }
}
