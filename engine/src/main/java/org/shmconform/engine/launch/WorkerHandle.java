package org.shmconform.engine.launch;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/** A started worker process, wherever it runs: its three pipes, a real SIGKILL and its reaping. */
public interface WorkerHandle {
    OutputStream stdin();

    /** Its stdout as a stream; not read where {@link #stdoutLines} gives a read end of it. */
    InputStream stdout();

    /**
     * A read end of its stdout that the harness owns, read line by line by the thread that waits for a reply; null where
     * the handle has only a stream ({@link #stdout}), which a thread of its own then reads. Asked once, by the one
     * reader; a handle that gives one closes it on {@link #release}.
     */
    default org.shmconform.backends.host.PipeLines stdoutLines() {
        return null;
    }

    InputStream stderr();

    /** Sends SIGKILL to the worker process itself (not a wrapper) and returns at once. */
    void kill();

    /**
     * Waits until the worker is reaped: after this the kernel has run its exit effects.
     *
     * @return the exit status, 128+N for a death by signal N; null if it is still running after the timeout
     */
    Integer awaitExit(Duration timeout) throws InterruptedException;

    boolean isAlive();

    /** The worker's pid as the harness's pid namespace sees it, if known (for attributing kernel objects). */
    default java.util.OptionalLong hostPid() {
        return java.util.OptionalLong.empty();
    }

    /**
     * Whether {@code pinned}, a pidfd opened on {@link #hostPid()} before this call, holds this worker rather than a
     * later holder of its number. Here: a process the harness started is not reaped yet, so it still has its pid
     * (Process.isAlive turns false only once Java's reaper has waited for it). The caller still checks, after its
     * readings, that the pinned process has not exited.
     */
    default boolean pins(org.shmconform.backends.host.Pidfd pinned) {
        return isAlive();
    }

    /**
     * Whether its pid is the worker's from the moment this handle exists (a process started here), so that kernel
     * facts may be dated from then; otherwise only from its hello on.
     */
    default boolean hasItsPidFromTheStart() {
        return false;
    }

    /**
     * Waits (at most {@code timeout}) until the worker has exited where it is then kept unreaped until {@link #awaitExit}
     * reaps it (a worker its fork server reaps on request), so that what it left can be looked at while its pid is still
     * its own ({@link #stillHoldsItsPid}); false where it is not kept so, or has not exited by the timeout.
     */
    default boolean awaitEndKeepingItsPid(Duration timeout) throws InterruptedException {
        return false;
    }

    /** Whether the worker still holds its pid, alive or exited and unreaped; asked after a reading it vouches for. */
    default boolean stillHoldsItsPid() {
        return false;
    }

    /**
     * What keeps its pid its own after its death until the harness has looked at what it left ({@link PidHold}); null
     * where nothing does (its pid proves nothing once it is gone).
     */
    default PidHold pidHold() {
        return null;
    }

    /** Removes whatever the environment made for this worker alone (e.g. its container). */
    default void release() {
    }
}
