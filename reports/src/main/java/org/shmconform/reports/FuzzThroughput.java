package org.shmconform.reports;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.shmconform.fuzz.FuzzResult;

/**
 * Per fuzz campaign (one per column), operations/s and schedules/s over the campaign's wall time, as two small
 * SVG line charts in the latency charts' plain style. A point's rate is over the fuzzing time of a sliding window
 * (at least a second, or a twentieth of the campaign): time spent shrinking a failure is not fuzzing, so a shrink
 * shows as a break in the line rather than as a dip. A dashed line marks the campaign's mean.
 */
final class FuzzThroughput {
    private static final int LEFT = 60;
    private static final int PLOT_W = 320;
    private static final int PLOT_H = 90;
    private static final int TOP = 8;

    private FuzzThroughput() {
    }

    /** Time not spent fuzzing between two samples beyond which the chart's line is broken (a shrink, not a slow schedule). */
    private static final long PAUSE_MILLIS = 1000;

    /** One rate at one moment: x in seconds of wall time, y per second of fuzzing; {@code afterPause}: the campaign paused before it. */
    record Point(double seconds, double rate, boolean afterPause) {
    }

    /** The charts of every campaign that recorded a series, or "" when none did. */
    static String html(List<FuzzResult> campaigns) {
        StringBuilder h = new StringBuilder();
        for (FuzzResult f : campaigns) {
            if (f.throughput() == null || f.throughput().size() < 2) {
                continue;
            }
            h.append("<figure class=\"throughput\"><figcaption><b>").append(JUnitXml.esc(f.backend())).append("</b></figcaption>")
                    .append(chart("operations/s", rates(f.throughput(), true), f.operationsPerSecond(), f.seconds()))
                    .append(chart("schedules/s", rates(f.throughput(), false), f.schedulesPerSecond(), f.seconds()))
                    .append("</figure>");
        }
        if (h.length() == 0) {
            return "";
        }
        return "<h3 id=\"fuzz-throughput\">Fuzz throughput over time</h3><p>Per column: operations and schedules per second of"
                + " fuzzing over a sliding window, against the campaign's wall time (a gap: a failure being shrunk); dashed, the"
                + " campaign's mean.</p><div style=\"display:flex;flex-wrap:wrap;gap:1em\">" + h + "</div>";
    }

    /** The sliding-window rates of a series: of operations, or of schedules. */
    static List<Point> rates(List<FuzzResult.Sample> series, boolean operations) {
        FuzzResult.Sample lastSample = series.get(series.size() - 1);
        long window = Math.max(1000, lastSample.fuzzMillis() / 20);
        List<Point> points = new ArrayList<>();
        int from = 0;
        for (int i = 1; i < series.size(); i++) {
            FuzzResult.Sample now = series.get(i);
            while (from + 1 < i && now.fuzzMillis() - series.get(from + 1).fuzzMillis() >= window) {
                from++;
            }
            FuzzResult.Sample then = series.get(from);
            long ms = now.fuzzMillis() - then.fuzzMillis();
            if (ms <= 0) {
                continue;
            }
            double done = operations ? now.operations() - then.operations() : now.schedules() - then.schedules();
            FuzzResult.Sample previous = series.get(i - 1);
            boolean pause = (now.millis() - previous.millis()) - (now.fuzzMillis() - previous.fuzzMillis()) > PAUSE_MILLIS;
            points.add(new Point(now.millis() / 1000.0, done * 1000.0 / ms, pause));
        }
        return points;
    }

    private static String chart(String what, List<Point> points, double mean, double seconds) {
        double xMax = Math.max(seconds, points.stream().mapToDouble(Point::seconds).max().orElse(1));
        xMax = xMax <= 0 ? 1 : xMax;
        double yMax = niceCeiling(Math.max(mean, points.stream().mapToDouble(Point::rate).max().orElse(1)));
        int width = LEFT + PLOT_W + 40;
        int height = TOP + PLOT_H + 30;
        int bottom = TOP + PLOT_H;
        StringBuilder s = new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"rate\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" style=\"font:10px monospace;display:block\"><title>").append(JUnitXml.esc(what)).append("</title>");
        for (int k = 0; k <= 2; k++) {
            double y = bottom - PLOT_H * k / 2.0;
            s.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(LEFT + PLOT_W).append("\" y1=\"").append(f(y)).append("\" y2=\"").append(f(y))
                    .append("\" stroke=\"#ddd\"/><text x=\"2\" y=\"").append(f(y + 3)).append("\">").append(number(yMax * k / 2)).append("</text>");
        }
        for (int k = 0; k <= 4; k++) {
            double x = LEFT + PLOT_W * k / 4.0;
            s.append("<line x1=\"").append(f(x)).append("\" x2=\"").append(f(x)).append("\" y1=\"").append(TOP).append("\" y2=\"").append(bottom)
                    .append("\" stroke=\"#eee\"/><text x=\"").append(f(x - 8)).append("\" y=\"").append(bottom + 12).append("\">")
                    .append(number(xMax * k / 4)).append(k == 4 ? " s" : "").append("</text>");
        }
        s.append("<text x=\"").append(LEFT).append("\" y=\"").append(bottom + 26).append("\">").append(JUnitXml.esc(what))
                .append(String.format(Locale.ROOT, ", mean %.1f", mean)).append("</text>");
        double meanY = bottom - PLOT_H * mean / yMax;
        s.append("<line class=\"mean\" x1=\"").append(LEFT).append("\" x2=\"").append(LEFT + PLOT_W).append("\" y1=\"").append(f(meanY))
                .append("\" y2=\"").append(f(meanY)).append("\" stroke=\"#c00\" stroke-dasharray=\"4 3\"/>");
        List<StringBuilder> lines = new ArrayList<>();
        StringBuilder dots = new StringBuilder();
        for (Point p : points) {
            double x = LEFT + PLOT_W * p.seconds() / xMax;
            double y = bottom - PLOT_H * p.rate() / yMax;
            if (lines.isEmpty() || p.afterPause()) {
                lines.add(new StringBuilder());
            }
            StringBuilder line = lines.get(lines.size() - 1);
            line.append(line.length() == 0 ? "" : " ").append(f(x)).append(',').append(f(y));
            dots.append("<circle cx=\"").append(f(x)).append("\" cy=\"").append(f(y)).append("\" r=\"1.5\" fill=\"#1a4f9c\"><title>")
                    .append(String.format(Locale.ROOT, "%.1f s: %.1f %s", p.seconds(), p.rate(), what)).append("</title></circle>");
        }
        // A pause (a failure being shrunk) breaks the line: no fuzzing happened there to draw.
        lines.forEach(line -> s.append("<polyline fill=\"none\" stroke=\"#1a4f9c\" stroke-width=\"1.5\" points=\"").append(line).append("\"/>"));
        s.append(dots);
        return s.append("</svg>").toString();
    }

    /** 1, 2 or 5 × 10^k at or above v. */
    private static double niceCeiling(double v) {
        if (v <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v - 1e-9) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String number(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
