package org.shmconform.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code shmconform} command: run the suite, list what exists, fuzz, replay. */
@Command(name = "shmconform", mixinStandardHelpOptions = true, version = "shmconform 0.1.0",
        description = "Multi-process conformance harness for shared-memory segments with QSharedMemory's documented semantics.",
        subcommands = {RunCommand.class, ListCommand.class, FuzzCommand.class, ReplayCommand.class})
public final class Shmconform implements Runnable {
    /** Exit codes: results as expected, a failure (or undecided result), bad usage or input. */
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
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
            c.getErr().println("shmconform: " + (ex instanceof UsageException ? ex.getMessage() : ex.toString()));
            return ex instanceof UsageException ? USAGE : FAILED;
        });
        return cl;
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
