package org.shmconform.engine.launch;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.OptionalLong;
import org.shmconform.backends.host.Pidfd;

/**
 * A worker a {@link ForkServer} forked: not the harness's child, so it is reached through a pidfd opened on the pid
 * the server named (the server reaps it only when this handle asks, so that pid is this worker's until then):
 * SIGKILL through the pidfd, "reaped" when the pidfd turns readable (the kernel has run its exit: descriptors closed,
 * mappings gone), and its exit status as the server's waitpid saw it. Its stdin, stdout and stderr are pipes the
 * server made, opened here through the server's /proc descriptors.
 */
final class ForkedWorkerHandle implements WorkerHandle {
    private static final int KILLED = 128 + 9;
    private final ForkServer server;
    private final long pid;
    private final Pidfd pidfd;
    private final OutputStream stdin;
    private final InputStream stdout;
    private final InputStream stderr;
    private volatile boolean killed;
    /** Seen exited through the pidfd: true for good, also once the pidfd is closed. */
    private volatile boolean exited;
    private boolean reaped;
    private Integer status;

    ForkedWorkerHandle(ForkServer server, long pid, Pidfd pidfd, FileOutputStream stdin, FileInputStream stdout,
                       FileInputStream stderr) {
        this.server = server;
        this.pid = pid;
        this.pidfd = pidfd;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    @Override
    public OutputStream stdin() {
        return stdin;
    }

    @Override
    public InputStream stdout() {
        return stdout;
    }

    @Override
    public InputStream stderr() {
        return stderr;
    }

    @Override
    public void kill() {
        if (!exited) { // a closed pidfd (after its exit) names nothing
            killed = true;
            pidfd.kill();
        }
    }

    @Override
    public Integer awaitExit(Duration timeout) throws InterruptedException {
        if (!exited && !pidfd.awaitExit(timeout)) {
            return null;
        }
        exited = true;
        Integer s = reapOnce();
        return s != null ? s : killed ? KILLED : -1;
    }

    /** Has the server reap the exited worker, once (later calls give the same answer); null if it cannot say. */
    private synchronized Integer reapOnce() {
        if (!reaped) {
            reaped = true;
            status = server.reap(pid);
        }
        return status;
    }

    @Override
    public boolean isAlive() {
        return !hasExited();
    }

    private boolean hasExited() {
        if (!exited && pidfd.exited()) {
            exited = true;
        }
        return exited;
    }

    @Override
    public OptionalLong hostPid() {
        return OptionalLong.of(pid);
    }

    /**
     * Closes the harness's ends (a live worker then reads end of file) and leaves no zombie with the server. The pidfd
     * is closed once the worker has exited; one still alive (a SIGKILL not yet taken) stays pinned, so that what is
     * asked of this handle later (isAlive, a kill at the pool's end) still concerns this worker and no later holder of
     * its pid: a closed pidfd would say "alive" for ever.
     */
    @Override
    public void release() {
        for (java.io.Closeable c : new java.io.Closeable[] {stdin, stdout, stderr}) {
            try {
                c.close();
            } catch (IOException e) {
                // closed already
            }
        }
        if (hasExited()) {
            reapOnce();
            pidfd.close();
        }
    }
}
