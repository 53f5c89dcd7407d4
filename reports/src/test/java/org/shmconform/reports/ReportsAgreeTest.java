package org.shmconform.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;
import org.shmconform.fuzz.FuzzResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Every report format says the same about a run as the exit status: an UNKNOWN with its reason, a FAIL
 * with its reason, a fuzz failure and a baseline regression appear everywhere, and the
 * summary line says FAIL exactly when the run fails.
 */
class ReportsAgreeTest {
    private static final String UNKNOWN_WHY = "step lock for dead worker B could not be performed";
    private static final String FAIL_WHY = "C acquired the lock while A held it";
    private static final String FUZZ_WHY = "create(100) of a new key returned false";

    private static ScenarioResult result(String scenario, String column, Verdict v, String why, String reason) {
        return new ScenarioResult(scenario, "title", column, "local", List.of(new PropertyResult("LOCK-EXCLUSIVE", v, why,
                v == Verdict.FAIL ? 8 : null, List.of())), v == Verdict.NOT_AVAILABLE ? null : "evidence/" + scenario + ".history.jsonl",
                null, 1500, reason, List.of());
    }

    private static FuzzResult.Failure fuzzFailure(int rerunFails) {
        return new FuzzResult.Failure(10, "CREATE-SIZE", FUZZ_WHY, rerunFails, 3, 16, 3, 1, 2, 1, 0, FUZZ_WHY, 40, false,
                Path.of("fuzz/sysv/seed-10/original.schedule.json"), null, Path.of("fuzz/sysv/seed-10/shrunk.schedule.json"), null);
    }

    private static RunSummary run(List<ScenarioResult> results, List<FuzzResult> fuzz, Baseline.Outcome baseline) {
        return new RunSummary(RunSummary.SCHEMA, "abcdef", "2026-12-02T00:00:00Z", "2026-12-02T00:01:00Z", 60_000, false,
                Map.of("kernel", "6.x"), List.of(new RunSummary.Column("sysv", "System V", true, null, Map.of()),
                new RunSummary.Column("posix", "POSIX", true, null, Map.of())), results, fuzz, baseline);
    }

    /** A run with one of each: PASS, DEVIATES, UNKNOWN (reason only on the scenario), FAIL, NOT_AVAILABLE, a fuzz failure, a regression. */
    private static RunSummary everything() {
        List<ScenarioResult> results = List.of(
                result("data-shared", "sysv", Verdict.PASS, null, null),
                result("lock-survives-failed-create", "sysv", Verdict.DEVIATES, "declared difference", null),
                result("lock-excludes", "posix", Verdict.UNKNOWN, null, UNKNOWN_WHY),
                result("lock-holder-killed", "sysv", Verdict.FAIL, FAIL_WHY, null),
                result("other-user", "posix", Verdict.NOT_AVAILABLE, "needs root", "needs root"));
        FuzzResult fuzz = new FuzzResult("sysv", 1, 3, 50, 12, 10, List.of(fuzzFailure(3)), List.of(), Path.of("fuzz/sysv"));
        Baseline.Outcome baseline = new Baseline.Outcome("old/results.json",
                List.of(new Baseline.Regression("sysv/local/lock-holder-killed/LOCK-EXCLUSIVE", Verdict.PASS, Verdict.FAIL, FAIL_WHY)));
        return run(results, List.of(fuzz), baseline);
    }

    private static Document xml(String text) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static Element testcase(Document d, String name) {
        NodeList cases = d.getElementsByTagName("testcase");
        for (int i = 0; i < cases.getLength(); i++) {
            Element e = (Element) cases.item(i);
            if (e.getAttribute("name").equals(name)) {
                return e;
            }
        }
        throw new AssertionError("no testcase " + name);
    }

    private static Element only(Element testcase, String tag) {
        NodeList l = testcase.getElementsByTagName(tag);
        return l.getLength() == 0 ? null : (Element) l.item(0);
    }

