package org.shmconform.reports;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.history.ReportLayout;

/**
 * timeline.html: the index of the scenario runs' pages ({@link RunPage}), failures and unknowns first,
 * each with its reason; the timelines themselves are one page per run, so none of them is far down a long page.
 */
final class TimelineHtml {
    private TimelineHtml() {
    }

    static String render(ReportLayout report, RunSummary run) {
        StringBuilder h = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>shmconform scenario runs</title><style>")
                .append(Style.CSS).append("</style></head><body><p><a href=\"").append(ReportLayout.MATRIX_HTML)
                .append("\">← matrix</a></p><h1>Scenario runs</h1><p>").append(run.results().size())
                .append(" runs, failures and unknowns first. Each page has the run's timeline and its history as a table.</p>")
                .append("<table><tr><th>verdict</th><th>column</th><th>env</th><th>scenario</th><th>s</th><th>reason</th></tr>");
        List<ScenarioResult> sorted = new ArrayList<>(run.results());
        sorted.sort(Comparator.comparingInt((ScenarioResult r) -> Style.severity(r.verdict())));
        for (ScenarioResult r : sorted) {
            String why = RunVerdict.reason(r);
            h.append("<tr><td class=\"").append(r.verdict()).append("\"><a href=\"").append(report.runPageName(r.scenario(), r.column(), r.env()))
                    .append("\">").append(r.verdict()).append("</a></td><td>").append(JUnitXml.esc(r.column())).append("</td><td>")
                    .append(JUnitXml.esc(r.env())).append("</td><td class=\"p\">").append(JUnitXml.esc(r.scenario())).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.1f", r.millis() / 1000.0)).append("</td><td>").append(JUnitXml.esc(why == null ? "" : why))
                    .append("</td></tr>");
        }
        return h.append("</table></body></html>\n").toString();
    }
}
