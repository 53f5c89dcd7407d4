package org.shmconform.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;
import org.shmconform.history.EventType;
import org.shmconform.history.History;
import org.shmconform.history.HistoryEvent;
import org.shmconform.history.ReportLayout;
import org.shmconform.spi.Args;

/**
 * The HTML a person reads: matrix.html says what matrix.md says (counts, legend, every section, the FAIL's
 * reason), every cell links to its scenario run's page, and that page labels the operations, starts its time
 * axis at the first event, marks the kill and the crash, and numbers the history's lines as an editor does.
 */
class RunPageTest {
    private static final String FAIL_WHY = "C acquired the lock while A held it";
    /** The schedule starts 5 s after the clock's zero: the axis must not show those 5 s. */
    private static final long T0 = 5_000_000_000L;

    private static HistoryEvent ev(int i, long micros, String process, EventType type, String f, Args args, String value, String note) {
        return new HistoryEvent(i, T0 + micros * 1000, process, type, f, args, value, null, null, null, note);
    }

    private static List<HistoryEvent> history() {
        return List.of(
                ev(0, 0, "A", EventType.invoke, "attach", Args.NONE.withKey("k"), null, null),
                ev(1, 40, "A", EventType.ok, "attach", Args.NONE, null, null),
                ev(2, 50, "A", EventType.invoke, "lock", Args.NONE, null, null),
                ev(3, 60, "A", EventType.ok, "lock", Args.NONE, null, null),
                ev(4, 70, "B", EventType.invoke, "read", Args.NONE.withOffset(0L).withLength(8), null, null),
                ev(5, 90, "B", EventType.ok, "read", Args.NONE.withDataHex(Args.hexOf("hello")), null, null),
                ev(6, 95, "A", EventType.invoke, "detach", Args.NONE, null, null),
                ev(7, 100, "nemesis", EventType.invoke, "kill", Args.NONE, "A", "SIGKILL"),
                ev(8, 101, "A", EventType.info, "detach", Args.NONE, null, "killed"),
                ev(9, 5_000, "C", EventType.invoke, "lock", Args.NONE, null, null),
                ev(10, 5_100, "C", EventType.ok, "lock", Args.NONE, null, null));
    }

    private static RunSummary run(Path dir) {
        ReportLayout.Evidence ev = ReportLayout.at(dir).scenarioEvidence("lock-holder-killed", "sysv", "local");
        new History(history()).write(ev.historyFile());
        ScenarioResult fail = new ScenarioResult("lock-holder-killed", "the lock's holder is killed", "sysv", "local",
                List.of(new PropertyResult("LOCK-EXCLUSIVE", Verdict.FAIL, FAIL_WHY, 9, List.of()),
                        new PropertyResult("DATA-SHARED", Verdict.PASS, null, null, List.of())),
                ev.historyName(), ev.scheduleName(), 1200, null, List.of());
        ScenarioResult na = new ScenarioResult("lock-holder-killed", "the lock's holder is killed", "qt", "local",
                List.of(new PropertyResult("LOCK-EXCLUSIVE", Verdict.NOT_AVAILABLE, "no Qt here", null, List.of())),
                null, null, 0, "no Qt here: apt-get install qt6-base-dev", List.of());
        return new RunSummary(RunSummary.SCHEMA, "abcdef", "2026-12-02T00:00:00Z", "2026-12-02T00:01:00Z", 60_000, false,
                Map.of("kernel", "6.x"), List.of(new RunSummary.Column("sysv", "System V", true, null, Map.of()),
                new RunSummary.Column("qt", "Qt", false, "no Qt here: apt-get install qt6-base-dev", Map.of())),
                List.of(fail, na), List.of(), null);
    }

