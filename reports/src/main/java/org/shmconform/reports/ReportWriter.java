package org.shmconform.reports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the report folder: results.json (the data), matrix.md and matrix.html (for people, every
 * cell linked to its evidence), timeline.html (every history as lanes, Porcupine-style), junit.xml (for CI).
 */
public final class ReportWriter {
    private ReportWriter() {
    }

    public static void write(Path dir, RunSummary run) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("results.json"), ResultsJson.render(dir, run));
        Files.writeString(dir.resolve("matrix.md"), MatrixMarkdown.render(run));
        Files.writeString(dir.resolve("matrix.html"), MatrixHtml.render(run));
        Files.writeString(dir.resolve("timeline.html"), TimelineHtml.render(dir, run));
        Files.writeString(dir.resolve("junit.xml"), JUnitXml.render(dir, run));
    }
}
