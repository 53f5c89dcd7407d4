package org.shmconform.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.shmconform.harness.fuzz.Checked;
import org.shmconform.harness.fuzz.Replay;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code shmconform replay FILE}: runs one saved schedule again on real workers and prints its history and verdict. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Run a saved schedule (a fuzzer's shrunk.schedule.json, or a report's evidence/*.schedule.json) on real"
                + " workers and print its history and verdict.", "Exit status: 0 passes, 1 fails or undecided, 2 bad usage."})
final class ReplayCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The schedule file.")
    Path file;

    @Option(names = {"-b", "--backend"}, paramLabel = "NAME",
            description = "The column whose declared semantics judge the history (default: the first worker's).")
    String backend;

    @Override
    public Integer call() throws Exception {
        if (!Files.isReadable(file)) {
            throw new Shmconform.UsageException("cannot read " + file);
        }
        Checked checked;
        try {
            checked = Replay.run(file, backend, org.shmconform.harness.engine.ScheduleRunner.Timing.defaults());
        } catch (IOException e) {
            throw new Shmconform.UsageException(file + " is not a schedule: " + e.getMessage());
        }
        Replay.print(checked, System.out);
        return checked.fails() || checked.unknown() != null ? Shmconform.FAILED : Shmconform.OK;
    }
}
