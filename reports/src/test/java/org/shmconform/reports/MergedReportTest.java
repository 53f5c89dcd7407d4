package org.shmconform.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;
import org.shmconform.history.ReportLayout;

/** Two machines' results.json, as written, become one matrix whose platform axis says what differs between the machines. */
class MergedReportTest {
    private static RunSummary run(String kernel, String distro, String engine, Verdict lock) {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("kernel", kernel);
        env.put("distribution", distro);
        Map<String, Object> envs = new LinkedHashMap<>();
        envs.put("local", Map.of("ipc", "ipc:[1]"));
        if (engine != null) {
            envs.put("docker-private", Map.of("engine", engine, "engineApi", "1.41"));
        }
        env.put("environments", envs);
        List<ScenarioResult> results = List.of(
                new ScenarioResult("data-shared", "t", "sysv", "local", List.of(new PropertyResult("DATA-SHARED", Verdict.PASS, null, null, List.of())),
                        null, null, 10, null, List.of()),
                new ScenarioResult("lock-excludes", "t", "qt", "local", List.of(new PropertyResult("LOCK-EXCLUSIVE", lock,
                        lock == Verdict.FAIL ? "B acquired the lock while A held it" : null, lock == Verdict.FAIL ? 6 : null, List.of())),
                        null, null, 10, null, List.of()));
        return new RunSummary(RunSummary.SCHEMA, kernel.substring(0, 4), "2026-12-02T00:00:00Z", "2026-12-02T00:01:00Z", 60_000, false, env,
                List.of(new RunSummary.Column("sysv", "System V", true, null, Map.of()),
                        new RunSummary.Column("qt", "Qt 6.4's own QSharedMemory", true, null, Map.of())), results, List.of(), null);
    }

    @Test
    void twoPlatformsOneMatrixTheDifferingCellFirstEachLinkedToItsRun(@TempDir Path dir) throws Exception {
        Path host = dir.resolve("host");
        Path trixie = dir.resolve("trixie");
        ReportWriter.write(host, run("6.18.44", "Debian GNU/Linux 12 (bookworm)", "20.10.24", Verdict.PASS));
        ReportWriter.write(trixie, run("6.12.9", "Debian GNU/Linux 13 (trixie)", null, Verdict.FAIL));
        MergedReport merged = MergedReport.read(List.of(host.resolve("results.json"), trixie.resolve("results.json")));

        assertEquals("kernel 6.18.44 · Debian GNU/Linux 12 (bookworm) · docker 20.10.24 · qt: Qt 6.4", merged.inputs().get(0).platform());
        assertEquals("kernel 6.12.9 · Debian GNU/Linux 13 (trixie) · no container runtime · qt: Qt 6.4", merged.inputs().get(1).platform());
        List<MergedReport.Row> rows = merged.rows();
        assertEquals("LOCK-EXCLUSIVE", rows.get(0).property(), "the cell that differs comes first");
        assertTrue(rows.get(0).differs());
        assertFalse(rows.get(1).differs());
        assertFalse(new MergedReport.Row("sysv", "ipcns", "DATA-SHARED", java.util.Arrays.asList(
                new MergedReport.Entry(Verdict.PASS, null, "data-shared", "runs/x.html"), null)).differs(),
                "a cell one platform did not run is no difference");
        assertTrue(merged.failed());
        assertEquals("shmconform: FAIL — merge of 2 platforms: 1 cell differs across platforms; FAIL on 1 platform", merged.summaryLine(null));

        Path out = dir.resolve("merged");
        merged.write(ReportLayout.at(out));
        String html = Files.readString(ReportLayout.at(out).mergedHtml());
        String md = Files.readString(ReportLayout.at(out).mergedMarkdown());
        for (String page : List.of(html, md)) {
            assertTrue(page.contains("Debian GNU/Linux 13 (trixie)") && page.contains("B acquired the lock while A held it"), page);
        }
        Matcher links = Pattern.compile("href=\"([^\"#]+)").matcher(html);
        int n = 0;
        while (links.find()) {
            assertTrue(Files.isRegularFile(out.resolve(links.group(1)).normalize()), "link to an existing page: " + links.group(1));
            n++;
        }
        assertEquals(2 + 4, n, "each platform's matrix, and each cell on each platform");
        assertTrue(html.contains("../trixie/runs/lock-excludes--qt.html#L7"), "the FAIL opens its history line on its platform's run page");
    }

    @Test
    void aFileThatIsNoResultsJsonIsOneLine(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("results.json");
        Files.writeString(bad, "{\"schema\":\"shmconform-results/1\",\"results\":[]}");
        try {
            MergedReport.read(List.of(bad));
            throw new AssertionError("accepted");
        } catch (Baseline.InvalidBaseline e) {
            assertTrue(e.getMessage().contains("another version"), e.getMessage());
        }
    }
}
