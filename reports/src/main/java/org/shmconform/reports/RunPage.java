package org.shmconform.reports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.history.EventType;
import org.shmconform.history.History;
import org.shmconform.history.HistoryEvent;
import org.shmconform.history.ReportLayout;

/**
 * The page of one scenario run ({@link ReportLayout#runPageName}): its verdicts with the reasons, failures
 * first; its timeline (one lane per worker, each operation a labelled box from invoke to completion, a
 * time axis in milliseconds from the first event, kills and crashes marked, the operation the checker
 * could not place outlined); and its history as a table whose line numbers are the history file's lines
 * as an editor numbers them (1-based).
 */
final class RunPage {
    private static final int LEFT = 70;
    private static final int LANE = 50;
    private static final int BOX = 16;
    private static final int MIN_BOX = 5;
    /** Room above the first lane for a kill's label, and right of the last box for its label. */
    private static final int TOP = 14;
    private static final int RIGHT = 170;
    private static final double CHAR = 6.2;

    private RunPage() {
    }

    static String render(ReportLayout report, ScenarioResult r) {
        String up = "../";
        StringBuilder h = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>")
                .append(JUnitXml.esc(r.scenario() + " · " + r.column() + " · " + r.env())).append("</title><style>").append(Style.CSS)
                .append("svg text{font:10px monospace}svg .lane{font:bold 11px monospace}.ok{fill:#6fa8ff}.fail{fill:#ffadc6}.info{fill:#ffb65c}")
                .append(".open{fill:#ddd}.blame{stroke:#c00;stroke-width:3}.axis{stroke:#888}.grid{stroke:#eee}")
                .append("table.h td{font:12px monospace;padding:1px 6px}tr.blamed td{background:#f8c8c8;font-weight:bold}")
                .append("tr.fail td{background:#fff0f4}tr.info td{background:#fff4e4}tr.nemesis td{color:#b00}")
                .append("</style></head><body><p><a href=\"").append(up).append(ReportLayout.MATRIX_HTML).append("\">← matrix</a> · <a href=\"")
                .append(up).append(ReportLayout.TIMELINE_HTML).append("\">all scenario runs</a></p>");
        h.append("<h1>").append(JUnitXml.esc(r.scenario())).append(" · ").append(JUnitXml.esc(r.column())).append(" · ")
                .append(JUnitXml.esc(r.env())).append(" <span class=\"badge ").append(r.verdict()).append("\">").append(r.verdict())
                .append("</span></h1><p>").append(JUnitXml.esc(r.title())).append(String.format(Locale.ROOT, " (%.1f s)", r.millis() / 1000.0))
                .append("</p>");
        h.append("<table><tr><th>property</th><th>verdict</th><th>reason</th><th>history line</th></tr>");
        List<PropertyResult> props = new ArrayList<>(r.properties());
        props.sort(Comparator.comparingInt(p -> Style.severity(p.verdict())));
        for (PropertyResult p : props) {
            String why = p.why() != null ? p.why() : p.verdict().expected() && p.verdict() != org.shmconform.checker.Verdict.DEVIATES ? null
                    : RunVerdict.reason(r);
            h.append("<tr><td class=\"p\">").append(JUnitXml.esc(p.property())).append("</td><td class=\"").append(p.verdict())
                    .append("\">").append(p.verdict()).append("</td><td>").append(JUnitXml.esc(why == null ? "" : why));
            if (!p.observations().isEmpty()) {
                h.append("<div class=\"obs\">observed: ").append(JUnitXml.esc(String.join("; ", p.observations()))).append("</div>");
            }
            h.append("</td><td>");
            if (p.eventIndex() != null) {
                h.append("<a href=\"#L").append(p.eventIndex() + 1).append("\">line ").append(p.eventIndex() + 1).append("</a>");
            }
            h.append("</td></tr>");
        }
        h.append("</table>");
        if (r.reason() != null && !r.reason().isBlank()) {
            h.append("<p><b>Reason</b>: ").append(JUnitXml.esc(r.reason())).append("</p>");
        }
        if (r.notes() != null && !r.notes().isEmpty()) {
            h.append("<p><b>Notes</b>: ").append(JUnitXml.esc(String.join("; ", r.notes()))).append("</p>");
        }
        if (r.historyFile() == null) {
            return h.append("<p>No history: this run did not start.</p></body></html>\n").toString();
        }
        List<HistoryEvent> events;
        try {
            events = History.read(report.resolve(r.historyFile())).events();
        } catch (IOException | RuntimeException e) {
            return h.append("<p>History unreadable: ").append(JUnitXml.esc(String.valueOf(e.getMessage()))).append("</p></body></html>\n").toString();
        }
        Integer blamed = r.properties().stream().filter(p -> !p.verdict().expected()).map(PropertyResult::eventIndex)
                .filter(i -> i != null).findFirst()
                .orElse(r.properties().stream().map(PropertyResult::eventIndex).filter(i -> i != null).findFirst().orElse(null));
        h.append("<h2>Timeline</h2><p>One lane per worker; a box runs from the operation's invoke to its completion (blue ok, pink")
                .append(" failed, orange indeterminate, grey never completed); ✕ marks a worker that crashed or was killed, a red line")
                .append(" the harness's SIGKILL. Time in ms from the first event of the schedule. Click a box for its history line.")
                .append(blamed == null ? "" : " The operation the checker could not place (line " + (blamed + 1) + ") is outlined in red.")
                .append("</p><div style=\"overflow-x:auto\">").append(svg(events, blamed)).append("</div>");
        h.append("<p>Evidence: <a href=\"").append(up).append(r.historyFile()).append("\">").append(JUnitXml.esc(r.historyFile()))
                .append("</a> (JSON lines)");
        if (r.scheduleFile() != null) {
            h.append(" · <a href=\"").append(up).append(r.scheduleFile()).append("\">").append(JUnitXml.esc(r.scheduleFile())).append("</a>");
        }
        h.append("</p><h2>History</h2>").append(table(events, blamed));
        return h.append("</body></html>\n").toString();
    }

