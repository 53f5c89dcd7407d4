package org.shmconform.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.shmconform.fuzz.FuzzResult;

/** matrix.html's fuzz section charts each campaign's operations/s and schedules/s over time from its series. */
class FuzzThroughputTest {
    /** 10 schedules of 20 ops, one every 500 ms of fuzzing, with a 3 s shrink after the fifth. */
    private static List<FuzzResult.Sample> series() {
        List<FuzzResult.Sample> s = new ArrayList<>(List.of(new FuzzResult.Sample(0, 0, 0, 0)));
        for (int i = 1; i <= 10; i++) {
            s.add(new FuzzResult.Sample(i * 500L + (i > 5 ? 3000 : 0), i * 500L, i, i * 20L));
        }
        return s;
    }

    private static FuzzResult campaign(String column, List<FuzzResult.Sample> series) {
        return new FuzzResult(column, 1, 10, 200, 8.0, 5.0, List.of(), List.of(), Path.of("fuzz/" + column), null, series);
    }

    @Test
    void ratesAreOverFuzzingTimeInASlidingWindowAgainstWallTime() {
        List<FuzzThroughput.Point> ops = FuzzThroughput.rates(series(), true);
        assertEquals(10, ops.size());
        ops.forEach(p -> assertEquals(40.0, p.rate(), 1e-9, "20 ops per 500 ms of fuzzing, shrink or not: " + p));
        assertEquals(8.0, ops.get(9).seconds(), 1e-9, "x is wall time: the shrink's 3 s included");
        assertEquals(List.of(5), java.util.stream.IntStream.range(0, 10).filter(i -> ops.get(i).afterPause()).boxed().toList(),
                "the pause is before the sixth schedule's point");
        FuzzThroughput.rates(series(), false).forEach(p -> assertEquals(2.0, p.rate(), 1e-9));
        // A slowing campaign shows as a falling line: the last second ran one schedule, not two.
        List<FuzzResult.Sample> slowing = new ArrayList<>(series());
        slowing.add(new FuzzResult.Sample(9000, 6000, 11, 220));
        assertEquals(1.0, FuzzThroughput.rates(slowing, false).get(10).rate(), 1e-9);
    }

    @Test
    void matrixHtmlHasAChartWithPointsPerCampaignThatRecordedASeries(@TempDir Path dir) throws Exception {
        RunSummary run = new RunSummary(RunSummary.SCHEMA, "abcdef", "2026-12-02T00:00:00Z", "2026-12-02T00:01:00Z", 60_000, false,
                Map.of("kernel", "6.x"), List.of(new RunSummary.Column("sysv", "System V", true, null, Map.of())), List.of(),
                List.of(campaign("sysv", series()), campaign("posix", null)), null);
        ReportWriter.write(dir, run);
        String html = Files.readString(dir.resolve("matrix.html"));
        int section = html.indexOf("<h3 id=\"fuzz-throughput\">");
        assertTrue(section > html.indexOf("<table id=\"fuzz\">"), "the charts follow the fuzz table");
        String charts = html.substring(section, html.indexOf("</div>", section));
        assertTrue(charts.contains("<figcaption><b>sysv</b></figcaption>"));
        assertTrue(!charts.contains("<b>posix</b>"), "a campaign without a series has no chart");
        Matcher svg = Pattern.compile("<svg [^>]*class=\"rate\".*?</svg>").matcher(charts);
        List<String> svgs = new ArrayList<>();
        while (svg.find()) {
            svgs.add(svg.group());
        }
        assertEquals(2, svgs.size(), "operations/s and schedules/s");
        for (String s : svgs) {
            Matcher line = Pattern.compile("<polyline fill=\"none\" stroke=\"#1a4f9c\" stroke-width=\"1.5\" points=\"([^\"]+)\"").matcher(s);
            List<Integer> lengths = new ArrayList<>();
            while (line.find()) {
                lengths.add(line.group(1).split(" ").length);
            }
            assertEquals(List.of(5, 5), lengths, "one point per sample after the start, the line broken by the shrink");
            assertEquals(10, s.split("<circle ").length - 1);
            assertTrue(s.contains("class=\"mean\""), "the mean");
        }
        assertTrue(svgs.get(0).contains("operations/s, mean 40.0") && svgs.get(0).contains("8.0 s: 40.0 operations/s"), svgs.get(0));
        assertTrue(svgs.get(1).contains("schedules/s, mean 2.0"), svgs.get(1));
    }
}
