package org.shmconform.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.checker.Linearization;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;
import org.shmconform.fuzz.FuzzResult;
import org.shmconform.model.SeedCoverage;

/**
 * results.json as written validates against the published schema, and the schema is strict enough that
 * the faults results.json used to have (an empty reason, an absolute file:// path, no verdict per run,
 * the old schema string) and others each make a written file invalid.
 */
class ResultsJsonSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Schema schema;

    @TempDir
    Path dir;

    @BeforeAll
    static void loadTheSchema() throws Exception {
        try (InputStream in = ResultsJson.class.getResourceAsStream(ResultsJson.SCHEMA_RESOURCE)) {
            JsonNode text = JSON.readTree(in);
            SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
            // The schema is itself a valid draft 2020-12 schema (the meta-schema ships inside the validator).
            List<Error> metaErrors = registry.getSchema(SchemaLocation.of(SpecificationVersion.DRAFT_2020_12.getDialectId()))
                    .validate(text);
            assertEquals(List.of(), metaErrors, "the schema against the 2020-12 meta-schema");
            schema = registry.getSchema(text);
        }
    }

    private static ScenarioResult result(String scenario, String column, String env, Verdict v, String why, String reason) {
        return new ScenarioResult(scenario, "title of " + scenario, column, env, List.of(new PropertyResult("LOCK-EXCLUSIVE", v, why,
                v == Verdict.FAIL || v == Verdict.DEVIATES ? 8 : null, List.of("lock after its holder died: stays held"))),
                v == Verdict.NOT_AVAILABLE ? null : "evidence/" + column + "-" + env + "-" + scenario + ".history.jsonl",
                v == Verdict.NOT_AVAILABLE ? null : "evidence/" + column + "-" + env + "-" + scenario + ".schedule.json", 1500, reason,
                List.of());
    }

    /** The run's blamed property with the checker's longest linearization (Porcupine's view). */
    private static ScenarioResult withLinearization(ScenarioResult r) {
        PropertyResult p = r.properties().get(0);
        Linearization lin = new Linearization("nothing exists", List.of(
                new Linearization.Step(0, "A", "A create returned true", "segment k 64 B, attached A; A: key k, attached"),
                new Linearization.Step(4, "A", "A lock returned true", "segment k 64 B, attached A; lock k held by A; A: key k, attached, locked")),
                List.of(new Linearization.Unplaced(8, "C", "C lock returned true", p.why())));
        return new ScenarioResult(r.scenario(), r.title(), r.column(), r.env(),
                List.of(new PropertyResult(p.property(), p.verdict(), p.why(), p.eventIndex(), p.observations(), lin)),
                r.historyFile(), r.scheduleFile(), r.millis(), r.reason(), r.notes());
    }

    private static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kernel", "6.18.44");
        m.put("distribution", "Debian GNU/Linux 12 (bookworm)");
        m.put("java", "OpenJDK 64-Bit Server VM 17.0.15");
        m.put("user", "root");
        m.put("cpus", 2);
        m.put("kernel.shmmax", "18446744073692774399");
        m.put("kernel.shmall", "18446744073692774399");
        m.put("kernel.shmmni", "4096");
        m.put("kernel.sem", "32000 1024000000 500 32000");
        m.put("devShm", "tmpfs size=67108864 free=67100000");
        m.put("environments", Map.of("local", Map.of("ipc", "ipc:[4026531839]", "mnt", "mnt:[4026531841]")));
        return m;
    }

    /** A run with every verdict, engine reasons given as "" (as Availability gives them), fuzz paths absolute, and a baseline. */
    private RunSummary everything() {
        List<ScenarioResult> results = List.of(
                result("data-shared", "sysv", "local", Verdict.PASS, null, ""),
                withLinearization(result("lock-survives-failed-create", "qt", "local", Verdict.DEVIATES, "C acquired the lock while A held it", null)),
                result("lock-excludes", "posix", "ipcns", Verdict.UNKNOWN, null, "step lock for dead worker B could not be performed"),
                result("lock-holder-killed", "sysv", "local", Verdict.FAIL, "lock not released by the kernel", ""),
                result("other-user", "posix", "docker-host", Verdict.NOT_AVAILABLE, "no Docker engine: start it with docker/start-engine.sh",
                        "no Docker engine: start it with docker/start-engine.sh"));
        Path fuzzDir = dir.toAbsolutePath().resolve("fuzz").resolve("sysv");
        FuzzResult.Failure failure = new FuzzResult.Failure(10, "CREATE-SIZE", "create(100) returned false", 3, 3, 16, 3, 1, 2, 1, 0,
                "", 40, false, fuzzDir.resolve("seed-10/original.schedule.json"), fuzzDir.resolve("seed-10/original.history.jsonl"),
                fuzzDir.resolve("seed-10/shrunk.schedule.json"), null);
        FuzzResult fuzz = new FuzzResult("sysv", 1, 3, 50, 12.5, 10.0, List.of(failure), List.of("seed 2: worker A hung"), fuzzDir, null,
                List.of(new FuzzResult.Sample(0, 0, 0, 0), new FuzzResult.Sample(4000, 3500, 1, 17), new FuzzResult.Sample(12500, 10000, 3, 50)));
        RunSummary base = run(List.of(result("data-shared", "sysv", "local", Verdict.PASS, null, null),
                result("lock-holder-killed", "sysv", "local", Verdict.PASS, null, null),
                result("gone", "sysv", "local", Verdict.PASS, null, null)), null);
        RunSummary now = run(results, null);
        Baseline.Outcome outcome = Baseline.Outcome.of(dir.toAbsolutePath().getParent().resolve("old/results.json").toString(),
                RunDiff.compare(base, now));
        return new RunSummary(RunSummary.SCHEMA, "abcdef", "2026-12-02T00:00:00Z", "2026-12-02T00:01:00Z", 60_000, false, machine(),
                now.columns(), results, List.of(fuzz), outcome);
    }

    private static RunSummary run(List<ScenarioResult> results, Baseline.Outcome baseline) {
        return new RunSummary(RunSummary.SCHEMA, "abcdef", "2026-12-02T00:00:00Z", "2026-12-02T00:01:00Z", 60_000, false, machine(),
                List.of(new RunSummary.Column("sysv", "System V", true, "", Map.of("survivesCrash", true)),
                        new RunSummary.Column("qt", "Qt 6.4", false, "Qt6Core not found: apt-get install qt6-base-dev", Map.of()),
                        new RunSummary.Column("qt68-posix", "Qt 6.8", false, "checking the Qt 6.8 root did not end in 30 minutes",
                                Map.of(), true)),
                results, List.of(), baseline);
    }

    private JsonNode written() throws Exception {
        ReportWriter.write(dir, everything());
        return JSON.readTree(Files.readString(dir.resolve("results.json")));
    }

    private static List<Error> errors(JsonNode results) {
        return schema.validate(results);
    }

    @Test
    void aWrittenResultsJsonValidates() throws Exception {
        JsonNode results = written();
        assertEquals(List.of(), errors(results), results.toPrettyString());
    }

    @Test
    void itSaysWhatIssue14AskedFor() throws Exception {
        JsonNode r = written();
        assertEquals(RunSummary.SCHEMA, r.get("schema").asText());
        assertEquals("FAIL", r.get("verdict").asText());
        // A verdict and a one-line reason per scenario run, and counts that agree with them.
        Map<String, Integer> tally = new LinkedHashMap<>();
        for (JsonNode x : r.get("results")) {
            tally.merge(x.get("verdict").asText(), 1, Integer::sum);
        }
        for (Verdict v : Verdict.values()) {
            assertEquals(tally.getOrDefault(v.name(), 0), r.get("counts").get(v.name()).asInt(), v.name());
        }
        JsonNode unknown = r.get("results").get(2);
        assertEquals("UNKNOWN", unknown.get("verdict").asText());
        assertEquals("step lock for dead worker B could not be performed", unknown.get("why").asText());
        assertTrue(r.get("results").get(0).get("why").isNull(), "PASS has no reason");
        assertTrue(r.get("results").get(0).get("reason").isNull(), "\"\" is written as null");
        assertTrue(r.get("columns").get(0).get("reason").isNull(), "an available column's \"\" reason is null");
        assertTrue(r.get("fuzz").get(0).get("failures").get(0).get("shrunkWhy").isNull());
        // Relative paths only, from absolute ones.
        assertEquals("fuzz/sysv", r.get("fuzz").get(0).get("outDir").asText());
        assertEquals("fuzz/sysv/seed-10/shrunk.schedule.json", r.get("fuzz").get(0).get("failures").get(0).get("shrunkFile").asText());
        assertEquals("../old/results.json", r.get("baseline").get("file").asText());
        assertFalse(r.toString().contains("file:/") || r.toString().contains(dir.toAbsolutePath().toString()), r.toString());
        // The baseline outcome: every changed cell with both sides.
        assertEquals(2, r.get("counts").get("regressions").asInt());
        JsonNode changes = r.get("baseline").get("changes");
        assertEquals("REGRESSION", changes.get(0).get("kind").asText());
        assertEquals("sysv/local/gone/LOCK-EXCLUSIVE", changes.get(0).get("cell").asText());
        assertTrue(changes.get(0).get("after").isNull());
        assertEquals("lock not released by the kernel", changes.get(1).get("after").get("why").asText());
        assertEquals("PASS", changes.get(1).get("before").get("verdict").asText());
    }

    @Test
    void aColumnWhoseProbeDidNotFinishIsSaidUndecidedThereOnlyAndReadsBack() throws Exception {
        JsonNode r = written();
        assertFalse(r.get("columns").get(1).has("undecided"), "a column decided NOT_AVAILABLE carries no undecided: " + r.get("columns"));
        assertTrue(r.get("columns").get(2).get("undecided").asBoolean(), r.get("columns").toString());
        assertEquals(List.of(), errors(r));
        RunSummary back = Baseline.read(dir.resolve("results.json"));
        assertEquals(List.of(false, false, true), back.columns().stream().map(RunSummary.Column::undecided).toList());
        String md = Files.readString(dir.resolve("matrix.md"));
        assertTrue(md.contains("**qt68-posix** UNDECIDED (a probe did not finish; its cells are UNKNOWN): checking the Qt 6.8 root"), md);
        assertTrue(md.contains("**qt** NOT_AVAILABLE: Qt6Core not found"), md);
    }

    @Test
    void theLinearizationAndTheThroughputAreWrittenOnlyWhereThereAreSome() throws Exception {
        JsonNode r = written();
        JsonNode lin = r.get("results").get(1).get("properties").get(0).get("linearization");
        assertEquals(2, lin.get("steps").size());
        assertEquals(4, lin.get("steps").get(1).get("eventIndex").asInt());
        assertEquals(8, lin.get("unplaced").get(0).get("eventIndex").asInt());
        assertFalse(r.get("results").get(0).get("properties").get(0).has("linearization"), "a PASS carries none");
        assertEquals(3, r.get("fuzz").get(0).get("throughput").size());
        assertEquals(50, r.get("fuzz").get(0).get("throughput").get(2).get("operations").asInt());
    }

    @Test
    void itReadsBackAsABaselineWithTheSameResults() throws Exception {
        RunSummary run = everything();
        ReportWriter.write(dir, run);
        RunSummary back = Baseline.read(dir.resolve("results.json"));
        assertEquals(run.results().get(1), back.results().get(1));
        assertEquals(Path.of("fuzz/sysv"), back.fuzz().get(0).outDir());
        assertEquals(run.fuzz().get(0).throughput(), back.fuzz().get(0).throughput());
        assertEquals(run.results().get(1).properties().get(0).linearization(), back.results().get(1).properties().get(0).linearization());
        assertEquals(run.baseline().changes(), back.baseline().changes());
        assertNull(back.columns().get(0).reason());
        assertEquals(List.of(), RunDiff.compare(run, back).changes(), "a run compared with itself as read back");
    }

    private static JsonNode coverage(JsonNode results, String id) {
        for (JsonNode row : results.get("coverage")) {
            if (row.get("id").asText().equals(id)) {
                return row;
            }
        }
        throw new AssertionError("no coverage row " + id);
    }

    /**
     * The seed statements' coverage: every id of docs/seed-sentences.md, in its order, with this run's verdicts of the row's
     * properties per column, counted only in the scenarios and columns the row names.
     */
    @Test
    void itCarriesTheSeedStatementsCoverage() throws Exception {
        JsonNode r = written();
        assertEquals(SeedCoverage.rows().stream().map(SeedCoverage.Row::id).toList(), r.get("coverage").findValuesAsText("id"));
        JsonNode n1 = coverage(r, "N1");
        assertEquals("TESTED", n1.get("status").asText());
        assertEquals("[\"LOCK-EXCLUSIVE\"]", n1.get("properties").toString());
        // sysv: data-shared PASS and lock-holder-killed FAIL; qt: one DEVIATES; posix is no column of this run.
        assertEquals("{\"worst\":\"FAIL\",\"counts\":{\"FAIL\":1,\"PASS\":1}}", n1.get("verdicts").get("sysv").toString());
        assertEquals("{\"worst\":\"DEVIATES\",\"counts\":{\"DEVIATES\":1}}", n1.get("verdicts").get("qt").toString());
        assertEquals(2, n1.get("verdicts").size());
        // B9 counts LOCK-EXCLUSIVE only in the interop scenarios, none of which ran.
        assertTrue(coverage(r, "B9").get("properties").toString().contains("LOCK-EXCLUSIVE"));
        assertEquals(0, coverage(r, "B9").get("verdicts").size());
        JsonNode n2 = coverage(r, "N2");
        assertEquals("NOT_TESTABLE_ON_LINUX", n2.get("status").asText());
        assertEquals("WINDOWS", n2.get("notTestableOn").asText());
        assertFalse(n2.get("reason").asText().isBlank());
        JsonNode m2 = coverage(r, "M2");
        assertEquals("TESTED", m2.get("status").asText());
        assertEquals("[\"qt-file-map-meets-mmapfile\"]", m2.get("scenarios").toString());
        assertEquals("[\"mmapfile\"]", m2.get("columns").toString());
    }

    /**
     * What the reaper left in place (a dead run's System V object it could not prove the run's, a directory kept by a
     * foreign mount) is in results.json, read back, and said in matrix.md and matrix.html; a run with none has no such
     * field or section. Before, it was said on stderr only, which a run in CI does not keep.
     */
    @Test
    void whatTheReaperLeftInPlaceIsInEveryReportAndOnlyWhereThereIsSome() throws Exception {
        RunSummary none = everything();
        List<String> lines = List.of("left, not proven the run's: semaphore set key 0x5100b7e4 id 32769 at the ftok value of key file"
                + " /run/shmconform-share/abcdefgh-x/tmp-y/k of dead run abcdefgh", "kept, not the run's alone: /run/shmconform/runs/abcdef:"
                + " another file system is mounted in it, not provably the run's, and was left as it is: /run/shmconform/runs/abcdef/m"
                + " (fix: umount it; the next run's reaper then removes the directory)");
        RunSummary some = new RunSummary(none.schema(), none.runId(), none.started(), none.finished(), none.millis(), none.interrupted(),
                none.environment(), none.columns(), none.results(), none.fuzz(), none.baseline(), lines);
        ReportWriter.write(dir, some);
        JsonNode r = JSON.readTree(Files.readString(dir.resolve("results.json")));
        assertEquals(List.of(), errors(r), r.toPrettyString());
        assertEquals(lines, List.of(r.get("leftInPlace").get(0).asText(), r.get("leftInPlace").get(1).asText()));
        assertEquals(lines, Baseline.read(dir.resolve("results.json")).leftInPlace());
        String md = Files.readString(dir.resolve("matrix.md"));
        assertTrue(md.contains("## Left in place by the reaper") && md.contains("- " + lines.get(1)), md);
        String html = Files.readString(dir.resolve("matrix.html"));
        assertTrue(html.contains("<ul id=\"left-in-place\"><li>left, not proven the run's: semaphore set"), html);

        ReportWriter.write(dir, none);
        JsonNode without = JSON.readTree(Files.readString(dir.resolve("results.json")));
        assertFalse(without.has("leftInPlace"), without.toString());
        assertEquals(List.of(), Baseline.read(dir.resolve("results.json")).leftInPlace());
        assertFalse(Files.readString(dir.resolve("matrix.md")).contains("Left in place"));
        assertFalse(Files.readString(dir.resolve("matrix.html")).contains("left-in-place"));
    }

    /** Each fault makes the written file invalid: the schema test cannot pass on a file with one of them. */
    @Test
    void eachFaultIsRejected() throws Exception {
        Map<String, Consumer<ObjectNode>> faults = new LinkedHashMap<>();
        faults.put("the old schema string", r -> r.put("schema", "shmconform-results/1"));
        faults.put("no run verdict", r -> r.remove("verdict"));
        faults.put("a run verdict that is no verdict", r -> r.put("verdict", "MOSTLY"));
        faults.put("no counts", r -> r.remove("counts"));
        faults.put("a negative count", r -> ((ObjectNode) r.get("counts")).put("FAIL", -1));
        faults.put("no verdict on a scenario run", r -> ((ObjectNode) r.get("results").get(0)).remove("verdict"));
        faults.put("the verdict spelled N/A", r -> ((ObjectNode) r.get("results").get(4)).put("verdict", "N/A"));
        faults.put("NOT-AVAILABLE-HERE in data", r -> ((ObjectNode) r.get("results").get(4).get("properties").get(0))
                .put("verdict", "NOT-AVAILABLE-HERE"));
        faults.put("an empty reason", r -> ((ObjectNode) r.get("results").get(0)).put("reason", ""));
        faults.put("an empty why", r -> ((ObjectNode) r.get("results").get(3).get("properties").get(0)).put("why", ""));
        faults.put("a FAIL without a reason", r -> ((ObjectNode) r.get("results").get(3)).putNull("why"));
        faults.put("a PASS with a reason", r -> ((ObjectNode) r.get("results").get(0)).put("why", "because"));
        faults.put("an unavailable column without a reason", r -> ((ObjectNode) r.get("columns").get(1)).putNull("reason"));
        faults.put("an absolute file:// outDir", r -> ((ObjectNode) r.get("fuzz").get(0)).put("outDir", "file:///run/x/fuzz/sysv/"));
        faults.put("an absolute history path", r -> ((ObjectNode) r.get("results").get(0)).put("historyFile", "/root/evidence/a.jsonl"));
        faults.put("an absolute baseline", r -> ((ObjectNode) r.get("baseline")).put("file", "/home/ci/old/results.json"));
        faults.put("an empty distribution", r -> ((ObjectNode) r.get("environment")).put("distribution", ""));
        faults.put("a distribution that is no text", r -> ((ObjectNode) r.get("environment")).put("distribution", 12));
        faults.put("kernel.shmmax that is not a number", r -> ((ObjectNode) r.get("environment")).put("kernel.shmmax", "1 GiB"));
        faults.put("no kernel.sem", r -> ((ObjectNode) r.get("environment")).remove("kernel.sem"));
        faults.put("a scenario run without properties", r -> ((ObjectNode) r.get("results").get(0)).putArray("properties"));
        faults.put("an unknown field", r -> r.put("colour", "green"));
        faults.put("a change of an unknown kind", r -> ((ObjectNode) r.get("baseline").get("changes").get(0)).put("kind", "WORSE"));
        faults.put("no baseline field at all", r -> r.remove("baseline"));
        faults.put("no coverage", r -> r.remove("coverage"));
        faults.put("a tested statement without a property", r -> ((ObjectNode) coverage(r, "N1")).putArray("properties"));
        faults.put("a statement not tested without a reason", r -> ((ObjectNode) coverage(r, "N2")).putNull("reason"));
        faults.put("a statement not testable on Linux without its platform", r -> ((ObjectNode) coverage(r, "N2")).putNull("notTestableOn"));
        faults.put("a statement not tested with verdicts", r -> ((ObjectNode) coverage(r, "N2")).set("verdicts", coverage(r, "N1").get("verdicts")));
        faults.put("a coverage count of 0", r -> ((ObjectNode) coverage(r, "N1").get("verdicts").get("sysv").get("counts")).put("PASS", 0));
        faults.put("a coverage count of no verdict", r -> ((ObjectNode) coverage(r, "N1").get("verdicts").get("sysv").get("counts")).put("MAYBE", 1));
        faults.put("a coverage id that is no id", r -> ((ObjectNode) coverage(r, "N1")).put("id", "lock"));
        faults.put("a linearization step without its state", r -> ((ObjectNode) r.get("results").get(1).get("properties").get(0)
                .get("linearization").get("steps").get(0)).remove("state"));
        faults.put("a linearization without the ops it could not place", r -> ((ObjectNode) r.get("results").get(1).get("properties").get(0)
                .get("linearization")).remove("unplaced"));
        faults.put("a throughput sample with a negative count", r -> ((ObjectNode) r.get("fuzz").get(0).get("throughput").get(1))
                .put("operations", -5));
        faults.put("a throughput sample without its time", r -> ((ObjectNode) r.get("fuzz").get(0).get("throughput").get(1)).remove("millis"));
        JsonNode valid = written();
        assertEquals(List.of(), errors(valid));
        for (Map.Entry<String, Consumer<ObjectNode>> fault : faults.entrySet()) {
            ObjectNode broken = valid.deepCopy();
            fault.getValue().accept(broken);
            assertFalse(errors(broken).isEmpty(), "accepted: " + fault.getKey());
        }
    }
}