    /** The history file's lines: one event a line, so event i is line i + 1 in an editor. */
    private static String table(List<HistoryEvent> events, Integer blamed) {
        long t0 = events.isEmpty() ? 0 : events.stream().mapToLong(HistoryEvent::time).min().orElse(0);
        StringBuilder t = new StringBuilder("<table class=\"h\"><tr><th>line</th><th>ms</th><th>process</th><th>type</th>")
                .append("<th>operation</th><th>result</th><th>error</th><th>note</th></tr>");
        for (int i = 0; i < events.size(); i++) {
            HistoryEvent e = events.get(i);
            String cls = blamed != null && blamed == e.index() ? "blamed" : e.process().equals("nemesis") ? "nemesis" : e.type().name();
            t.append("<tr id=\"L").append(i + 1).append("\" class=\"").append(cls).append("\"><td>").append(i + 1).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.3f", (e.time() - t0) / 1e6)).append("</td><td>").append(JUnitXml.esc(e.process()))
                    .append("</td><td>").append(e.type()).append("</td><td>")
                    .append(JUnitXml.esc(e.type() == EventType.invoke ? OpSpan.call(e) + (e.value() != null ? " " + e.value() : "") : e.f()))
                    .append("</td><td>").append(JUnitXml.esc(e.type() == EventType.invoke ? "" : OpSpan.outcome(e))).append("</td><td>")
                    .append(JUnitXml.esc(e.error() == null || "NoError".equals(e.error()) ? "" : e.error()
                            + (e.errorString() == null ? "" : ": " + e.errorString())))
                    .append("</td><td>").append(JUnitXml.esc((e.note() == null ? "" : e.note()) + (e.exitStatus() == null ? "" : " exit " + e.exitStatus())))
                    .append("</td></tr>");
        }
        return t.append("</table>").toString();
    }

