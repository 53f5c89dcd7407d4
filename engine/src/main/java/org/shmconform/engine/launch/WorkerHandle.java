package org.shmconform.engine.launch;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/** A started worker process, wherever it runs: its three pipes, a real SIGKILL and its reaping. */
public interface WorkerHandle {
    OutputStream stdin();

    InputStream stdout();

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

    /** Removes whatever the environment made for this worker alone (e.g. its container). */
    default void release() {
    }
}
