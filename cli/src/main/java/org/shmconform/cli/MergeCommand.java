package org.shmconform.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.shmconform.history.ReportLayout;
import org.shmconform.reports.MergedReport;
import org.shmconform.engine.state.PrivateDirectory;
import org.shmconform.spi.files.SafeFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code shmconform merge RUN...}: runs from different machines as one matrix with a platform axis. */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Combine the results.json of runs on different machines (kernel, distribution, container runtime, Qt"
                + " version) into one report with a platform axis: merged.md and merged.html, the cells whose verdict differs"
                + " across platforms first, each linked to the scenario run's page in its own report folder.",
                "A RUN is a results.json, a run's report folder, or a report root (its 'latest' run).",
                "The last line is one summary: 'shmconform: PASS|FAIL — merge of N platforms: ...'.",
                "Exit status: 0 every run passed, 1 a run failed, 2 bad usage or a file that is not a results.json of this version."})
final class MergeCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN", arity = "1..*", description = "results.json files or report folders, one per platform.")
    List<Path> runs;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR", defaultValue = "shmconform-merged",
            description = "Where merged.md and merged.html go (default: ${DEFAULT-VALUE}).")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        SafeFiles.checkRoot(out, PrivateDirectory.myUid()); // before anything is read or written: a link, a file, another's folder is exit 2
        List<Path> files = new ArrayList<>();
        for (Path run : runs) {
            files.add(resultsJson(run));
        }
        MergedReport merged = MergedReport.read(files);
        ReportLayout report = ReportLayout.at(out);
        merged.write(report);
        PrintWriter w = spec.commandLine().getOut();
        for (int i = 0; i < merged.inputs().size(); i++) {
            MergedReport.Input in = merged.inputs().get(i);
            w.println("P" + (i + 1) + "  " + in.platform() + "  (" + in.resultsJson() + ")");
        }
        w.println("Report: " + report.mergedHtml() + " (and " + ReportLayout.MERGED_MD + ")");
        w.println(Ansi.summary(merged.summaryLine(report.dir())));
        w.flush();
        return merged.failed() ? Shmconform.FAILED : Shmconform.OK;
    }

    /** A results.json as given, or the one in a run folder, or in a report root's latest run. */
    static Path resultsJson(Path run) {
        if (Files.isRegularFile(run)) {
            return run;
        }
        for (Path candidate : List.of(ReportLayout.at(run).resultsJson(), ReportLayout.at(ReportLayout.latestLink(run)).resultsJson())) {
            if (Files.isRegularFile(candidate)) {
                try {
                    return candidate.toRealPath(); // the run's own folder, not 'latest', which moves with the next run
                } catch (java.io.IOException e) {
                    return candidate;
                }
            }
        }
        throw new Shmconform.UsageException(run + ": no results.json there (give a results.json, a run's report folder or a report root)");
    }
}
