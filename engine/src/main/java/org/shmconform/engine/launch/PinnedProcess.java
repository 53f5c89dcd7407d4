package org.shmconform.engine.launch;

import java.time.Duration;
import java.util.function.LongFunction;
import org.shmconform.backends.host.Pidfd;

/**
 * A worker that is not the harness's child, pinned by a pidfd (a spawned child, a forked worker): SIGKILL through the
 * pidfd, "reaped" when the pidfd turns readable (the kernel has run its exit: descriptors closed, mappings gone),
 * whoever its parent is. The exit status is told to the parent only: the parent's answer where it reaps on request
 * ({@code reaper}, a fork server), else 128+9 after this handle's own SIGKILL, else what the kernel tells a pidfd's
 * holder after the parent has reaped it (Linux 6.15+), and -1 (unknown) otherwise.
 *
 * <p>The exit it saw is remembered, and the pidfd is closed only after it: a closed pidfd would say "alive" for ever
 * (poll ignores descriptor -1), and a kill through it could name a descriptor reused meanwhile.
 */
final class PinnedProcess {
    private static final int KILLED = 128 + 9;
    private final Pidfd pidfd;
    private final LongFunction<Integer> reaper;
    private volatile boolean killed;
    private volatile boolean exited;
    private boolean reaped;
    private Integer status;
    /** How it ended by itself, as the kernel told the pidfd's holder ({@link #endedHow}); null until asked. */
    private volatile Integer endedBy;

    /** @param reaper the parent's reaping of the exited pid on request (its status, or null), or null */
    PinnedProcess(Pidfd pidfd, LongFunction<Integer> reaper) {
        this.pidfd = pidfd;
        this.reaper = reaper;
    }

    long pid() {
        return pidfd.pid();
    }

    void kill() {
        if (!exited) {
            killed = true;
            pidfd.kill();
        }
    }

    /** Its exit status once it has exited (see the class comment), or null if it still runs after the timeout. */
    Integer awaitExit(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!exited && !pidfd.awaitExit(timeout)) {
            return null;
        }
        exited = true;
        Integer s = reapOnce();
        return s != null ? s : killed ? KILLED : endedHowOnce(deadline);
    }

    /**
     * {@link #endedHow}, kept once the kernel answered (a later ask, after {@link #release} closed the pidfd, gives the
     * same answer); -1 while it has not (its parent has not reaped it by the deadline).
     */
    private int endedHowOnce(long deadline) throws InterruptedException {
        Integer known = endedBy;
        if (known == null) {
            known = endedHow(deadline); // not under this object's lock: the wait may be long, and release() takes it
            endedBy = known;
        }
        return known == null ? -1 : known;
    }

    /**
     * How a process that ended by itself ended, as the kernel tells a pidfd's holder once its parent has reaped it
     * (Linux 6.15+), waiting for that reaping until {@code deadline}: its status, -1 where the kernel never tells, null if
     * not reaped by then. A death the engine did not cause is judged a crash only by its signal (ScheduleAttempt), so
     * without it the death is UNKNOWN.
     */
    private Integer endedHow(long deadline) throws InterruptedException {
        while (true) {
            Pidfd.Ending how = pidfd.endedHow();
            if (how instanceof Pidfd.Ending.Status status) {
                return status.status();
            }
            if (how instanceof Pidfd.Ending.Never) {
                return -1;
            }
            if (System.nanoTime() - deadline >= 0) {
                return null;
            }
            Thread.sleep(1); // its parent (the worker that spawned it, or init) reaps it in a moment
        }
    }

    /**
     * Waits (at most {@code timeout}) until it has exited, without asking its parent to reap it: with a {@code reaper}, the
     * parent reaps it only when asked ({@link #awaitExit}), so until then it holds its pid ({@link #holdsItsPid}).
     *
     * @return whether it has exited and is not reaped on this handle's request yet
     */
    boolean awaitEndUnreaped(Duration timeout) throws InterruptedException {
        if (reaper == null) {
            return false; // its parent reaps it by itself, at once
        }
        if (!exited && !pidfd.awaitExit(timeout)) {
            return false;
        }
        exited = true;
        synchronized (this) {
            return !reaped;
        }
    }

    /** Whether it still holds its pid, alive or unreaped ({@link Pidfd#holdsItsPid}). */
    boolean holdsItsPid() {
        return pidfd.holdsItsPid();
    }

    private synchronized Integer reapOnce() {
        if (reaper != null && !reaped) {
            reaped = true;
            status = reaper.apply(pidfd.pid());
        }
        return status;
    }

    boolean isAlive() {
        if (!exited && pidfd.exited()) {
            exited = true;
        }
        return !exited;
    }

    /** Once it has exited: reaped by its parent if that reaps on request (no zombie left), and the pidfd closed. */
    void release() {
        if (!isAlive()) {
            reapOnce();
            pidfd.close();
        }
    }
}
