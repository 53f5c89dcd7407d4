package org.shmconform.engine.launch;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short-lived program (a tool, a compiler, a build script) to completion within a bound that holds whatever the
 * program does: its output is read on threads of its own, so neither a program that hangs with its output open nor one
 * that fills a pipe with messages keeps the caller past the bound. Reading before waiting (how the Qt worker builds
 * were written) waits for the output's end, which a hung compiler never gives; waiting before reading blocks on a full
 * pipe. On the bound, the program's children (a build script's compiler) and then the program are killed.
 *
 * @param exitCode the program's exit status, {@link #TIMED_OUT} past the bound, 127 where it could not be started
 * @param output   what it wrote on stdout (with stderr merged in, for {@link #of(Duration, List)} and {@link #merged});
 *                 past the bound or where it could not be started, why instead
 * @param errors   what it wrote on stderr, for {@link #separate}; empty otherwise
 */
public record ToolRun(int exitCode, String output, String errors) {
    public static final int TIMED_OUT = -1;
    /**
     * How long the readers may take to finish after the program ended: a guard only, since the JDK drains a program's
     * pipe when the program exits, even where a child it left behind holds the pipe open (what that child writes later
     * is not read).
     */
    private static final long READERS_AFTER_EXIT_MS = 2000;

    public boolean ok() {
        return exitCode == 0;
    }

    /** Whether the program was killed at its bound (or the wait was interrupted): it said nothing about what it probes. */
    public boolean timedOut() {
        return exitCode == TIMED_OUT;
    }

    /** The output's last non-empty line: tools put their reason there. */
    public String lastLine() {
        return lastLineOf(output);
    }

    /** The last non-empty line of stderr (for {@link #separate}), else of the output. */
    public String lastErrorLine() {
        return lastLineOf(errors.isBlank() ? output : errors);
    }

    private static String lastLineOf(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1];
    }

    /** Runs argv with stdin closed and stderr merged into the output; never throws. */
    public static ToolRun of(Duration timeout, List<String> argv) {
        return merged(new ProcessBuilder(argv), timeout);
    }

    public static ToolRun of(Duration timeout, String... argv) {
        return of(timeout, List.of(argv));
    }

    /** Runs {@code pb} (its directory and environment as set) with stdin closed and stderr merged into the output. */
    public static ToolRun merged(ProcessBuilder pb, Duration timeout) {
        return run(pb.redirectErrorStream(true), timeout);
    }

    /**
     * Runs {@code pb} with stdin closed, stdout in {@link #output} and stderr, where {@code pb} leaves it a pipe, in
     * {@link #errors} (a build script's progress apart from the one line it answers with).
     */
    public static ToolRun separate(ProcessBuilder pb, Duration timeout) {
        return run(pb.redirectErrorStream(false), timeout);
    }

    private static ToolRun run(ProcessBuilder pb, Duration timeout) {
        String command = String.join(" ", pb.command());
        Process p;
        try {
            p = pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            return new ToolRun(127, pb.command().get(0) + ": " + e.getMessage(), "");
        }
        StringBuffer out = new StringBuffer();
        StringBuffer err = new StringBuffer();
        Thread outReader = reader(p.getInputStream(), out, command);
        Thread errReader = pb.redirectErrorStream() ? null : reader(p.getErrorStream(), err, command);
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                killTree(p);
                return new ToolRun(TIMED_OUT, command + ": did not end in " + timeout.toSeconds() + " s", err.toString());
            }
            outReader.join(READERS_AFTER_EXIT_MS);
            if (errReader != null) {
                errReader.join(READERS_AFTER_EXIT_MS);
            }
            return new ToolRun(p.exitValue(), out.toString(), err.toString());
        } catch (InterruptedException e) {
            killTree(p);
            Thread.currentThread().interrupt();
            return new ToolRun(TIMED_OUT, command + ": interrupted", err.toString());
        }
    }

    /**
     * Kills its descendants first (a build script's compiler), then the program, so none is left behind, reparented. The
     * JDK signals a {@link ProcessHandle} only while its pid still has the start time it was listed with, so a descendant
     * that ended meanwhile and whose pid another process took is not signalled.
     */
    private static void killTree(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    private static Thread reader(InputStream in, StringBuffer into, String command) {
        Thread t = new Thread(() -> {
            try (in) {
                into.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the stream was closed under the reader (the program killed at the bound): nothing is kept
            }
        }, "output of " + command);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
