package org.shmconform.history;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The report folder's layout is a contract: results.json records evidence paths relative to the folder,
 * {@code shmconform replay} is pointed at saved schedules, and baselines of earlier runs name the same
 * files. These are the names every report so far has used; changing one is a format change.
 */
class ReportLayoutTest {
    private static final Path ROOT = Path.of("reports");

    @Test
    void aRunFolderIsNamedByItsUtcStartAndRunId() {
        ReportLayout run = ReportLayout.forRun(ROOT, Instant.parse("2026-12-02T04:04:29.123Z"), "orszdr");
        assertEquals(Path.of("reports", "20261202-040429-orszdr"), run.dir());
        assertEquals(Path.of("reports", "latest"), ReportLayout.latestLink(ROOT));
    }

    @Test
    void theReportFiles() {
        ReportLayout r = ReportLayout.at(ROOT);
        assertEquals(Path.of("reports", "results.json"), r.resultsJson());
        assertEquals(Path.of("reports", "matrix.md"), r.matrixMarkdown());
        assertEquals(Path.of("reports", "matrix.html"), r.matrixHtml());
        assertEquals(Path.of("reports", "timeline.html"), r.timelineHtml());
        assertEquals(Path.of("reports", "junit.xml"), r.junitXml());
        assertEquals(Path.of("reports", "logs"), r.logs());
    }

    @Test
    void scenarioEvidenceNamesTheEnvironmentUnlessLocal() {
        ReportLayout r = ReportLayout.at(ROOT);
        ReportLayout.Evidence local = r.scenarioEvidence("lock-excludes", "posix", "local");
        assertEquals("evidence/lock-excludes--posix.schedule.json", local.scheduleName());
        assertEquals("evidence/lock-excludes--posix.history.jsonl", local.historyName());
        assertEquals(Path.of("reports", "evidence", "lock-excludes--posix.history.jsonl"), local.historyFile());
        ReportLayout.Evidence ns = r.scenarioEvidence("crash-survives", "sysv", "ipcns+shm");
        assertEquals("evidence/crash-survives--sysv--ipcns+shm.schedule.json", ns.scheduleName());
        assertEquals(r.resolve(ns.historyName()), ns.historyFile());
    }

    @Test
    void aFuzzCampaignKeepsEachFailingSeedInItsOwnFolder() {
        ReportLayout campaign = ReportLayout.at(ROOT).fuzzCampaign("sysv");
        assertEquals(Path.of("reports", "fuzz", "sysv"), campaign.dir());
        assertEquals(Path.of("reports", "fuzz", "sysv", "seed-7", "original.schedule.json"), campaign.fuzzOriginal(7).scheduleFile());
        assertEquals(Path.of("reports", "fuzz", "sysv", "seed-7", "original.history.jsonl"), campaign.fuzzOriginal(7).historyFile());
        assertEquals(Path.of("reports", "fuzz", "sysv", "seed-7", "shrunk.schedule.json"), campaign.fuzzShrunk(7).scheduleFile());
        assertEquals(Path.of("reports", "fuzz", "sysv", "seed-7", "shrunk.history.jsonl"), campaign.fuzzShrunk(7).historyFile());
    }
}
