package org.shmconform.cli;

import org.shmconform.engine.Subjects;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.shmconform.engine.Trial;
import org.shmconform.fuzz.Replay;
import org.shmconform.schedule.ScheduleValidation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code shmconform replay FILE}: runs one saved schedule again on real workers and prints its history and verdict. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Run a saved schedule (a fuzzer's shrunk.schedule.json, or a report's evidence/*.schedule.json) on real"
                + " workers and print its history and verdict. The file is checked first (known fields, workers, operations,"
                + " modes, arguments in range) and every worker's backend and environment must be available here.",
                "The last line is one summary: 'shmconform: PASS|FAIL — replay FILE: ...'.",
                "Exit status: 0 passes, 1 fails or undecided, 2 bad usage, an invalid schedule or one that cannot run here."})
final class ReplayCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The schedule file.")
    Path file;

    @Option(names = {"-b", "--backend"}, paramLabel = "NAME",
            description = "The column whose declared semantics judge the history (default: the first worker's).")
    String backend;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new Shmconform.UsageException("cannot read " + file);
        }
        if (backend != null && !Subjects.here().names().contains(backend)) {
            throw new Shmconform.UsageException("no backend named '" + backend + "'; known: "
                    + String.join(", ", Subjects.here().names()));
        }
        // An invalid file (InvalidSchedule) or one that cannot run here (NotRunnableHere) is exit 2 with its one line.
        Trial checked;
        try {
            checked = Replay.run(file, backend, org.shmconform.engine.ScheduleRunner.Timing.defaults());
        } catch (Replay.ProbeUndecided e) {
            System.out.println("shmconform: UNKNOWN — " + e.getMessage()); // nothing tried: not a pass (exit 1)
            return Shmconform.FAILED;
        }
        Replay.print(checked, System.out);
        boolean failed = checked.fails() || checked.unknown() != null;
        System.out.println(summaryLine(file, checked));
        return failed ? Shmconform.FAILED : Shmconform.OK;
    }

    /** "shmconform: FAIL — replay F: FAIL LOCK-EXCLUSIVE: why", "... UNKNOWN: why", or "shmconform: PASS — replay F: no failure". */
    static String summaryLine(Path file, Trial c) {
        String what = c.fails() ? "FAIL " + c.failingProperty() + c.failure().map(p -> p.why() == null ? "" : ": " + p.why()).orElse("")
                : c.unknown() != null ? "UNKNOWN: " + c.unknown() : "no failure";
        return "shmconform: " + (c.fails() || c.unknown() != null ? "FAIL" : "PASS") + " — replay " + file + ": " + what;
    }
}
