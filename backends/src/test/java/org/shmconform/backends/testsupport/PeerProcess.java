package org.shmconform.backends.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link Peer} in its own JVM, started with ProcessBuilder (exec, never fork: P15) on the test's
 * class path. Every reply has a deadline so a blocked peer fails the test instead of hanging it.
 */
public final class PeerProcess implements AutoCloseable {
    public static final long REPLY_TIMEOUT_SECONDS = 120;
    private final Process process;
    private final PrintWriter toPeer;
    private final BufferedReader fromPeer;

    private PeerProcess(Process process) {
        this.process = process;
        this.toPeer = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.fromPeer = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts a peer for {@code backend}; {@code tmpDir} becomes its TMPDIR (null keeps the parent's). */
    public static PeerProcess start(String backend, Path tmpDir) throws Exception {
        return start(backend, tmpDir, Map.of());
    }

    /** As {@link #start(String, Path)}, with extra environment variables (e.g. SHMCONFORM_MMAP_DIR). */
    public static PeerProcess start(String backend, Path tmpDir, Map<String, String> extraEnv) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                // Peers are crashed on purpose (rawwrite): no core files, and hs_err logs not in the cwd.
                "-XX:-CreateCoredumpOnCrash"));
        if (!extraEnv.getOrDefault("JAVA_TOOL_OPTIONS", "").contains("ErrorFile")) {
            command.add("-XX:ErrorFile=" + (tmpDir != null ? tmpDir : Path.of(System.getProperty("java.io.tmpdir")))
                    .resolve("shmconform-peer-hs_err_%p.log"));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Peer.class.getName(), backend));
        return start(command, tmpDir, extraEnv);
    }

    /**
     * Starts any program that speaks {@link Peer}'s line protocol (e.g. a real Qt worker), with
     * {@code tmpDir} as its TMPDIR (null keeps the parent's).
     */
    public static PeerProcess start(List<String> command, Path tmpDir) throws Exception {
        return start(command, tmpDir, Map.of());
    }

    private static PeerProcess start(List<String> command, Path tmpDir, Map<String, String> extraEnv) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        if (tmpDir != null) {
            builder.environment().put("TMPDIR", tmpDir.toString());
        }
        builder.environment().putAll(extraEnv);
        PeerProcess peer = new PeerProcess(builder.start());
        String ready = peer.awaitReply();
        if (!ready.startsWith("OK ready")) {
            peer.kill();
            throw new IllegalStateException("peer did not start: " + ready);
        }
        return peer;
    }

    public long pid() {
        return process.pid();
    }

    /** Sends a command and waits for its reply. */
    public String send(String command) throws Exception {
        toPeer.println(command);
        return awaitReply();
    }

    /** Sends a command without waiting; the reply is read later with {@link #awaitReply}. */
    public void sendNoWait(String command) {
        toPeer.println(command);
    }

    public String awaitReply() throws Exception {
        return awaitReply(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** Throws TimeoutException if no reply arrives in time (the read goes on in the background). */
    public String awaitReply(long timeout, TimeUnit unit) throws Exception {
        CompletableFuture<String> line = pending != null ? pending : CompletableFuture.supplyAsync(this::readLine);
        try {
            String reply = line.get(timeout, unit);
            pending = null;
            if (reply == null) {
                throw new IllegalStateException("peer exited with " + process.waitFor());
            }
            return reply;
        } catch (TimeoutException e) {
            pending = line;
            throw e;
        }
    }

    private CompletableFuture<String> pending;

    private String readLine() {
        try {
            return fromPeer.readLine();
        } catch (IOException e) {
            return null;
        }
    }

    /** SIGKILL, then reap: once this returns the kernel has run the process's exit effects. */
    public int kill() throws InterruptedException {
        process.destroyForcibly();
        return process.waitFor();
    }

    /** Waits for the process to end by itself (e.g. a SIGSEGV) and returns its exit status. */
    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("peer did not exit");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            toPeer.println("exit");
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