    private static String svg(List<HistoryEvent> events, Integer blamed) {
        Map<String, Integer> lanes = new LinkedHashMap<>();
        long t0 = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        for (HistoryEvent e : events) {
            if (!e.process().equals("nemesis")) {
                lanes.putIfAbsent(e.process(), lanes.size());
            }
            t0 = Math.min(t0, e.time());
            end = Math.max(end, e.time());
        }
        if (lanes.isEmpty()) {
            return "<p>(no operations)</p>";
        }
        List<OpSpan> spans = OpSpan.of(events);
        int width = (int) Math.max(1000, Math.min(8000, spans.size() * 45L));
        double span = Math.max(1, end - t0);
        double scale = (width - LEFT - RIGHT) / span;
        int height = TOP + lanes.size() * LANE + 30;
        StringBuilder s = new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"" + height + "\">");
        axis(s, t0, span, scale, width, TOP + lanes.size() * LANE);
        lanes.forEach((p, i) -> s.append("<text class=\"lane\" x=\"2\" y=\"").append(TOP + i * LANE + 18).append("\">").append(JUnitXml.esc(p)).append("</text>"));
        Map<String, double[]> labelEnds = new LinkedHashMap<>();
        for (OpSpan o : spans) {
            HistoryEvent inv = o.invoke();
            int lane = lanes.get(inv.process());
            double x = LEFT + (inv.time() - t0) * scale;
            long stop = o.done() == null ? end : o.done().time();
            double w = Math.max(MIN_BOX, (stop - inv.time()) * scale);
            int y = TOP + lane * LANE + 6;
            String cls = (o.done() == null ? "open" : o.done().type().name()) + (blamed != null && blamed == inv.index() ? " blame" : "");
            String line = "#L" + (inv.index() + 1);
            s.append("<a href=\"").append(line).append("\"><rect class=\"").append(cls).append("\" x=\"").append(fmt(x)).append("\" y=\"")
                    .append(y).append("\" width=\"").append(fmt(w)).append("\" height=\"").append(BOX).append("\"><title>")
                    .append(JUnitXml.esc("line " + (inv.index() + 1) + ": " + inv.process() + " " + o.label()
                            + String.format(Locale.ROOT, "%n%.3f–%.3f ms", (inv.time() - t0) / 1e6, (stop - t0) / 1e6)))
                    .append("</title></rect></a>");
            // The label under the box, on the first of two rows where it does not run into the previous label.
            String label = o.label();
            double[] rows = labelEnds.computeIfAbsent(inv.process(), k -> new double[] {0, 0});
            int row = rows[0] <= x ? 0 : rows[1] <= x ? 1 : rows[0] <= rows[1] ? 0 : 1;
            rows[row] = x + label.length() * CHAR + 4;
            s.append("<text x=\"").append(fmt(x)).append("\" y=\"").append(y + BOX + 11 + row * 12).append("\">")
                    .append(JUnitXml.esc(label)).append("</text>");
            if (o.done() != null && o.done().type() == EventType.info && o.done().note() != null
                    && (o.done().note().contains("kill") || o.done().note().contains("crash"))) {
                double cx = LEFT + (o.done().time() - t0) * scale;
                s.append("<text x=\"").append(fmt(cx - 4)).append("\" y=\"").append(y + 12).append("\" style=\"font:bold 14px sans-serif;fill:#b00\">✕<title>")
                        .append(JUnitXml.esc(inv.process() + " " + o.done().note() + (o.done().exitStatus() == null ? "" : ", exit " + o.done().exitStatus())))
                        .append("</title></text>");
            }
        }
        for (HistoryEvent e : events) {
            if (e.process().equals("nemesis") && e.type() == EventType.invoke && lanes.containsKey(e.value())) {
                double x = LEFT + (e.time() - t0) * scale;
                int y = TOP + lanes.get(e.value()) * LANE;
                s.append("<line x1=\"").append(fmt(x)).append("\" x2=\"").append(fmt(x)).append("\" y1=\"").append(y).append("\" y2=\"")
                        .append(y + LANE - 4).append("\" stroke=\"#d00\" stroke-width=\"2\"/><text x=\"").append(fmt(x + 2)).append("\" y=\"")
                        .append(y + 4).append("\" style=\"fill:#d00;font-weight:bold\">SIGKILL ").append(JUnitXml.esc(e.value())).append("<title>")
                        .append(JUnitXml.esc("line " + (e.index() + 1) + ": SIGKILL " + e.value() + (e.note() == null ? "" : " (" + e.note() + ")")))
                        .append("</title></text>");
            }
        }
        return s.append("</svg>").toString();
    }

    /** Ticks at 1, 2 or 5 × 10^k ms, about ten across, with a faint grid line through the lanes. */
    private static void axis(StringBuilder s, long t0, double span, double scale, int width, int bottom) {
        double ms = span / 1e6;
        double step = Math.pow(10, Math.floor(Math.log10(ms / 10)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (ms / (step * m) <= 12) {
                step *= m;
                break;
            }
        }
        s.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" x2=\"").append(width - RIGHT).append("\" y1=\"").append(bottom + 4)
                .append("\" y2=\"").append(bottom + 4).append("\"/>");
        for (double m = 0; m <= ms + 1e-9; m += step) {
            double x = LEFT + m * 1e6 * scale;
            s.append("<line class=\"grid\" x1=\"").append(fmt(x)).append("\" x2=\"").append(fmt(x)).append("\" y1=\"0\" y2=\"").append(bottom + 8)
                    .append("\"/><text x=\"").append(fmt(x - 6)).append("\" y=\"").append(bottom + 20).append("\">")
                    .append(new java.math.BigDecimal(m).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString())
                    .append(m == 0 ? " ms" : "").append("</text>");
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static void writeAll(ReportLayout report, RunSummary run) throws IOException {
        for (ScenarioResult r : run.results()) {
            Path page = report.runPage(r.scenario(), r.column(), r.env());
            Files.createDirectories(page.getParent());
            Files.writeString(page, render(report, r));
        }
    }
}
