package org.shmconform.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/seed-sentences.md is the source of the ids: the coverage mapping has exactly its ids, each with properties or a
 * reason, and the reports see its wording (the class-path copy the build makes is the same table).
 */
class SeedCoverageTest {
    private static final Path SEED_SENTENCES = Path.of("..", "docs", "seed-sentences.md");

    private static List<SeedStatements.SeedStatement> document() throws IOException {
        return SeedStatements.parse(Files.readString(SEED_SENTENCES));
    }

    private static List<String> ids(List<SeedStatements.SeedStatement> statements) {
        return statements.stream().map(SeedStatements.SeedStatement::id).toList();
    }

    @Test
    void theMappingHasExactlyTheDocumentsIdsEachWithPropertiesOrAReason() throws IOException {
        List<String> ids = ids(document());
        assertEquals(44, ids.size(), "B1-B9, N1-N18, M1-M7, L1-L6, F1-F2, W1-W2 as the document's table has them: " + ids);
        assertEquals(List.of(), SeedCoverage.problems(ids));
        assertEquals(ids, SeedCoverage.rows().stream().map(SeedCoverage.Row::id).toList(), "one row per id, in the document's order");
    }

    @Test
    void theReportsSeeTheDocumentsWording() throws IOException {
        assertEquals(document(), SeedStatements.all(), "the class-path copy is docs/seed-sentences.md's table");
        for (SeedCoverage.Row r : SeedCoverage.rows()) {
            assertFalse(r.statement().isBlank(), r.id());
            assertFalse(r.coverageText().isBlank(), r.id());
        }
        assertEquals("a segment is accessed by several threads and processes", SeedCoverage.byId("B1").orElseThrow().statement());
        assertEquals("sandboxed key form: `<application group identifier>/<custom identifier>`",
                SeedCoverage.byId("N10").orElseThrow().statement());
    }

    /** The check itself: each kind of fault in the mapping or the document is reported, so the test above can fail. */
    @Test
    void aMissingAnUnknownOrAnEmptyRowIsReported() throws IOException {
        List<String> ids = new ArrayList<>(ids(document()));
        ids.remove("W2");
        ids.add("X1");
        List<String> problems = SeedCoverage.problems(ids);
        assertTrue(problems.contains("W2: mapped, but docs/seed-sentences.md has no such id"), problems.toString());
        assertTrue(problems.contains("X1: in docs/seed-sentences.md, but not mapped"), problems.toString());

        SeedCoverage.Row empty = new SeedCoverage.Row("B1", null, null, SeedCoverage.Status.NOT_YET_TESTED, List.of(), List.of(),
                List.of(), null, null, " ");
        SeedCoverage.Row bare = new SeedCoverage.Row("B2", null, null, SeedCoverage.Status.TESTED, List.of(), List.of(), List.of(),
                null, null, null);
        SeedCoverage.Row nowhere = new SeedCoverage.Row("B3", null, null, SeedCoverage.Status.NOT_TESTABLE_ON_LINUX, List.of(),
                List.of(), List.of(), null, null, "Windows only");
        assertEquals(List.of("B1: NOT_YET_TESTED without a reason", "B2: TESTED without a property",
                        "B3: a platform is named exactly when the statement is not testable on Linux", "B1: mapped twice",
                        "B1: NOT_YET_TESTED without a reason"),
                SeedCoverage.problems(List.of(empty, bare, nowhere, empty), List.of("B1", "B2", "B3")));
    }

    @Test
    void anIdTheMappingLacksIsNeverBlank() {
        List<SeedCoverage.Row> rows = SeedCoverage.complete(List.of(new SeedStatements.SeedStatement("Z9", "new statement", "new")));
        assertEquals(SeedCoverage.Status.NOT_YET_TESTED, rows.get(0).status());
        assertTrue(rows.get(0).reason().contains("no row"), rows.get(0).reason());
    }

    @Test
    void theTableIsParsedFromTheMarkdown() {
        String md = "intro | not a row |\n\n| id | statement | section |\n|---|---|---|\n| B1 | a `x | y` statement | brief |\n"
                + "| N2 | Windows: the kernel frees it | Windows |\n\nA note after the table.\n";
        assertEquals(List.of(new SeedStatements.SeedStatement("B1", "a `x | y` statement", "brief"),
                new SeedStatements.SeedStatement("N2", "Windows: the kernel frees it", "Windows")), SeedStatements.parse(md));
    }

    @Test
    void theFiguresAddUp() {
        var f = SeedCoverage.figures();
        assertEquals(SeedCoverage.rows().size(), f.get("TESTED") + f.get("NOT_TESTABLE_ON_LINUX") + f.get("NOT_YET_TESTED"), f.toString());
        int platforms = 0;
        for (SeedCoverage.Elsewhere e : SeedCoverage.Elsewhere.values()) {
            platforms += f.get(e.label());
        }
        assertEquals(f.get("NOT_TESTABLE_ON_LINUX"), platforms, f.toString());
    }
}
