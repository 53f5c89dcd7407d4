package org.shmconform.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.history.ReportLayout;

/**
 * The report files are written as root under a folder another user may have planted links in: a link at a report
 * file's place is replaced, never written through; a link where a directory of the report goes is refused. The
 * "root-only file" here is a file outside the report folder whose content must stay as it was.
 */
class ReportFilesNoFollowTest {
    private static final String SECRET = "root-only content\n";

    private static Path rootOnlyFile(Path dir) throws IOException {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        return Files.writeString(outside.resolve("shadow"), SECRET);
    }

    @Test
    void aLinkAtEveryReportFilesPlaceIsReplacedNotFollowed(@TempDir Path dir) throws Exception {
        Path secret = rootOnlyFile(dir);
        ReportLayout report = ReportLayout.at(Files.createDirectory(dir.resolve("run")));
        List<Path> files = List.of(report.resultsJson(), report.matrixMarkdown(), report.matrixHtml(), report.timelineHtml(),
                report.junitXml());
        for (Path f : files) {
            Files.createSymbolicLink(f, secret);
        }
        ReportWriter.write(report, ReportGoldenTest.fixedRun());
        assertEquals(SECRET, Files.readString(secret), "the link's target is untouched");
        for (Path f : files) {
            assertTrue(Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS), f + " is now a file of its own");
            assertFalse(Files.readString(f).isEmpty(), f + " holds the report");
        }
        try (var left = Files.list(report.dir())) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file is left");
        }
    }

    @Test
    void aLinkWhereTheRunPagesFolderGoesIsRefusedAndNothingIsWrittenThroughIt(@TempDir Path dir) throws Exception {
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        ReportLayout report = ReportLayout.at(Files.createDirectory(dir.resolve("run")));
        Files.createSymbolicLink(report.resolve(ReportLayout.RUNS_DIR), elsewhere);
        IOException e = assertThrows(IOException.class, () -> ReportWriter.write(report, ReportGoldenTest.fixedRun()));
        assertTrue(e.getMessage().contains("refusing " + report.resolve(ReportLayout.RUNS_DIR).toAbsolutePath()), e.getMessage());
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        try (var in = Files.list(elsewhere)) {
            assertEquals(0, in.count(), "no page was written into the link's target");
        }
    }

    @Test
    void aLinkAtMergedMdsPlaceIsReplacedNotFollowed(@TempDir Path dir) throws Exception {
        Path secret = rootOnlyFile(dir);
        Path run = dir.resolve("run");
        ReportWriter.write(run, ReportGoldenTest.fixedRun());
        ReportLayout merge = ReportLayout.at(Files.createDirectory(dir.resolve("merged")));
        Files.createSymbolicLink(merge.mergedMarkdown(), secret);
        Files.createSymbolicLink(merge.mergedHtml(), secret);
        MergedReport.read(List.of(run.resolve(ReportLayout.RESULTS_JSON))).write(merge);
        assertEquals(SECRET, Files.readString(secret), "the link's target is untouched");
        assertTrue(Files.isRegularFile(merge.mergedMarkdown(), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.readString(merge.mergedMarkdown()).startsWith("# shmconform"), "merged.md holds the merged report");
        assertTrue(Files.isRegularFile(merge.mergedHtml(), LinkOption.NOFOLLOW_LINKS));
    }
}
