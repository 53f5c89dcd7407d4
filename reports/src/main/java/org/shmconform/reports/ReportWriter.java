package org.shmconform.reports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.shmconform.history.ReportLayout;

/**
 * Writes the report folder: results.json (the data), matrix.md and matrix.html (for people, every
 * cell linked to its evidence), a page per scenario run with its timeline and history (runs/, indexed by
 * timeline.html), junit.xml (for CI).
 * Where each goes is {@link ReportLayout}'s to say.
 */
public final class ReportWriter {
    private ReportWriter() {
    }

    public static void write(Path dir, RunSummary run) throws IOException {
        write(ReportLayout.at(dir), run);
    }

    public static void write(ReportLayout report, RunSummary run) throws IOException {
        Files.createDirectories(report.dir());
        Files.writeString(report.resultsJson(), ResultsJson.render(report.dir(), run));
        Latency latency = Latency.of(report, run);
        Files.writeString(report.matrixMarkdown(), MatrixMarkdown.render(run, latency));
        Files.writeString(report.matrixHtml(), MatrixHtml.render(run, latency));
        RunPage.writeAll(report, run);
        Files.writeString(report.timelineHtml(), TimelineHtml.render(report, run));
        Files.writeString(report.junitXml(), JUnitXml.render(report.dir(), run));
    }
}
