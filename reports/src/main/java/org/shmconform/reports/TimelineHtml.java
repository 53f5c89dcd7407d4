package org.shmconform.reports;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.history.ReportLayout;
import org.shmconform.history.EventType;
import org.shmconform.history.History;
import org.shmconform.history.HistoryEvent;
import org.shmconform.history.HexText;

/**
 * timeline.html: one self-contained page, a section per scenario run, one lane per worker, one box
 * per operation from invoke to completion (ok blue, fail pink, info orange; a red line for a kill),
 * details in the tooltip. The operation a verdict blames is outlined.
 */
final class TimelineHtml {
    private static final int WIDTH = 1100;
    private static final int LANE = 26;
    private static final int MAX_EVENTS = 3000;

    private TimelineHtml() {
    }

    static String anchor(ScenarioResult r) {
        return (r.scenario() + "--" + r.column() + "--" + r.env()).replaceAll("[^A-Za-z0-9_-]", "_");
    }

    static String render(ReportLayout report, RunSummary run) {
        StringBuilder h = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>shmconform timelines</title><style>")
                .append("body{font-family:sans-serif;margin:1.5em}section{margin-bottom:2em}svg text{font:11px monospace}")
                .append(".ok{fill:#6fa8ff}.fail{fill:#ffadc6}.info{fill:#ffb65c}.blame{stroke:#c00;stroke-width:3}")
                .append("</style></head><body><h1>Timelines</h1><p>Hover a box for the operation, its arguments and its result.</p>");
        for (ScenarioResult r : run.results()) {
            if (r.historyFile() == null) {
                continue;
            }
            h.append("<section id=\"").append(anchor(r)).append("\"><h2>").append(JUnitXml.esc(r.scenario())).append(" · ")
                    .append(JUnitXml.esc(r.column())).append(" · ").append(JUnitXml.esc(r.env())).append(" — ").append(r.verdict())
                    .append("</h2><p>").append(JUnitXml.esc(r.title())).append("</p>");
            for (PropertyResult p : r.properties()) {
                if (p.why() != null) {
                    h.append("<p><b>").append(p.property()).append(' ').append(p.verdict()).append("</b>: ")
                            .append(JUnitXml.esc(p.why())).append("</p>");
                }
            }
            if (r.reason() != null && !r.reason().isBlank()) {
                h.append("<p><b>reason</b>: ").append(JUnitXml.esc(r.reason())).append("</p>");
            }
            if (r.notes() != null && !r.notes().isEmpty()) {
                h.append("<p><b>notes</b>: ").append(JUnitXml.esc(String.join("; ", r.notes()))).append("</p>");
            }
            try {
                h.append(svg(History.read(report.resolve(r.historyFile())).events(), blamed(r)));
            } catch (IOException e) {
                h.append("<p>history unreadable: ").append(JUnitXml.esc(e.getMessage())).append("</p>");
            }
            h.append("<p><a href=\"").append(r.historyFile()).append("\">history</a> · <a href=\"").append(r.scheduleFile())
                    .append("\">schedule</a></p></section>");
        }
        return h.append("</body></html>\n").toString();
    }

    private static Integer blamed(ScenarioResult r) {
        return r.properties().stream().map(PropertyResult::eventIndex).filter(i -> i != null).findFirst().orElse(null);
    }

    private static String svg(List<HistoryEvent> events, Integer blamed) {
        if (events.size() > MAX_EVENTS) {
            events = events.subList(0, MAX_EVENTS);
        }
        Map<String, Integer> lanes = new LinkedHashMap<>();
        long end = 1;
        for (HistoryEvent e : events) {
            if (!e.process().equals("nemesis")) {
                lanes.putIfAbsent(e.process(), lanes.size());
            }
            end = Math.max(end, e.time());
        }
        double scale = (WIDTH - 60.0) / end;
        StringBuilder s = new StringBuilder("<svg width=\"" + WIDTH + "\" height=\"" + (lanes.size() * LANE + 10) + "\">");
        lanes.forEach((p, i) -> s.append("<text x=\"2\" y=\"").append(i * LANE + 17).append("\">").append(JUnitXml.esc(p)).append("</text>"));
        Map<String, HistoryEvent> open = new HashMap<>();
        List<String> kills = new ArrayList<>();
        for (HistoryEvent e : events) {
            if (e.process().equals("nemesis")) {
                if (e.type() == EventType.invoke && lanes.containsKey(e.value())) {
                    double x = 50 + e.time() * scale;
                    int y = lanes.get(e.value()) * LANE;
                    kills.add("<line x1=\"" + x + "\" x2=\"" + x + "\" y1=\"" + y + "\" y2=\"" + (y + LANE) + "\" stroke=\"#d00\" stroke-width=\"2\">"
                            + "<title>SIGKILL " + JUnitXml.esc(e.value()) + " (" + JUnitXml.esc(e.note()) + ")</title></line>");
                }
                continue;
            }
            if (e.type() == EventType.invoke) {
                open.put(e.process(), e);
                continue;
            }
            HistoryEvent inv = open.remove(e.process());
            if (inv == null) {
                continue;
            }
            double x = 50 + inv.time() * scale;
            double w = Math.max(2, (e.time() - inv.time()) * scale);
            int y = lanes.get(e.process()) * LANE + 4;
            String cls = e.type().name() + (blamed != null && blamed == inv.index() ? " blame" : "");
            s.append("<rect class=\"").append(cls).append("\" x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"")
                    .append(w).append("\" height=\"").append(LANE - 8).append("\"><title>").append(JUnitXml.esc(tooltip(inv, e)))
                    .append("</title></rect>");
        }
        kills.forEach(s::append);
        return s.append("</svg>").toString();
    }

    private static String tooltip(HistoryEvent inv, HistoryEvent done) {
        StringBuilder t = new StringBuilder("#" + inv.index() + " " + inv.process() + " " + inv.f());
        if (inv.key() != null) {
            t.append(" key=").append(inv.key());
        }
        if (inv.size() != null) {
            t.append(" size=").append(inv.size());
        }
        if (inv.mode() != null) {
            t.append(' ').append(inv.mode());
        }
        if (inv.offset() != null) {
            t.append(" @").append(inv.offset());
        }
        if (inv.data() != null) {
            t.append(' ').append(HexText.quoted(inv.data()));
        }
        t.append("\n→ ").append(done.type());
        if (done.data() != null) {
            t.append(' ').append(HexText.quoted(done.data()));
        }
        if (done.value() != null) {
            t.append(' ').append(done.value());
        }
        if (done.error() != null && !"NoError".equals(done.error())) {
            t.append(' ').append(done.error()).append(": ").append(done.errorString());
        }
        if (done.note() != null) {
            t.append(" (").append(done.note()).append(done.exitStatus() == null ? "" : ", exit " + done.exitStatus()).append(')');
        }
        t.append(String.format("%n%.3f–%.3f ms", inv.time() / 1e6, done.time() / 1e6));
        return t.toString();
    }
}