    @Test
    void junitXmlHasUnknownAsErrorFailWithReasonFuzzAndRegressionAsFailuresAndTotals() throws Exception {
        Document d = xml(JUnitXml.render(everything()));
        Element root = d.getDocumentElement();
        assertEquals("8", root.getAttribute("tests")); // 5 scenarios + fuzz failure + fuzz campaign + 1 regression
        assertEquals("3", root.getAttribute("failures")); // FAIL, fuzz failure, regression
        assertEquals("1", root.getAttribute("errors")); // UNKNOWN
        assertFalse(root.hasAttribute("skipped"), "junit-10.xsd allows no skipped total on the root");
        assertEquals("60.000", root.getAttribute("time"));
        NodeList suites = d.getElementsByTagName("testsuite");
        int tests = 0;
        for (int i = 0; i < suites.getLength(); i++) {
            Element s = (Element) suites.item(i);
            for (String a : new String[] {"tests", "failures", "errors", "skipped", "time"}) {
                assertFalse(s.getAttribute(a).isEmpty(), s.getAttribute("name") + " lacks " + a);
            }
            tests += Integer.parseInt(s.getAttribute("tests"));
        }
        assertEquals(8, tests);

        Element unknown = testcase(d, "lock-excludes");
        assertNull(only(unknown, "failure"), "UNKNOWN is no failure");
        assertEquals(UNKNOWN_WHY, only(unknown, "error").getAttribute("message"));
        assertEquals("UNKNOWN", only(unknown, "error").getAttribute("type"));

        Element fail = only(testcase(d, "lock-holder-killed"), "failure");
        assertEquals("FAIL", fail.getAttribute("type"));
        assertEquals("LOCK-EXCLUSIVE: " + FAIL_WHY, fail.getAttribute("message"));
        assertTrue(fail.getTextContent().contains("history line 9"), fail.getTextContent());

        assertTrue(only(testcase(d, "other-user"), "skipped").getAttribute("message").contains("needs root"));
        assertNull(only(testcase(d, "lock-survives-failed-create"), "failure"));
        assertTrue(only(testcase(d, "lock-survives-failed-create"), "system-out").getTextContent().contains("declared difference"));

        Element fuzz = only(testcase(d, "seed 10 CREATE-SIZE"), "failure");
        assertTrue(fuzz.getAttribute("message").contains(FUZZ_WHY) && fuzz.getAttribute("message").contains("3/3"), fuzz.getAttribute("message"));
        assertTrue(fuzz.getTextContent().contains("shmconform replay fuzz/sysv/seed-10/shrunk.schedule.json"));

        Element regression = only(testcase(d, "sysv/local/lock-holder-killed/LOCK-EXCLUSIVE"), "failure");
        assertEquals("REGRESSION", regression.getAttribute("type"));
        assertTrue(regression.getAttribute("message").contains("PASS -> FAIL"), regression.getAttribute("message"));
    }

    /**
     * A fuzz finding that none of its three re-runs reproduced fails the run, the XML and the matrix all the same: its
     * history was judged illegal with no problem recorded. Until 2026-12-07 it was "not counted" and the run passed.
     */
    @Test
    void aFuzzFindingThatNoReRunReproducedFailsTheRunTheXmlAndTheMatrix() throws Exception {
        FuzzResult f = new FuzzResult("sysv", 1, 3, 50, 12, 10, List.of(fuzzFailure(0)), List.of(), Path.of("fuzz/sysv"));
        RunSummary run = run(List.of(result("data-shared", "sysv", Verdict.PASS, null, null)), List.of(f), null);
        assertTrue(RunVerdict.of(run).failed());
        assertEquals("FAIL — 0 failures, 0 unknown, 0 deviates, 1 pass, 0 not available; fuzz: 1 failure", RunVerdict.of(run).text());
        Document d = xml(JUnitXml.render(run));
        assertEquals("1", d.getDocumentElement().getAttribute("failures"));
        assertTrue(only(testcase(d, "seed 10 CREATE-SIZE"), "failure").getAttribute("message").contains("not reproduced 0/3"));
        assertTrue(MatrixMarkdown.attentionItems(run).stream().anyMatch(i -> i.startsWith("FAIL fuzz sysv: CREATE-SIZE at seed 10 "
                + "(not reproduced 0/3)")), MatrixMarkdown.attentionItems(run).toString());
    }

