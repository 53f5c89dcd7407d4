package org.shmconform.reports;

import java.io.IOException;
import java.nio.file.Path;
import org.shmconform.history.ReportLayout;
import org.shmconform.spi.files.SafeFiles;

/**
 * Writes the report folder: results.json (the data), matrix.md and matrix.html (for people, every
 * cell linked to its evidence), a page per scenario run with its timeline and history (runs/, indexed by
 * timeline.html), junit.xml (for CI).
 * Where each goes is {@link ReportLayout}'s to say. Every file is written by {@link SafeFiles}: a link at its
 * place is replaced, never followed.
 */
public final class ReportWriter {
    private ReportWriter() {
    }

    public static void write(Path dir, RunSummary run) throws IOException {
        write(ReportLayout.at(dir), run);
    }

    public static void write(ReportLayout report, RunSummary run) throws IOException {
        SafeFiles.makeDirectories(report.dir());
        SafeFiles.writeString(report.resultsJson(), ResultsJson.render(report.dir(), run));
        Latency latency = Latency.of(report, run);
        SafeFiles.writeString(report.matrixMarkdown(), MatrixMarkdown.render(run, latency));
        SafeFiles.writeString(report.matrixHtml(), MatrixHtml.render(run, latency));
        RunPage.writeAll(report, run);
        SafeFiles.writeString(report.timelineHtml(), TimelineHtml.render(report, run));
        SafeFiles.writeString(report.junitXml(), JUnitXml.render(report.dir(), run));
    }
}
