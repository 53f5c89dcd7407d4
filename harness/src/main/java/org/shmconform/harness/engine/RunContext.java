package org.shmconform.harness.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One run of the harness: its id, which every key it makes carries (so a reaper can find what a
 * killed run left), and its private directory under /tmp/shmconform/&lt;id&gt;: {@code owner.pid} (so
 * the next run knows whether this one is still alive), {@code tmp/} (the workers' TMPDIR, where
 * Qt-style key files live) and {@code logs/} (workers' stderr).
 */
public final class RunContext implements AutoCloseable {
    public static final String KEY_PREFIX = "shmcf";
    public static final Path RUNS_ROOT = Path.of(System.getProperty("shmconform.runs.root", "/tmp/shmconform"));
    /** What outlives runs on purpose (the compiled Qt worker, class-data archives, class jars); world-readable. */
    public static final Path CACHE = Path.of(System.getProperty("shmconform.cache", "/tmp/shmconform-cache"));
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String runId;
    private final Path runDir;
    private final AtomicInteger executions = new AtomicInteger();

    private RunContext(String runId, Path runDir) {
        this.runId = runId;
        this.runDir = runDir;
    }

    /** Reaps what dead runs left, then makes this run's directory. */
    public static RunContext create() {
        Reaper.reapDeadRuns();
        String id = letters(6);
        Path dir = RUNS_ROOT.resolve(id);
        try {
            Files.createDirectories(RUNS_ROOT);
            RUNS_ROOT.toFile().setWritable(true, false);
            Files.createDirectories(dir.resolve("logs"));
            Path tmp = Files.createDirectories(dir.resolve("tmp"));
            // World-writable like /tmp, so a worker running as another user can make its key files.
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.writeString(dir.resolve("owner.pid"), Long.toString(ProcessHandle.current().pid()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the run directory " + dir, e);
        }
        return new RunContext(id, dir);
    }

    public String runId() {
        return runId;
    }

    public Path runDir() {
        return runDir;
    }

    /** The TMPDIR every worker of this run gets. */
    public Path workerTmp() {
        return runDir.resolve("tmp");
    }

    /** A further TMPDIR, for workers that must not share key files with the others; made on first use. */
    public Path workerTmp(String name) {
        if (name == null) {
            return workerTmp();
        }
        Path dir = runDir.resolve("tmp-" + name.replaceAll("[^A-Za-z0-9_-]", "_"));
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make " + dir, e);
        }
        return dir;
    }

    /** Every TMPDIR this run handed out. */
    public java.util.List<Path> workerTmps() {
        return Reaper.tmpDirs(runDir);
    }

    public Path logs() {
        return runDir.resolve("logs");
    }

    /** Letters only, so it survives Qt's key mangling into every native name. */
    public String keyPrefix() {
        return KEY_PREFIX + runId;
    }

    /** A fresh prefix for one execution of a schedule, so re-runs never meet each other's leftovers. */
    public String nextExecutionPrefix() {
        return keyPrefix() + toLetters(executions.incrementAndGet());
    }

    @Override
    public void close() {
        Reaper.reapRun(runId, runDir);
    }

    static String letters(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append((char) ('a' + RANDOM.nextInt(26)));
        }
        return b.toString();
    }

    /** 1 → "b", 26 → "ba": a counter spelled in letters (Qt drops digits from native names). */
    static String toLetters(int n) {
        StringBuilder b = new StringBuilder();
        do {
            b.insert(0, (char) ('a' + n % 26));
            n /= 26;
        } while (n > 0);
        return b.toString();
    }
}
