package org.shmconform.reports;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.history.EventType;
import org.shmconform.history.History;
import org.shmconform.history.ReportLayout;

/**
 * Per column, the latency of every operation kind: the time from an operation's invoke to its completion
 * in the histories, in HdrHistogram (3 significant digits). Only completed operations (ok or fail) count:
 * an indeterminate one (a killed worker's) has no end. A history that cannot be read is left out and said.
 */
final class Latency {
    /** column → operation kind → histogram of nanoseconds. */
    private final Map<String, Map<String, Histogram>> byColumn = new TreeMap<>();
    private final List<String> unreadable = new ArrayList<>();

    static Latency none() {
        return new Latency();
    }

    static Latency of(ReportLayout report, RunSummary run) {
        Latency l = new Latency();
        for (ScenarioResult r : run.results()) {
            if (r.historyFile() == null) {
                continue;
            }
            try {
                for (OpSpan o : OpSpan.of(History.read(report.resolve(r.historyFile())).events())) {
                    if (o.done() != null && o.done().type() != EventType.info) {
                        l.add(r.column(), o.invoke().f(), o.nanos());
                    }
                }
            } catch (IOException | RuntimeException e) {
                l.unreadable.add(r.historyFile());
            }
        }
        return l;
    }

    void add(String column, String kind, long nanos) {
        byColumn.computeIfAbsent(column, c -> new TreeMap<>()).computeIfAbsent(kind, k -> new Histogram(3)).recordValue(Math.max(0, nanos));
    }

    boolean isEmpty() {
        return byColumn.isEmpty();
    }

    /** One row per column and operation kind: count, p50, p90, p99, max in microseconds. */
    List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        byColumn.forEach((c, kinds) -> kinds.forEach((k, h) -> rows.add(new Row(c, k, h.getTotalCount(), us(h.getValueAtPercentile(50)),
                us(h.getValueAtPercentile(90)), us(h.getValueAtPercentile(99)), us(h.getMaxValue())))));
        return rows;
    }

    List<String> unreadable() {
        return unreadable;
    }

    private static double us(long nanos) {
        return nanos / 1000.0;
    }

    record Row(String column, String kind, long count, double p50, double p90, double p99, double max) {
    }

    /** The rows as a markdown table (matrix.md says what the charts show). */
    String markdown() {
        if (isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("## Latency per operation (µs, HdrHistogram)\n\n| column | operation | n | p50 | p90 | p99 | max |\n|---|---|---|---|---|---|---|\n");
        rows().forEach(r -> md.append(String.format(Locale.ROOT, "| %s | %s | %d | %.1f | %.1f | %.1f | %.1f |%n", r.column(), r.kind(), r.count(),
                r.p50(), r.p90(), r.p99(), r.max())));
        unreadable.forEach(u -> md.append("\nNot counted (history unreadable): ").append(u).append('\n'));
        return md.append('\n').toString();
    }

    /**
     * A small SVG per column: one row per operation kind on a logarithmic µs axis, a bar from p50 to p99,
     * ticks at p50, p90 and p99, a dot at the maximum, the figures written beside it.
     */
    String html() {
        if (isEmpty()) {
            return "";
        }
        StringBuilder h = new StringBuilder("<h2 id=\"latency\">Latency per operation</h2><p>From each history's invoke and completion")
                .append(" times (HdrHistogram): bar p50–p99, ticks p50/p90/p99, dot the maximum; logarithmic µs axis. Indeterminate")
                .append(" operations (a killed worker's) are not counted.</p><div style=\"display:flex;flex-wrap:wrap;gap:1em\">");
        double lo = 1;
        double hi = 10;
        for (Row r : rows()) {
            hi = Math.max(hi, r.max());
        }
        double decades = Math.ceil(Math.log10(hi));
        for (Map.Entry<String, Map<String, Histogram>> c : byColumn.entrySet()) {
            List<Row> rows = rows().stream().filter(r -> r.column().equals(c.getKey())).toList();
            int left = 80;
            int plot = 300;
            int height = rows.size() * 18 + 36;
            StringBuilder s = new StringBuilder("<figure><figcaption><b>").append(JUnitXml.esc(c.getKey())).append("</b></figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                    .append(left + plot + 300).append("\" height=\"").append(height).append("\" style=\"font:10px monospace\">");
            for (int d = 0; d <= decades; d++) {
                double x = left + plot * d / decades;
                s.append("<line x1=\"").append(f(x)).append("\" x2=\"").append(f(x)).append("\" y1=\"0\" y2=\"").append(height - 20)
                        .append("\" stroke=\"#ddd\"/><text x=\"").append(f(x - 8)).append("\" y=\"").append(height - 8).append("\">")
                        .append(d < 3 ? (long) Math.pow(10, d) + "µs" : d < 6 ? (long) Math.pow(10, d - 3) + "ms" : (long) Math.pow(10, d - 6) + "s")
                        .append("</text>");
            }
            for (int i = 0; i < rows.size(); i++) {
                Row r = rows.get(i);
                int y = i * 18 + 12;
                double x50 = x(r.p50(), lo, decades, left, plot);
                double x99 = x(r.p99(), lo, decades, left, plot);
                s.append("<text x=\"2\" y=\"").append(y + 4).append("\">").append(JUnitXml.esc(r.kind())).append("</text>")
                        .append("<rect x=\"").append(f(x50)).append("\" y=\"").append(y - 4).append("\" width=\"").append(f(Math.max(2, x99 - x50)))
                        .append("\" height=\"8\" fill=\"#9cc3ff\"/>");
                for (double p : new double[] {r.p50(), r.p90(), r.p99()}) {
                    double x = x(p, lo, decades, left, plot);
                    s.append("<line x1=\"").append(f(x)).append("\" x2=\"").append(f(x)).append("\" y1=\"").append(y - 6).append("\" y2=\"")
                            .append(y + 6).append("\" stroke=\"#1a4f9c\"/>");
                }
                s.append("<circle cx=\"").append(f(x(r.max(), lo, decades, left, plot))).append("\" cy=\"").append(y).append("\" r=\"3\" fill=\"#c00\"/>")
                        .append("<text x=\"").append(left + plot + 8).append("\" y=\"").append(y + 4).append("\">")
                        .append(String.format(Locale.ROOT, "n=%d p50 %s p99 %s max %s", r.count(), t(r.p50()), t(r.p99()), t(r.max())))
                        .append("<title>").append(String.format(Locale.ROOT, "%s %s: n=%d p50 %.1f µs, p90 %.1f µs, p99 %.1f µs, max %.1f µs",
                                r.column(), r.kind(), r.count(), r.p50(), r.p90(), r.p99(), r.max())).append("</title></text>");
            }
            h.append(s).append("</svg></figure>");
        }
        h.append("</div>");
        unreadable.forEach(u -> h.append("<p>Not counted (history unreadable): ").append(JUnitXml.esc(u)).append("</p>"));
        return h.toString();
    }

    private static double x(double us, double lo, double decades, int left, int plot) {
        return left + plot * Math.max(0, Math.log10(Math.max(us, lo))) / decades;
    }

    private static String t(double us) {
        return us < 1000 ? String.format(Locale.ROOT, "%.0fµs", us) : us < 1e6 ? String.format(Locale.ROOT, "%.1fms", us / 1000)
                : String.format(Locale.ROOT, "%.2fs", us / 1e6);
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
