package org.shmconform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.model.SeedCoverage;
import org.shmconform.reports.ReportWriter;
import org.shmconform.reports.RunSummary;

/** {@code shmconform list} prints the seed statements' coverage, and {@code list --json} has it as results.json does. */
class ListCoverageTest {
    @TempDir
    Path dir;

    private static String stdout(String... args) {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            var cl = Shmconform.commandLine();
            StringWriter err = new StringWriter();
            cl.setErr(new PrintWriter(err, true));
            assertEquals(Shmconform.OK, cl.execute(args), err.toString());
        } finally {
            System.setOut(stdout);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void listPrintsEveryStatementWithItsPropertiesOrWhyNot() {
        String out = stdout("list");
        String table = out.substring(out.indexOf("Seed statements (docs/seed-sentences.md)"));
        assertTrue(table.contains(SeedCoverage.summary()), table);
        List<String> lines = table.lines().toList();
        for (SeedCoverage.Row r : SeedCoverage.rows()) {
            int at = lines.indexOf(String.format("  %-4s %s", r.id(), r.statement()));
            assertTrue(at > 0, "no line for " + r.id() + " in\n" + table);
            assertTrue(!lines.get(at + 1).isBlank(), r.id() + " has no coverage line");
        }
        assertTrue(table.contains("\n       LOCK-EXCLUSIVE, LOCK-HOLDER-DEATH on mmapfile-atomic — "), table);
        assertTrue(table.contains("\n       not testable on Linux (Windows): "), table);
        // Seed M2 was the last statement not yet tested: its row names its scenario and column.
        assertTrue(table.contains("\n       DATA-SHARED in qt-file-map-meets-mmapfile on mmapfile — "), table);
        assertFalse(table.contains("\n       not yet tested: "), table);
    }

    @Test
    void listJsonCarriesTheCoverageAsResultsJsonDoes() throws Exception {
        JsonNode list = new ObjectMapper().readTree(stdout("list", "--json"));
        ReportWriter.write(dir, new RunSummary(RunSummary.SCHEMA, "abcdef", "2026-12-02T00:00:00Z", "2026-12-02T00:01:00Z", 0, false,
                Map.of("kernel", "6.x"), List.of(), List.of(), List.of(), null));
        JsonNode results = new ObjectMapper().readTree(Files.readString(dir.resolve("results.json")));
        assertEquals(results.get("coverage"), list.get("coverage"), "a run with nothing in it has the same table as list");
        assertEquals(SeedCoverage.rows().size(), list.get("coverage").size());
        assertEquals(SeedCoverage.figures().get("TESTED"), list.get("coverageFigures").get("TESTED").asInt());
        JsonNode m4 = list.get("coverage").get(SeedCoverage.rows().indexOf(SeedCoverage.byId("M4").orElseThrow()));
        assertEquals("M4", m4.get("id").asText());
        assertEquals("[\"mmapfile-atomic\"]", m4.get("columns").toString());
        assertEquals(0, m4.get("verdicts").size(), "list runs nothing");
    }
}