    @Test
    void matrixMarkdownAndHtmlShowTheUnknownReasonTheFuzzFailureAndTheRegression() {
        RunSummary run = everything();
        String md = MatrixMarkdown.render(run);
        String html = MatrixHtml.render(run);
        for (String page : List.of(md, html)) {
            assertTrue(page.contains(UNKNOWN_WHY), "UNKNOWN reason");
            assertTrue(page.contains(FAIL_WHY), "FAIL reason");
            assertTrue(page.contains(FUZZ_WHY), "fuzz failure");
            assertTrue(page.contains("sysv/local/lock-holder-killed/LOCK-EXCLUSIVE: PASS -&gt; FAIL")
                    || page.contains("sysv/local/lock-holder-killed/LOCK-EXCLUSIVE: PASS -> FAIL"), "regression");
            assertTrue(page.contains("shmconform: FAIL — 1 failure, 1 unknown, 1 deviates, 1 pass, 1 not available;"
                    + " fuzz: 1 failure; baseline: 1 regression"), "summary");
        }
        // In the HTML the reason is in the cell's text, not only in its title (hover).
        assertTrue(html.contains("<span class=\"why\">" + UNKNOWN_WHY + "</span>"), html);
        // Failures, unknowns and regressions come before the tables.
        assertTrue(md.indexOf("## Failures, unknowns and regressions") < md.indexOf("## Environment"));
    }

    @Test
    void theSummaryLineSaysFailExactlyWhenTheRunFails() {
        ScenarioResult pass = result("a", "sysv", Verdict.PASS, null, null);
        ScenarioResult deviates = result("b", "sysv", Verdict.DEVIATES, "declared", null);
        ScenarioResult na = result("c", "sysv", Verdict.NOT_AVAILABLE, "no Qt", "no Qt");
        ScenarioResult unknown = result("d", "sysv", Verdict.UNKNOWN, "worker B did not reply", null);
        ScenarioResult fail = result("e", "sysv", Verdict.FAIL, "bad", null);
        FuzzResult clean = new FuzzResult("sysv", 1, 3, 50, 12, 10, List.of(), List.of(), Path.of("f"));
        FuzzResult found = new FuzzResult("sysv", 1, 3, 50, 12, 10, List.of(fuzzFailure(1)), List.of(), Path.of("f"));
        FuzzResult undecided = new FuzzResult("sysv", 1, 3, 50, 12, 10, List.of(), List.of("seed 2: worker A hung"), Path.of("f"));
        Baseline.Outcome none = new Baseline.Outcome("b.json", List.of());
        Baseline.Outcome regressed = new Baseline.Outcome("b.json", List.of(new Baseline.Regression("x", Verdict.PASS, Verdict.FAIL, "y")));
        List<RunSummary> runs = new ArrayList<>();
        for (List<ScenarioResult> rs : List.of(List.of(pass, deviates, na), List.of(pass, unknown), List.of(fail))) {
            for (FuzzResult f : List.of(clean, found, undecided)) {
                for (Baseline.Outcome b : java.util.Arrays.asList(null, none, regressed)) {
                    runs.add(run(rs, List.of(f), b));
                }
            }
        }
        int failing = 0;
        for (RunSummary r : runs) {
            RunVerdict v = RunVerdict.of(r);
            boolean expectFail = r.results().stream().anyMatch(x -> !x.verdict().expected())
                    || r.fuzz().get(0) != clean || r.baseline() == regressed;
            assertEquals(expectFail, v.failed(), v.line(null));
            assertTrue(v.line("dir").startsWith(expectFail ? "shmconform: FAIL — " : "shmconform: PASS — "), v.line("dir"));
            assertTrue(v.line("dir").endsWith(" — report: dir"));
            assertEquals(v.word(), r.verdict());
            failing += expectFail ? 1 : 0;
        }
        assertEquals(25, failing); // only pass/deviates/n.a., a clean fuzz and no regression (2 ways) pass
        assertEquals("shmconform: PASS — 0 failures, 0 unknown, 1 deviates, 1 pass, 1 not available; baseline: 0 regressions",
                RunVerdict.of(runs.get(1)).line(null));
    }

