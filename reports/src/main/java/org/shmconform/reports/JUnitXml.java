package org.shmconform.reports;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.shmconform.harness.checker.PropertyResult;
import org.shmconform.harness.checker.ScenarioResult;
import org.shmconform.harness.checker.Verdict;

/** junit.xml for CI systems: a testsuite per column, a testcase per scenario; FAIL and UNKNOWN fail, N/A is skipped. */
final class JUnitXml {
    private JUnitXml() {
    }

    static String render(RunSummary run) {
        Map<String, List<ScenarioResult>> byColumn = new TreeMap<>(run.results().stream()
                .collect(Collectors.groupingBy(r -> r.column() + "." + r.env())));
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"shmconform\">\n");
        byColumn.forEach((suite, results) -> {
            long failures = results.stream().filter(r -> !r.verdict().expected()).count();
            long skipped = results.stream().filter(r -> r.verdict() == Verdict.NOT_AVAILABLE).count();
            xml.append("  <testsuite name=\"").append(esc(suite)).append("\" tests=\"").append(results.size())
                    .append("\" failures=\"").append(failures).append("\" skipped=\"").append(skipped).append("\">\n");
            for (ScenarioResult r : results) {
                xml.append("    <testcase classname=\"").append(esc(suite)).append("\" name=\"").append(esc(r.scenario()))
                        .append("\" time=\"").append(r.millis() / 1000.0).append("\">");
                if (r.verdict() == Verdict.NOT_AVAILABLE) {
                    xml.append("<skipped message=\"NOT-AVAILABLE-HERE: ").append(esc(r.reason())).append("\"/>");
                } else if (!r.verdict().expected()) {
                    xml.append("<failure message=\"").append(r.verdict()).append("\">").append(esc(details(r))).append("</failure>");
                }
                xml.append("</testcase>\n");
            }
            xml.append("  </testsuite>\n");
        });
        return xml.append("</testsuites>\n").toString();
    }

    private static String details(ScenarioResult r) {
        StringBuilder b = new StringBuilder();
        for (PropertyResult p : r.properties()) {
            b.append(p.property()).append(' ').append(p.verdict()).append(p.why() == null ? "" : ": " + p.why()).append('\n');
        }
        return b.append("history: ").append(r.historyFile()).toString();
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
