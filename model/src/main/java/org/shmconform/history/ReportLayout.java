package org.shmconform.history;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The one owner of a report folder's layout: every path under it, for every file any writer makes
 * (the report files, the evidence of each scenario run, the fuzz campaigns' saved schedules, the
 * workers' logs), and the names of the run folders under a report root. Writers ask it; none
 * spells a file name of its own.
 *
 * <pre>
 * &lt;root&gt;/&lt;yyyyMMdd-HHmmss&gt;-&lt;run id&gt;/   one run ({@link #forRun}); &lt;root&gt;/latest links to the newest
 *   results.json matrix.md matrix.html timeline.html junit.xml
 *   evidence/&lt;scenario&gt;--&lt;column&gt;[--&lt;env&gt;].schedule.json | .history.jsonl
 *   fuzz/&lt;column&gt;/                    a fuzz campaign folder ({@link #fuzzCampaign}), laid out as below
 *   runs/&lt;scenario&gt;--&lt;column&gt;[--&lt;env&gt;].html   one page per scenario run: its timeline and its history as a table
 *   logs/                              the workers' stderr
 * &lt;merge folder&gt;/merged.md merged.html      {@code shmconform merge}: many runs' results.json on a platform axis
 * &lt;campaign&gt;/seed-&lt;N&gt;/original.schedule.json | original.history.jsonl | shrunk.schedule.json | shrunk.history.jsonl
 * </pre>
 *
 * It lives in the engine because the suite (scenarios), the fuzzer (fuzz) and the report writers
 * (reports) all write into the same folder, and the engine is the module all three build on.
 */
public final class ReportLayout {
    /** The report files' names, relative to the folder (also the links between them). */
    public static final String RESULTS_JSON = "results.json";
    public static final String MATRIX_MD = "matrix.md";
    public static final String MATRIX_HTML = "matrix.html";
    public static final String TIMELINE_HTML = "timeline.html";
    public static final String JUNIT_XML = "junit.xml";
    /** The folder of the pages of each scenario run, and the merged report's files. */
    public static final String RUNS_DIR = "runs";
    public static final String MERGED_MD = "merged.md";
    public static final String MERGED_HTML = "merged.html";

    private static final DateTimeFormatter RUN_FOLDER_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final Path dir;

    private ReportLayout(Path dir) {
        this.dir = dir;
    }

    /** The folder {@code dir} as a report folder (a run's, a test's, or a fuzz campaign's). */
    public static ReportLayout at(Path dir) {
        return new ReportLayout(dir);
    }

    /** A run's own folder under a report root: {@code root/<yyyyMMdd-HHmmss UTC>-<run id>}. */
    public static ReportLayout forRun(Path root, Instant started, String runId) {
        return new ReportLayout(root.resolve(RUN_FOLDER_TIME.format(started) + "-" + runId));
    }

    /** The link under a report root that points at its newest run folder. */
    public static Path latestLink(Path root) {
        return root.resolve("latest");
    }

    public Path dir() {
        return dir;
    }

    public Path resultsJson() {
        return dir.resolve(RESULTS_JSON);
    }

    public Path matrixMarkdown() {
        return dir.resolve(MATRIX_MD);
    }

    public Path matrixHtml() {
        return dir.resolve(MATRIX_HTML);
    }

    public Path timelineHtml() {
        return dir.resolve(TIMELINE_HTML);
    }

    public Path junitXml() {
        return dir.resolve(JUNIT_XML);
    }

    /**
     * The page of one scenario run, relative to this folder (the link the matrix writes):
     * {@code runs/<scenario>--<column>}, then {@code --<env>} unless local; characters other than
     * letters, digits, '-', '_' and '.' become '_' (an environment is spelled "ipcns+shm").
     */
    public String runPageName(String scenarioId, String column, String env) {
        String base = scenarioId + "--" + column + (env.equals("local") ? "" : "--" + env);
        return RUNS_DIR + "/" + base.replaceAll("[^A-Za-z0-9._-]", "_") + ".html";
    }

    public Path runPage(String scenarioId, String column, String env) {
        return dir.resolve(runPageName(scenarioId, column, env));
    }

    /** {@code shmconform merge}'s report, for people: every run's cells on a platform axis. */
    public Path mergedMarkdown() {
        return dir.resolve(MERGED_MD);
    }

    public Path mergedHtml() {
        return dir.resolve(MERGED_HTML);
    }

    /** Where the workers' logs of the run are copied. */
    public Path logs() {
        return dir.resolve("logs");
    }

    /** A file named as results.json names it: relative to this folder. */
    public Path resolve(String relative) {
        return dir.resolve(relative);
    }

    /** The evidence of one scenario run: {@code evidence/<scenario>--<column>}, then {@code --<env>} unless local. */
    public Evidence scenarioEvidence(String scenarioId, String column, String env) {
        return new Evidence(dir, "evidence/" + scenarioId + "--" + column + (env.equals("local") ? "" : "--" + env));
    }

    /** One column's fuzz campaign folder inside a run's report: {@code fuzz/<column>}. */
    public ReportLayout fuzzCampaign(String column) {
        return new ReportLayout(dir.resolve("fuzz").resolve(column));
    }

    /** In a fuzz campaign folder: the generated schedule of a failing (or unjudged: UNKNOWN) seed, as first run. */
    public Evidence fuzzOriginal(long seed) {
        return new Evidence(dir, "seed-" + seed + "/original");
    }

    /** In a fuzz campaign folder: what the shrinker made of a failing seed. */
    public Evidence fuzzShrunk(long seed) {
        return new Evidence(dir, "seed-" + seed + "/shrunk");
    }

    @Override
    public String toString() {
        return dir.toString();
    }

    /**
     * A schedule file and the history file of its execution, side by side.
     *
     * @param dir  the report folder
     * @param base both files' path relative to it, without the extensions
     */
    public record Evidence(Path dir, String base) {
        /** The schedule file's path relative to the report folder (as results.json records it). */
        public String scheduleName() {
            return base + ".schedule.json";
        }

        /** The history file's path relative to the report folder (as results.json records it). */
        public String historyName() {
            return base + ".history.jsonl";
        }

        public Path scheduleFile() {
            return dir.resolve(scheduleName());
        }

        public Path historyFile() {
            return dir.resolve(historyName());
        }
    }
}