    @Test
    void matrixHtmlSaysWhatMatrixMdSaysAndLinksEveryCellToItsRunPage(@TempDir Path dir) throws Exception {
        RunSummary run = run(dir);
        ReportWriter.write(dir, run);
        String html = Files.readString(dir.resolve("matrix.html"));
        String md = Files.readString(dir.resolve("matrix.md"));
        assertTrue(html.contains("id=\"counts\"") && html.contains("<b>1</b> FAIL") && html.contains("<b>1</b> NOT_AVAILABLE"), "counts");
        assertTrue(html.contains("id=\"legend\""), "legend");
        for (String section : List.of("Failures, unknowns and regressions", "Not available here", "Differences from the documentation",
                "Where the documentation is silent", "The sentences checked", "Latency per operation")) {
            assertTrue(md.contains(section), "md: " + section);
            assertTrue(html.contains(section), "html: " + section);
        }
        assertTrue(html.contains("<span class=\"why\">" + FAIL_WHY + "</span>"), "the FAIL's reason in its cell");
        assertTrue(html.contains("apt-get install qt6-base-dev"), "the NOT_AVAILABLE reason and its fix");
        // History line 10 is event 9, everywhere.
        assertTrue(md.contains("line 10"), md);
        ReportLayout layout = ReportLayout.at(dir);
        Matcher cells = Pattern.compile("<td class=\"(PASS|FAIL|NOT_AVAILABLE|DEVIATES|UNKNOWN)\" title=\"[^\"]*\"><a href=\"([^\"#]+)").matcher(html);
        int linked = 0;
        while (cells.find()) {
            assertTrue(Files.isRegularFile(dir.resolve(cells.group(2))), "cell links to a page that exists: " + cells.group(2));
            linked++;
        }
        assertEquals(3, linked, "every cell (sysv's two properties, qt's one) is a link");
        assertTrue(html.contains(layout.runPageName("lock-holder-killed", "sysv", "local") + "#L10"), "the FAIL cell opens its line");
    }

    @Test
    void theRunPageLabelsOperationsMarksTheKillAndNumbersLinesAsAnEditor(@TempDir Path dir) throws Exception {
        ReportWriter.write(dir, run(dir));
        String page = Files.readString(ReportLayout.at(dir).runPage("lock-holder-killed", "sysv", "local"));
        assertTrue(page.contains(">attach k ✓</text>"), "attach labelled");
        assertTrue(page.contains(">read 0..8 → &quot;hello&quot;</text>"), "read labelled with what it returned");
        assertTrue(page.contains("SIGKILL A"), "the kill is marked");
        assertTrue(page.contains(">detach ? killed</text>"), "the killed worker's detach is indeterminate");
        assertTrue(page.contains(">0 ms</text>"), "the axis starts at the first event, not at the clock's zero");
        assertTrue(page.contains("<tr id=\"L10\" class=\"blamed\"><td>10</td><td>5.000</td><td>C</td>"), "line 10 = event 9, 5 ms after the first");
        assertTrue(page.indexOf(FAIL_WHY) < page.indexOf("<svg"), "the reason before the timeline");
        assertTrue(page.indexOf("LOCK-EXCLUSIVE") < page.indexOf("DATA-SHARED"), "failures first");
        List<String> fileLines = Files.readAllLines(dir.resolve(run(dir).results().get(0).historyFile()));
        assertTrue(fileLines.get(9).contains("\"index\":9"), "the file's line 10 is event 9");
        // Every box is at least a few pixels wide: the 10 µs lock among 5 ms is not a sliver.
        Matcher widths = Pattern.compile("<rect class=\"[^\"]*\" x=\"[^\"]*\" y=\"[^\"]*\" width=\"([0-9.]+)\"").matcher(page);
        int boxes = 0;
        while (widths.find()) {
            assertTrue(Double.parseDouble(widths.group(1)) >= 5, widths.group());
            boxes++;
        }
        assertEquals(5, boxes); // attach, lock, read, detach, C's lock
        String index = Files.readString(dir.resolve("timeline.html"));
        assertTrue(index.indexOf("FAIL") < index.indexOf("NOT_AVAILABLE"), "failures first in the index");
    }

    @Test
    void latencyPercentilesComeFromTheHistoriesPerColumnAndKind(@TempDir Path dir) throws Exception {
        Latency l = Latency.of(ReportLayout.at(dir), run(dir));
        Map<String, Latency.Row> byKind = new java.util.HashMap<>();
        l.rows().forEach(r -> byKind.put(r.column() + "/" + r.kind(), r));
        assertEquals(2, byKind.get("sysv/lock").count());
        assertTrue(!byKind.containsKey("sysv/detach"), "the killed worker's detach has no end and is not counted");
        // HdrHistogram keeps 3 significant digits: a value is exact to 0.1%.
        assertEquals(10.0, byKind.get("sysv/lock").p50(), 0.01);
        assertEquals(100.0, byKind.get("sysv/lock").max(), 0.1);
        assertEquals(40.0, byKind.get("sysv/attach").p99(), 0.04);
        assertEquals(20.0, byKind.get("sysv/read").p50(), 0.02);
        assertTrue(l.html().contains("<svg") && l.html().contains("n=2 p50 10µs p99 100µs max 100µs"), l.html());
    }
}
