package org.shmconform.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;
import org.shmconform.history.EventType;
import org.shmconform.history.History;
import org.shmconform.history.HistoryEvent;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * junit.xml validates against the structure of Jenkins' junit-10.xsd (test resources) with
 * javax.xml.validation, says for each verdict what CI reporters expect, and a file with any of the
 * faults junit.xml used to have (no errors or time on a suite, a root "skipped", a NaN time) does not.
 */
class JUnitXmlSchemaTest {
    private static final String FAIL_WHY = "C acquired the lock while A held it";
    private static final String NA_WHY = "no Docker engine: sudo bash docker/start-engine.sh";
    private static final String UNKNOWN_WHY = "step lock for dead worker B could not be performed";
    private static final String DEVIATES_WHY = "create on an existing key: expected false with AlreadyExists, got true";
    private static Schema schema;

    @TempDir
    Path dir;

    @BeforeAll
    static void loadTheSchema() throws Exception {
        SchemaFactory f = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        schema = f.newSchema(JUnitXmlSchemaTest.class.getResource("/jenkins-junit-10-structure.xsd"));
    }

    private static void validate(String xml) throws Exception {
        schema.newValidator().validate(new StreamSource(new StringReader(xml)));
    }

    private static ScenarioResult result(String scenario, String column, Verdict v, String why, Integer event, String reason) {
        return new ScenarioResult(scenario, "t", column, "local", List.of(new PropertyResult("LOCK-EXCLUSIVE", v, why, event, List.of())),
                v == Verdict.NOT_AVAILABLE ? null : "evidence/" + scenario + ".history.jsonl", null, 1250, reason, List.of());
    }

