package org.shmconform.reports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.shmconform.checker.Linearization;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;
import org.shmconform.history.Ending;
import org.shmconform.history.EventType;
import org.shmconform.history.History;
import org.shmconform.history.HistoryEvent;
import org.shmconform.history.ReportLayout;
import org.shmconform.spi.files.SafeFiles;

/**
 * The page of one scenario run ({@link ReportLayout#runPageName}): its verdicts with the reasons, failures
 * first; its timeline (one lane per worker, each operation a labelled box from invoke to completion, a
 * time axis in milliseconds from the first event, kills and crashes marked, the operation the checker
 * could not place outlined); for a FAIL or DEVIATES, the checker's longest linearization drawn over the
 * lanes (numbered points joined in order, Porcupine's view) and listed with the model's state after each
 * step; and its history as a table whose line numbers are the history file's lines as an editor numbers
 * them (1-based).
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
                .append(".lin{fill:none;stroke:#333;stroke-width:1.5;opacity:.75}.lp{fill:#222}svg text.lpn{fill:#fff;font:bold 9px sans-serif}")
                .append(".stuck{fill:none;stroke:#c00;stroke-width:2;stroke-dasharray:4 3}.stuckline{stroke:#c00;stroke-width:1.5;stroke-dasharray:4 3}")
                .append("table.lin td{font:12px monospace;padding:1px 6px}tr.unplaced td{background:#f8c8c8}")
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
            String why = p.why() != null ? p.why() : p.verdict().expected() && p.verdict() != Verdict.DEVIATES ? null
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
        PropertyResult linearized = props.stream().filter(p -> p.linearization() != null).findFirst().orElse(null);
        Linearization lin = linearized == null ? null : linearized.linearization();
        h.append("<h2>Timeline</h2><p>One lane per worker; a box runs from the operation's invoke to its completion (blue ok, pink")
                .append(" failed, orange indeterminate, grey never completed); ✕ marks a worker that crashed or was killed, a red line")
                .append(" the harness's SIGKILL. Time in ms from the first event of the schedule. Click a box for its history line.")
                .append(blamed == null ? "" : " The operation the checker could not place (line " + (blamed + 1) + ") is outlined in red.")
                .append(lin == null ? "" : " The numbered points joined by a line are the checker's longest linearization (below).")
                .append("</p><div style=\"overflow-x:auto\">").append(svg(events, blamed, lin)).append("</div>");
        if (lin != null) {
            h.append(linearizationTable(events, lin, linearized.verdict()));
        }
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

    /**
     * The longest linearization as Porcupine lists it: each placed operation in order with the model's state
     * after it, then the operation(s) that could not be placed next, in red.
     */
    private static String linearizationTable(List<HistoryEvent> events, Linearization lin, Verdict verdict) {
        Map<Integer, OpSpan> spans = new HashMap<>();
        OpSpan.of(events).forEach(o -> spans.put(o.invoke().index(), o));
        String profile = verdict == Verdict.FAIL ? "what the column declares of itself" : "the documentation";
        StringBuilder t = new StringBuilder("<h2 id=\"linearization\">Longest linearization</h2><p>The checker ordered ")
                .append(RunVerdict.plural(lin.steps().size(), "operation"))
                .append(" one after the other, each within its time on the timeline and each worker's in program order, as ")
                .append(profile).append(" allows (numbered on the timeline); the state column is the model's state after each. ")
                .append(lin.unplaced().isEmpty() ? "Every operation was placed."
                        : "Then no order could go on: the operation(s) in red could not be placed next, and none of the other orders it tried got further.")
                .append("</p><table class=\"lin\"><tr><th>step</th><th>history line</th><th>worker</th><th>operation</th><th>model state after it</th></tr>")
                .append("<tr><td>0</td><td></td><td></td><td>(start)</td><td>").append(JUnitXml.esc(lin.initialState())).append("</td></tr>");
        for (int n = 0; n < lin.steps().size(); n++) {
            Linearization.Step st = lin.steps().get(n);
            t.append("<tr id=\"S").append(n + 1).append("\"><td>").append(n + 1).append("</td><td><a href=\"#L").append(st.eventIndex() + 1)
                    .append("\">").append(st.eventIndex() + 1).append("</a></td><td>").append(JUnitXml.esc(st.process())).append("</td><td>")
                    .append(JUnitXml.esc(label(spans, st.eventIndex(), st.operation()))).append("</td><td>").append(JUnitXml.esc(st.state()))
                    .append("</td></tr>");
        }
        for (Linearization.Unplaced u : lin.unplaced()) {
            t.append("<tr class=\"unplaced\"><td>✗</td><td><a href=\"#L").append(u.eventIndex() + 1).append("\">").append(u.eventIndex() + 1)
                    .append("</a></td><td>").append(JUnitXml.esc(u.process())).append("</td><td>")
                    .append(JUnitXml.esc(label(spans, u.eventIndex(), u.operation()))).append("</td><td>cannot go next: ")
                    .append(JUnitXml.esc(u.why())).append("</td></tr>");
        }
        return t.append("</table>").toString();
    }

    /** The operation's label on the timeline, or the model's words for it (a kill, a crash's death: no box of their own). */
    private static String label(Map<Integer, OpSpan> spans, int eventIndex, String words) {
        OpSpan o = spans.get(eventIndex);
        return o == null ? words : o.label();
    }

    private static String svg(List<HistoryEvent> events, Integer blamed, Linearization lin) {
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
        if (lin != null) {
            linearizationPoints(s, events, spans, lanes, lin, t0, end, scale);
        }
        return s.append("</svg>").toString();
    }

    /**
     * Porcupine's view over the lanes: each placed operation as a numbered point inside its box, the points
     * joined in linearization order, and a dashed red line from the last point to each operation that could
     * not be placed next (outlined dashed). A point is put as early in its box as the previous point allows:
     * every op was placed after the one before it and within its own interval, so the points run left to right.
     */
    private static void linearizationPoints(StringBuilder s, List<HistoryEvent> events, List<OpSpan> spans, Map<String, Integer> lanes,
                                            Linearization lin, long t0, long end, double scale) {
        Map<Integer, OpSpan> byInvoke = new HashMap<>();
        spans.forEach(o -> byInvoke.put(o.invoke().index(), o));
        Map<Integer, HistoryEvent> byIndex = new HashMap<>();
        events.forEach(e -> byIndex.put(e.index(), e));
        StringBuilder line = new StringBuilder();
        StringBuilder points = new StringBuilder();
        double previous = Double.NEGATIVE_INFINITY;
        double[] last = null;
        for (int n = 0; n < lin.steps().size(); n++) {
            Linearization.Step st = lin.steps().get(n);
            double[] box = where(st.eventIndex(), byInvoke, byIndex, lanes, t0, end, scale);
            if (box == null) {
                continue;
            }
            double x = Math.min(Math.max(previous + 2, box[0]), Math.max(box[0], box[1]));
            previous = x;
            last = new double[] {x, box[2]};
            line.append(line.length() == 0 ? "" : " ").append(fmt(x)).append(',').append(fmt(box[2]));
            points.append("<a href=\"#S").append(n + 1).append("\"><circle class=\"lp\" cx=\"").append(fmt(x)).append("\" cy=\"")
                    .append(fmt(box[2])).append("\" r=\"7\"><title>").append(JUnitXml.esc("step " + (n + 1) + ": " + st.process() + " "
                            + st.operation() + "\nthen: " + st.state())).append("</title></circle><text class=\"lpn\" text-anchor=\"middle\" x=\"")
                    .append(fmt(x)).append("\" y=\"").append(fmt(box[2] + 3)).append("\">").append(n + 1).append("</text></a>");
        }
        if (line.length() > 0) {
            s.append("<polyline class=\"lin\" points=\"").append(line).append("\"/>");
        }
        for (Linearization.Unplaced u : lin.unplaced()) {
            double[] box = where(u.eventIndex(), byInvoke, byIndex, lanes, t0, end, scale);
            if (box == null) {
                continue;
            }
            double x = Math.max(box[0], Math.min(box[1], Math.max(previous + 2, box[0])));
            s.append("<rect class=\"stuck\" x=\"").append(fmt(box[0] - 3)).append("\" y=\"").append(fmt(box[2] - BOX / 2.0 - 3))
                    .append("\" width=\"").append(fmt(Math.max(MIN_BOX, box[1] - box[0]) + 6)).append("\" height=\"").append(BOX + 6)
                    .append("\"><title>").append(JUnitXml.esc("could not be placed next: " + u.process() + " " + u.operation() + "\n" + u.why()))
                    .append("</title></rect>");
            if (last != null) {
                s.append("<line class=\"stuckline\" x1=\"").append(fmt(last[0])).append("\" y1=\"").append(fmt(last[1])).append("\" x2=\"")
                        .append(fmt(x)).append("\" y2=\"").append(fmt(box[2])).append("\"/>");
            }
            s.append("<text x=\"").append(fmt(x - 4)).append("\" y=\"").append(fmt(box[2] + 4))
                    .append("\" style=\"font:bold 13px sans-serif;fill:#c00\">✗</text>");
        }
        s.append(points);
    }

    /**
     * Where an op of the linearization lies: {x from, x to, y of its lane's centre line}. A worker's op is its box (an
     * op the engine saw blocked is placed where it gave up on it, at the box's end); a kill is the nemesis's kill
     * on the killed worker's lane, a crash's death the moment the worker died. Null when the history has no such event.
     */
    private static double[] where(int eventIndex, Map<Integer, OpSpan> byInvoke, Map<Integer, HistoryEvent> byIndex,
                                  Map<String, Integer> lanes, long t0, long end, double scale) {
        OpSpan o = byInvoke.get(eventIndex);
        if (o != null) {
            long stop = o.done() == null ? end : o.done().time();
            boolean blockedAtEnd = o.done() != null && Ending.BLOCKED.is(o.done().note());
            long from = blockedAtEnd ? stop : o.invoke().time();
            return new double[] {LEFT + (from - t0) * scale, LEFT + (stop - t0) * scale, centre(lanes.get(o.invoke().process()))};
        }
        HistoryEvent e = byIndex.get(eventIndex);
        String worker = e == null ? null : e.process().equals("nemesis") ? e.value() : e.process();
        if (worker == null || !lanes.containsKey(worker)) {
            return null;
        }
        double x = LEFT + (e.time() - t0) * scale;
        return new double[] {x, x, centre(lanes.get(worker))};
    }

    private static double centre(int lane) {
        return TOP + lane * LANE + 6 + BOX / 2.0;
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
            SafeFiles.writeString(page, render(report, r));
        }
    }
}
