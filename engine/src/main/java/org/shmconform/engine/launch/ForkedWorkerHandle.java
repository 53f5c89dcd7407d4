package org.shmconform.engine.launch;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.OptionalLong;
import org.shmconform.backends.host.Pidfd;
import org.shmconform.backends.host.PipeLines;

/**
 * A worker a {@link ForkServer} forked: not the harness's child, so it is reached through a pidfd opened on the pid
 * the server named (the server reaps it only when this handle asks, so that pid is this worker's until then):
 * SIGKILL through the pidfd, "reaped" when the pidfd turns readable (the kernel has run its exit: descriptors closed,
 * mappings gone), and its exit status as the server's waitpid saw it. Its stdin, stdout and stderr are pipes the
 * server made, opened here through the server's /proc descriptors (stdout as {@link PipeLines}, read by the thread that
 * waits for a reply).
 */
final class ForkedWorkerHandle implements WorkerHandle {
    private final PinnedProcess process;
    private final OutputStream stdin;
    private final PipeLines stdout;
    private final InputStream stderr;

    /** @param pidfd the worker pinned before the server could reap it; its exit status is asked of the server */
    ForkedWorkerHandle(ForkServer server, Pidfd pidfd, FileOutputStream stdin, PipeLines stdout, FileInputStream stderr) {
        this.process = new PinnedProcess(pidfd, server::reap);
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    @Override
    public OutputStream stdin() {
        return stdin;
    }

    /** Never a stream: its stdout is read through {@link #stdoutLines}. */
    @Override
    public InputStream stdout() {
        throw new UnsupportedOperationException("a forked worker's stdout is read through stdoutLines()");
    }

    @Override
    public PipeLines stdoutLines() {
        return stdout;
    }

    @Override
    public InputStream stderr() {
        return stderr;
    }

    @Override
    public void kill() {
        process.kill();
    }

    @Override
    public Integer awaitExit(Duration timeout) throws InterruptedException {
        return process.awaitExit(timeout);
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Its server reaps it only when {@link #awaitExit} asks: until then its pid is its own, dead or not. */
    @Override
    public boolean awaitEndKeepingItsPid(Duration timeout) throws InterruptedException {
        return process.awaitEndUnreaped(timeout);
    }

    @Override
    public boolean stillHoldsItsPid() {
        return process.holdsItsPid();
    }

    @Override
    public OptionalLong hostPid() {
        return OptionalLong.of(process.pid());
    }

    /** Closes the harness's ends (a live worker then reads end of file); see {@link PinnedProcess#release}. */
    @Override
    public void release() {
        stdout.close();
        for (java.io.Closeable c : new java.io.Closeable[] {stdin, stderr}) {
            try {
                c.close();
            } catch (IOException e) {
                // closed already
            }
        }
        process.release();
    }
}
