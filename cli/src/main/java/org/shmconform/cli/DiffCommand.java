package org.shmconform.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.shmconform.reports.Baseline;
import org.shmconform.reports.RunDiff;
import org.shmconform.reports.RunSummary;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code shmconform diff OLD NEW}: every cell whose verdict changed between two runs, with both sides' evidence. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"Compare two results.json files cell by cell (column/environment/scenario/property) and print every"
                + " changed cell with the verdict, reason and history of both sides. 'run --baseline OLD' makes the same comparison.",
                "REGRESSION: PASS or DEVIATES became FAIL or UNKNOWN, PASS became DEVIATES, or a cell that was tried became"
                        + " NOT_AVAILABLE or is missing. IMPROVEMENT: the reverse. NEW: only in NEW. REMOVED: a NOT_AVAILABLE"
                        + " cell missing from NEW. CHANGED: another change (FAIL and UNKNOWN, NOT_AVAILABLE to FAIL or UNKNOWN).",
                "The last line is one summary: 'shmconform: PASS|FAIL — diff OLD NEW: counts'.",
                "OLD must be a run that finished (not interrupted); a cell listed twice in either file is refused.",
                "Exit status: 0 no regression, 1 a regression, 2 bad usage or a file that is not a results.json of this version."})
final class DiffCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "OLD", description = "The earlier results.json.")
    Path oldFile;

    @Parameters(index = "1", paramLabel = "NEW", description = "The later results.json.")
    Path newFile;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // A missing file, one that is not JSON or of another schema version: InvalidBaseline, one line and exit 2.
        RunSummary before = Baseline.readFinished(oldFile, "OLD");
        RunSummary after = Baseline.read(newFile, "NEW");
        RunDiff diff = RunDiff.compare(before, after);
        PrintWriter out = spec.commandLine().getOut();
        out.println("shmconform diff: OLD run " + before.runId() + " (" + before.started() + ") -> NEW run " + after.runId() + " ("
                + after.started() + ")");
        if (after.interrupted()) {
            out.println("NEW run " + after.runId() + " was interrupted: a cell it did not reach is missing (a regression)");
        }
        diff.lines(oldFile.getParent(), newFile.getParent()).forEach(out::println);
        if (diff.changes().isEmpty()) {
            out.println("no cell changed its verdict");
        }
        out.println(summaryLine(oldFile, newFile, diff));
        out.flush();
        return diff.regressed() ? Shmconform.FAILED : Shmconform.OK;
    }

    /** "shmconform: FAIL — diff a.json b.json: 1 regression, 0 improvements, 2 new, 0 removed, 0 other changes". */
    static String summaryLine(Path oldFile, Path newFile, RunDiff diff) {
        return "shmconform: " + (diff.regressed() ? "FAIL" : "PASS") + " — diff " + oldFile + " " + newFile + ": " + diff.tally();
    }
}
