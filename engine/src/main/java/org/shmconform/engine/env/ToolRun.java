package org.shmconform.engine.env;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short-lived tool (docker CLI, unshare probe) to completion with a deadline. */
record ToolRun(int exitCode, String output) {
    static final int TIMED_OUT = -1;

    boolean ok() {
        return exitCode == 0;
    }

    /** The output's last non-empty line: tools put their reason there. */
    String lastLine() {
        String[] lines = output.strip().split("\n");
        return lines[lines.length - 1];
    }

    /** Runs argv with stdin closed and stderr merged into the output; never throws. */
    static ToolRun of(Duration timeout, List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
                    new java.io.File("/dev/null"))).start();
            // Read on a helper thread: a chatty tool could otherwise block on a full pipe past the deadline.
            StringBuilder out = new StringBuilder();
            Thread reader = new Thread(() -> {
                try {
                    out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // the process died; what was read is kept
                }
            });
            reader.setDaemon(true);
            reader.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return new ToolRun(TIMED_OUT, String.join(" ", argv) + ": timed out after " + timeout.toSeconds() + " s");
            }
            reader.join(2000);
            return new ToolRun(p.exitValue(), out.toString());
        } catch (IOException e) {
            return new ToolRun(127, argv.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ToolRun(TIMED_OUT, "interrupted");
        }
    }

    static ToolRun of(Duration timeout, String... argv) {
        return of(timeout, List.of(argv));
    }
}
