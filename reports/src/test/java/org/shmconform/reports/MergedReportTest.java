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
import org.shmconform.fuzz.FuzzResult;
import org.shmconform.history.ReportLayout;

/** Two machines' results.json, as written, become one matrix whose platform axis says what differs between the machines. */
class MergedReportTest {
    private static final String JDK17 = "OpenJDK 64-Bit Server VM 17.0.15+6-Debian-1deb12u1";
    private static final String JDK21 = "OpenJDK 64-Bit Server VM 21.0.13+9-Debian-1deb13u2";

    private static RunSummary run(String kernel, String distro, String libc, String java, String engine, Verdict lock, List<FuzzResult> fuzz) {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("kernel", kernel);
        env.put("distribution", distro);
        env.put("libc", libc);
        env.put("java", java);
        env.put("kernel.shmmni", "4096");
        Map<String, Object> envs = new LinkedHashMap<>();
        Map<String, Object> local = new LinkedHashMap<>();
        local.put("ipc", "ipc:[4026531839]");
        local.put("shm", "mnt:[" + distro.length() + "]/dev23");
        envs.put("local", local);
        if (engine != null) {
            Map<String, Object> docker = new LinkedHashMap<>();
            docker.put("engine", engine);
            docker.put("engineApi", "1.41");
            envs.put("docker-private", docker);
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
                        new RunSummary.Column("qt", "Qt 6.4's own QSharedMemory", true, null, Map.of())), results, fuzz, null);
    }

    private static FuzzResult fuzz(String column, int schedules, FuzzResult.Failure... failures) {
        return new FuzzResult(column, 1, schedules, schedules * 10L, 2.0, 1.5, List.of(failures), List.of(), Path.of("fuzz", column));
    }

    @Test
    void twoPlatformsOneMatrixTheDifferingCellFirstEachLinkedToItsRun(@TempDir Path dir) throws Exception {
        Path host = dir.resolve("host");
        Path trixie = dir.resolve("trixie");
        FuzzResult.Failure broken = new FuzzResult.Failure(7, "LOCK-EXCLUSIVE", "B acquired the lock", 3, 3, 9, 2, 1, 3, 2, 0,
                "B acquired the lock", 12, false, Path.of("fuzz/sysv/seed-7/original.schedule.json"), null, null, null);
        ReportWriter.write(host, run("6.18.44", "Debian GNU/Linux 12 (bookworm)", "glibc 2.36", JDK17, "20.10.24", Verdict.PASS,
                List.of(fuzz("sysv", 20), fuzz("qt", 20))));
        ReportWriter.write(trixie, run("6.18.44", "Debian GNU/Linux 13 (trixie)", "glibc 2.41", JDK21, null, Verdict.FAIL,
                List.of(fuzz("sysv", 20, broken))));
        MergedReport merged = MergedReport.read(List.of(host.resolve("results.json"), trixie.resolve("results.json")));

        assertEquals("Debian GNU/Linux 12 (bookworm) · glibc 2.36 · " + JDK17 + " · kernel 6.18.44 · docker 20.10.24 · qt: Qt 6.4",
                merged.inputs().get(0).platform());
        assertEquals("Debian GNU/Linux 13 (trixie) · glibc 2.41 · " + JDK21 + " · kernel 6.18.44 · no container runtime · qt: Qt 6.4",
                merged.inputs().get(1).platform());

        // The platform axis: every recorded fact side by side, the differing ones marked; one kernel, two userlands.
        Map<String, MergedReport.Fact> facts = new LinkedHashMap<>();
        merged.facts().forEach(f -> facts.put(f.name(), f));
        assertEquals(List.of("distribution", "libc", "java", "kernel", "container runtime", "Qt", "kernel.shmmni", "local: ipc", "local: shm",
                "docker-private: engine", "docker-private: engineApi"),
                List.copyOf(facts.keySet()), "the platform axis first, then the other facts, then each environment's");
        for (String differing : List.of("distribution", "libc", "java", "container runtime", "local: shm")) {
            assertTrue(facts.get(differing).differs(), differing + " " + facts.get(differing));
        }
        for (String same : List.of("kernel", "Qt", "kernel.shmmni", "local: ipc")) {
            assertFalse(facts.get(same).differs(), same + " " + facts.get(same));
        }
        assertEquals(List.of("docker 20.10.24", "none"), facts.get("container runtime").values());
        assertEquals(List.of("glibc 2.36", "glibc 2.41"), facts.get("libc").values());

        // Each column's fuzz campaign side by side: what one platform found and the other did not differs.
        List<MergedReport.FuzzRow> fuzz = merged.fuzz();
        assertEquals(List.of("sysv", "qt"), fuzz.stream().map(MergedReport.FuzzRow::column).toList());
        assertTrue(fuzz.get(0).differs(), "LOCK-EXCLUSIVE found on one platform only");
        assertFalse(fuzz.get(1).differs(), "a column one platform did not fuzz is no difference");
        assertEquals(null, fuzz.get(1).campaigns().get(1));
        assertEquals("20 schedules, 200 operations, 1 failure (LOCK-EXCLUSIVE seed 7)", MergedReport.fuzzText(fuzz.get(0).campaigns().get(1)));
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
            assertTrue(page.contains("glibc 2.41") && page.contains(JDK21) && page.contains("local: ipc"), "the platform facts in both formats");
            assertTrue(page.contains("1 failure (LOCK-EXCLUSIVE seed 7)") && page.contains("200 operations, 0 failures"), "the fuzz in both formats");
        }
        assertTrue(md.contains("| libc | **yes** | glibc 2.36 | glibc 2.41 |"), md);
        assertTrue(md.contains("| kernel |  | 6.18.44 | 6.18.44 |"), md);
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
