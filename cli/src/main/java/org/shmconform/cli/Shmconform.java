package org.shmconform.cli;

import java.nio.file.Path;
import org.shmconform.fuzz.Replay;
import org.shmconform.schedule.ScheduleValidation;
import org.shmconform.spi.files.SafeFiles;
import org.shmconform.reports.Baseline;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code shmconform} command: run the suite, list what exists, fuzz, replay, compare two runs, merge many machines' runs. */
@Command(name = "shmconform", mixinStandardHelpOptions = true, version = "shmconform 0.1.0",
        description = "Multi-process conformance harness for shared-memory segments with QSharedMemory's documented semantics.",
        subcommands = {RunCommand.class, ListCommand.class, FuzzCommand.class, ReplayCommand.class, DiffCommand.class, MergeCommand.class,
                BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Shmconform implements Runnable {
    /** Exit codes: results as expected, a failure (or undecided result), bad usage or input. */
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    /** The system property the engine reads for where its private state lives. */
    static final String STATE_DIR_PROPERTY = "shmconform.state.dir";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Set while the command line is parsed, so it is in place before any class that reads it is loaded. */
    @Option(names = "--state-dir", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Where shmconform keeps its private state (run directories, worker TMPDIRs, the cache): a directory"
                    + " it creates 0700 and owns. Default: $XDG_RUNTIME_DIR/shmconform, or /run/shmconform for root."
                    + " Sets the system property " + STATE_DIR_PROPERTY + ".")
    void stateDir(String dir) {
        if (dir == null || dir.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--state-dir needs a directory");
        }
        System.setProperty(STATE_DIR_PROPERTY, Path.of(dir).toAbsolutePath().normalize().toString());
    }

    public static void main(String[] args) {
        HarnessNativeTmpdir.keepToThisUsersFolders();
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Shmconform());
        cl.setExitCodeExceptionMapper(e -> USAGE);
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("shmconform: " + ex.getMessage() + " (see --help)");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            boolean usage = isUsage(ex);
            c.getErr().println("shmconform: " + (usage ? describe(ex) : "internal error: " + describe(ex)));
            return usage ? USAGE : FAILED;
        });
        return cl;
    }

    /** Bad input (options, schedule files, baselines) or a request this machine cannot honour: exit 2. */
    static boolean isUsage(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            // An unsafe state directory or report folder (a link, another user's, group/world-writable) is the user's to fix.
            if (t instanceof UsageException || t instanceof ScheduleValidation.InvalidSchedule || t instanceof Baseline.InvalidBaseline
                    || t instanceof Replay.NotRunnableHere || t instanceof org.shmconform.engine.state.PrivateDirectory.UnsafeDirectoryException
                    || t instanceof SafeFiles.UnsafePathException) {
                return true;
            }
        }
        return false;
    }

    /** One line without a Java class name: the innermost message there is. */
    static String describe(Throwable ex) {
        String message = null;
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        String text = message != null ? message
                : ex.getClass().getSimpleName().replaceAll("(Exception|Error)$", "").replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase();
        text = text.lines().findFirst().orElse(text);
        return text.replaceAll("^(\\w+\\.)+\\w*(Exception|Error): ", "");
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Bad input from the user: one line, exit 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