    /** A FAIL with a real history file of 12 events (the 9th unexplained), and one of each other verdict. */
    private RunSummary run() throws Exception {
        List<HistoryEvent> events = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            events.add(new HistoryEvent(i, i * 1000L, i % 2 == 0 ? "A" : "C", i % 2 == 0 ? EventType.invoke : EventType.ok, "lock",
                    null, null, null, null, null, null, i == 8 ? "true" : null, null, null, null, null));
        }
        new History(events).write(dir.resolve("evidence/lock-holder-killed.history.jsonl"));
        List<ScenarioResult> results = List.of(
                result("data-shared", "sysv", Verdict.PASS, null, null, null),
                result("crash-survives", "memfd", Verdict.DEVIATES, DEVIATES_WHY, 6, null),
                result("lock-excludes", "posix", Verdict.UNKNOWN, null, null, UNKNOWN_WHY),
                result("lock-holder-killed", "sysv", Verdict.FAIL, FAIL_WHY, 8, null),
                result("other-user", "posix", Verdict.NOT_AVAILABLE, NA_WHY, null, NA_WHY));
        return new RunSummary(RunSummary.SCHEMA, "abcdef", "2026-12-02T00:00:00Z", "2026-12-02T00:01:00Z", 61_500, false,
                Map.of("kernel", "6.x"), List.of(new RunSummary.Column("sysv", "System V", true, null, Map.of()),
                new RunSummary.Column("memfd", "memfd", true, null, Map.of("survivesCrash", false))), results, List.of(),
                Baseline.Outcome.of("old/results.json", new RunDiff(List.of())));
    }

    private String written() throws Exception {
        ReportWriter.write(dir, run());
        return Files.readString(dir.resolve("junit.xml"));
    }

    private static Document parse(String xml) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new org.xml.sax.InputSource(new StringReader(xml)));
    }

    private static String text(Document d) throws Exception {
        StringWriter w = new StringWriter();
        TransformerFactory.newInstance().newTransformer().transform(new DOMSource(d), new StreamResult(w));
        return w.toString();
    }

    private static Element testcase(Document d, String name) {
        NodeList cases = d.getElementsByTagName("testcase");
        for (int i = 0; i < cases.getLength(); i++) {
            if (((Element) cases.item(i)).getAttribute("name").equals(name)) {
                return (Element) cases.item(i);
            }
        }
        throw new AssertionError("no testcase " + name);
    }

    private static Element child(Element e, String tag) {
        NodeList l = e.getElementsByTagName(tag);
        return l.getLength() == 0 ? null : (Element) l.item(0);
    }

    @Test
    void theWrittenJunitXmlValidates() throws Exception {
        validate(written());
    }

    @Test
    void everySuiteHasItsCountsAndTheRootTheTotals() throws Exception {
        Document d = parse(written());
        Element root = d.getDocumentElement();
        assertEquals("testsuites", root.getTagName());
        NodeList suites = d.getElementsByTagName("testsuite");
        long[] sum = new long[3];
        for (int i = 0; i < suites.getLength(); i++) {
            Element s = (Element) suites.item(i);
            for (String a : List.of("tests", "failures", "errors", "skipped", "time")) {
                assertTrue(s.hasAttribute(a), s.getAttribute("name") + " lacks " + a);
            }
            NodeList cases = s.getElementsByTagName("testcase");
            assertEquals(cases.getLength(), Integer.parseInt(s.getAttribute("tests")), s.getAttribute("name"));
            assertEquals(s.getElementsByTagName("failure").getLength(), Integer.parseInt(s.getAttribute("failures")));
            assertEquals(s.getElementsByTagName("error").getLength(), Integer.parseInt(s.getAttribute("errors")));
            assertEquals(s.getElementsByTagName("skipped").getLength(), Integer.parseInt(s.getAttribute("skipped")));
            assertFalse(Double.isNaN(Double.parseDouble(s.getAttribute("time"))));
            sum[0] += cases.getLength();
            sum[1] += Integer.parseInt(s.getAttribute("failures"));
            sum[2] += Integer.parseInt(s.getAttribute("errors"));
        }
        assertEquals(6, sum[0]); // 5 scenario runs and the baseline's "no regression"
        assertEquals(String.valueOf(sum[0]), root.getAttribute("tests"));
        assertEquals(String.valueOf(sum[1]), root.getAttribute("failures"));
        assertEquals(String.valueOf(sum[2]), root.getAttribute("errors"));
        assertEquals("61.500", root.getAttribute("time"));
    }

    @Test
    void eachVerdictIsWhatCiReportersExpect() throws Exception {
        Document d = parse(written());
        Element fail = child(testcase(d, "lock-holder-killed"), "failure");
        assertEquals("FAIL", fail.getAttribute("type"));
        assertEquals("LOCK-EXCLUSIVE: " + FAIL_WHY, fail.getAttribute("message"));
        assertTrue(fail.getTextContent().contains("history lines 1..11 of 12:"), fail.getTextContent());
        assertTrue(fail.getTextContent().contains("\n=> 8 A invoke lock value=true"), fail.getTextContent());

        Element unknown = testcase(d, "lock-excludes");
        assertEquals(null, child(unknown, "failure"), "UNKNOWN is no failure");
        assertEquals("UNKNOWN", child(unknown, "error").getAttribute("type"));
        assertEquals(UNKNOWN_WHY, child(unknown, "error").getAttribute("message"));

        Element skipped = child(testcase(d, "other-user"), "skipped");
        assertEquals(NA_WHY, skipped.getAttribute("message"), "the reason alone");
        assertEquals("NOT_AVAILABLE", skipped.getAttribute("type"));

        Element deviates = testcase(d, "crash-survives");
        for (String outcome : List.of("failure", "error", "skipped")) {
            assertEquals(null, child(deviates, outcome), "DEVIATES passes");
        }
        String out = child(deviates, "system-out").getTextContent();
        assertTrue(out.startsWith("DEVIATES from the documentation, a difference memfd declares ({survivesCrash=false}): "
                + "LOCK-EXCLUSIVE: " + DEVIATES_WHY), out);

        Element pass = testcase(d, "data-shared");
        assertFalse(pass.hasChildNodes(), "a PASS is an empty testcase");
    }

    /** The validation cannot pass on a file with one of these faults. */
    @Test
    void eachFaultMakesTheFileInvalid() throws Exception {
        Map<String, Consumer<Document>> faults = new LinkedHashMap<>();
        faults.put("a suite without errors", d -> suite(d).removeAttribute("errors"));
        faults.put("a suite without failures", d -> suite(d).removeAttribute("failures"));
        faults.put("a suite without tests", d -> suite(d).removeAttribute("tests"));
        faults.put("a NaN time", d -> suite(d).setAttribute("time", "NaN"));
        faults.put("a root skipped total", d -> d.getDocumentElement().setAttribute("skipped", "1"));
        faults.put("a root with a testcase", d -> d.getDocumentElement().appendChild(d.createElement("testcase")));
        faults.put("a testcase without name", d -> ((Element) d.getElementsByTagName("testcase").item(0)).removeAttribute("name"));
        faults.put("a failure outside a testcase", d -> suite(d).appendChild(d.createElement("failure")));
        faults.put("an unknown element", d -> d.getElementsByTagName("testcase").item(0).appendChild(d.createElement("verdict")));
        faults.put("an unknown attribute", d -> ((Element) d.getElementsByTagName("testcase").item(0)).setAttribute("verdict", "PASS"));
        String valid = written();
        validate(valid);
        for (Map.Entry<String, Consumer<Document>> fault : faults.entrySet()) {
            Document d = parse(valid);
            fault.getValue().accept(d);
            String broken = text(d);
            assertThrows(SAXException.class, () -> validate(broken), "accepted: " + fault.getKey());
        }
    }

    private static Element suite(Document d) {
        Element s = (Element) d.getElementsByTagName("testsuite").item(0);
        assertNotNull(s);
        return s;
    }
}