    /** A run whose every cell was NOT_AVAILABLE tested nothing: it must not leave a CI job green. */
    @Test
    void aRunThatCouldTryNoCellFails() {
        FuzzResult clean = new FuzzResult("sysv", 1, 0, 0, 0, 0, List.of(), List.of(), Path.of("f"));
        ScenarioResult na = result("c", "qt", Verdict.NOT_AVAILABLE, "no Qt", "no Qt");
        RunVerdict v = RunVerdict.of(run(List.of(na), List.of(clean), null));
        assertTrue(v.failed());
        assertEquals("shmconform: FAIL — 0 failures, 0 unknown, 0 deviates, 0 pass, 1 not available; nothing could be tried here"
                + " (see each cell's reason)", v.line(null));
        assertFalse(RunVerdict.of(run(List.of(na, result("a", "sysv", Verdict.PASS, null, null)), List.of(clean), null)).failed());
    }

    @Test
    void resultsJsonCarriesVerdictCountsInterruptionAndBaselineAndReadsBackAsABaseline(@TempDir Path dir) throws Exception {
        RunSummary run = everything();
        run = new RunSummary(run.schema(), run.runId(), run.started(), run.finished(), run.millis(), true, run.environment(),
                run.columns(), run.results(), run.fuzz(), run.baseline());
        ReportWriter.write(dir, run);
        String json = Files.readString(dir.resolve("results.json"));
        assertTrue(json.contains("\"verdict\" : \"INTERRUPTED\""), json);
        assertTrue(json.contains("\"interrupted\" : true"), json);
        assertTrue(json.contains("\"regressions\" : 1"), json);
        assertTrue(json.contains(UNKNOWN_WHY));
        RunSummary back = Baseline.read(dir.resolve("results.json"));
        assertTrue(back.interrupted());
        assertEquals(run.results(), back.results());
        assertEquals(1, back.baseline().regressions().size());
        assertNotNull(Files.readString(dir.resolve("junit.xml")));
    }

    @Test
    void aBadBaselineIsOneLine(@TempDir Path dir) throws Exception {
        Map<String, String> cases = Map.of(
                "{\"schema\":\"nope\"}", "has schema \"nope\"; this shmconform reads \"shmconform-results/2\"",
                "{\"schema\":\"shmconform-results/1\",\"results\":[]}", "(another version)",
                "{\"results\":[]}", "has no \"schema\"",
                "{\"schema\":\"shmconform-results/2\"}", "has no \"results\" list",
                "{\"schema\":\"shmconform-results/2\",\"results\":[{\"scenario\":\"s\",\"column\":\"c\",\"env\":\"local\"}]}",
                "results[0] has no \"properties\" list",
                "{\"schema\":\"shmconform-results/2\",\"results\":[{\"scenario\":\"s\",\"column\":\"c\",\"env\":\"local\","
                        + "\"properties\":[{\"property\":\"P\",\"verdict\":\"MAYBE\"}]}]}", "results[0].properties[0] has no valid \"verdict\"",
                "[1", "is not JSON");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path f = dir.resolve("b.json");
            Files.writeString(f, c.getKey());
            try {
                Baseline.read(f);
                throw new AssertionError("accepted " + c.getKey());
            } catch (Baseline.InvalidBaseline e) {
                assertTrue(e.getMessage().contains(c.getValue()), c.getKey() + " -> " + e.getMessage());
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
            }
        }
    }
}
