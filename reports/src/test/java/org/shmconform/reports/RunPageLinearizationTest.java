package org.shmconform.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.checker.Linearization;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;
import org.shmconform.history.EventType;
import org.shmconform.history.History;
import org.shmconform.history.HistoryEvent;
import org.shmconform.history.ReportLayout;
import org.shmconform.spi.Args;

/**
 * A DEVIATES run's page draws the checker's longest linearization over its timeline (numbered points in
 * order, joined by a line, the op that could not be placed next outlined) and lists each step with the
 * model's state after it; a PASS page without one draws none.
 */
class RunPageLinearizationTest {
    private static final String WHY = "B lock() returned true while A held the lock";

    private static HistoryEvent ev(int i, long micros, String process, EventType type, String f, Args args) {
        return new HistoryEvent(i, 1_000_000_000L + micros * 1000, process, type, f, args, null, null, null, null, null);
    }

    /** A creates and locks, B attaches and locks too (Qt 6.4's re-initialised semaphore lets it). */
    private static List<HistoryEvent> history() {
        return List.of(
                ev(0, 0, "A", EventType.invoke, "create", Args.NONE.withKey("k").withSize(64L)),
                ev(1, 100, "A", EventType.ok, "create", Args.NONE),
                ev(2, 200, "B", EventType.invoke, "attach", Args.NONE.withKey("k")),
                ev(3, 300, "B", EventType.ok, "attach", Args.NONE),
                ev(4, 400, "A", EventType.invoke, "lock", Args.NONE),
                ev(5, 500, "A", EventType.ok, "lock", Args.NONE),
                ev(6, 600, "B", EventType.invoke, "lock", Args.NONE),
                ev(7, 700, "B", EventType.ok, "lock", Args.NONE));
    }

    private static Linearization linearization() {
        return new Linearization("nothing exists", List.of(
                new Linearization.Step(0, "A", "A create returned true", "segment k 64 B, attached A; A: key k, attached"),
                new Linearization.Step(2, "B", "B attach returned true", "segment k 64 B, attached A B; A: key k, attached; B: key k, attached"),
                new Linearization.Step(4, "A", "A lock returned true", "segment k 64 B, attached A B; lock k held by A; A: key k, attached, locked")),
                List.of(new Linearization.Unplaced(6, "B", "B lock returned true", WHY)));
    }

    private static String page(Path dir, Verdict verdict, Linearization lin) throws Exception {
        ReportLayout.Evidence ev = ReportLayout.at(dir).scenarioEvidence("lock-excludes", "qt", "local");
        new History(history()).write(ev.historyFile());
        ScenarioResult r = new ScenarioResult("lock-excludes", "a held lock excludes", "qt", "local",
                List.of(new PropertyResult("LOCK-EXCLUSIVE", verdict, verdict == Verdict.PASS ? null : WHY, verdict == Verdict.PASS ? null : 6,
                        List.of(), lin)), ev.historyName(), ev.scheduleName(), 900, null, List.of());
        RunSummary run = new RunSummary(RunSummary.SCHEMA, "abcdef", "2026-12-02T00:00:00Z", "2026-12-02T00:01:00Z", 60_000, false,
                Map.of("kernel", "6.x"), List.of(new RunSummary.Column("qt", "Qt 6.4", true, null, Map.of())), List.of(r), List.of(), null);
        ReportWriter.write(dir, run);
        return Files.readString(ReportLayout.at(dir).runPage("lock-excludes", "qt", "local"));
    }

    @Test
    void aDeviatesPageDrawsTheLongestLinearizationAndListsTheStatesAfterEachStep(@TempDir Path dir) throws Exception {
        String page = page(dir, Verdict.DEVIATES, linearization());
        // Three numbered markers, in order, joined by one polyline through their centres.
        Matcher markers = Pattern.compile("<circle class=\"lp\" cx=\"([0-9.]+)\" cy=\"([0-9.]+)\"").matcher(page);
        List<double[]> points = new ArrayList<>();
        while (markers.find()) {
            points.add(new double[] {Double.parseDouble(markers.group(1)), Double.parseDouble(markers.group(2))});
        }
        assertEquals(3, points.size(), "one marker per step");
        for (int n = 1; n <= 3; n++) {
            assertTrue(page.contains("class=\"lpn\" text-anchor=\"middle\" x=\"" + String.format(java.util.Locale.ROOT, "%.1f", points.get(n - 1)[0])),
                    "marker " + n + " numbered at its point");
            assertTrue(page.contains(">" + n + "</text></a>"), "marker " + n);
        }
        assertTrue(points.get(0)[0] < points.get(1)[0] && points.get(1)[0] < points.get(2)[0], "the points run left to right");
        assertEquals(points.get(0)[1], points.get(2)[1], "steps 1 and 3 are both A's, on A's lane");
        assertTrue(points.get(1)[1] > points.get(0)[1], "step 2 is B's, on B's lane below");
        Matcher line = Pattern.compile("<polyline class=\"lin\" points=\"([^\"]+)\"").matcher(page);
        assertTrue(line.find(), "a line joins the points");
        assertEquals(3, line.group(1).split(" ").length);
        // The op that could not be placed next: outlined dashed, with a dashed line from the last point, and in red in the table.
        assertTrue(page.contains("<rect class=\"stuck\""), "the unplaced op is outlined");
        assertTrue(page.contains("<line class=\"stuckline\""), "a dashed line leads to it");
        assertTrue(page.contains("could not be placed next: B B lock returned true"), page);
        // The table: the start, one row per step with the state after it, then the unplaced op.
        assertTrue(page.contains("<h2 id=\"linearization\">Longest linearization</h2>"), "the section");
        assertTrue(page.contains("as the documentation allows"), "a DEVIATES is the documented profile's prefix");
        assertTrue(page.contains("<td>0</td><td></td><td></td><td>(start)</td><td>nothing exists</td>"), "the initial state");
        assertTrue(page.contains("<tr id=\"S1\"><td>1</td><td><a href=\"#L1\">1</a></td><td>A</td><td>create k 64 ✓</td>"
                + "<td>segment k 64 B, attached A; A: key k, attached</td></tr>"), "step 1 with its label and state");
        assertTrue(page.contains("<tr id=\"S3\"><td>3</td><td><a href=\"#L5\">5</a></td><td>A</td><td>lock ✓</td>"
                + "<td>segment k 64 B, attached A B; lock k held by A; A: key k, attached, locked</td></tr>"), "step 3");
        assertTrue(page.contains("<tr class=\"unplaced\"><td>✗</td><td><a href=\"#L7\">7</a></td><td>B</td><td>lock ✓</td><td>cannot go next: "
                + WHY + "</td></tr>"), "the op that could not be placed, in red");
        assertTrue(page.indexOf("<svg") < page.indexOf("id=\"linearization\"") && page.indexOf("id=\"linearization\"") < page.indexOf("<h2>History"),
                "the table under the timeline, before the history");
    }

    @Test
    void aFailPageSaysItIsTheDeclaredProfilesPrefixAndAPageWithoutOneDrawsNone(@TempDir Path dir) throws Exception {
        assertTrue(page(dir.resolve("fail"), Verdict.FAIL, linearization()).contains("as what the column declares of itself allows"));
        String pass = page(dir.resolve("pass"), Verdict.PASS, null);
        assertFalse(pass.contains("class=\"lp\"") || pass.contains("polyline") || pass.contains("id=\"linearization\""), "no linearization drawn");
    }
}
