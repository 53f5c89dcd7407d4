package org.shmconform.engine;

import java.util.ArrayList;
import java.util.List;
import org.shmconform.backends.host.CoarseClock;

/**
 * The stretches of an execution in which no process of its workers could make a System V semaphore set or set one's
 * value: from its first step on, while every op in flight is a {@code sleep} (a worker sleeping, or waiting for its next
 * request, runs no system call on a set) and no worker was asked to exit (Qt's destructors in an ending worker detach,
 * and a detach's locker may make a set), until its last step is answered. A worker makes a set, and sets its value, inside
 * an op: Qt's QSystemSemaphore does both in {@code handle()}, which only an op of the worker calls. A killed worker's
 * exit undoes its SEM_UNDO adjustments, which changes no set's change time.
 *
 * <p>Times are the wall clock (ms). The kernel dates {@code sem_ctime} (whole seconds) by its coarse clock, which may lag
 * the wall clock by up to a tick ({@link CoarseClock}): a stretch starts at a reading taken after the op before it was
 * answered (a change before it is dated no later than that reading's second), and ends at a reading taken before the
 * request after it is written (a change after it may be dated as much as that lag earlier), so a whole second inside one,
 * ending that lag before its end, holds no change by a worker ({@link #wholeSecondQuiet}).
 */
final class QuietSeconds {
    private final List<long[]> closed = new ArrayList<>();
    private long openSince = -1;
    private final java.util.function.LongSupplier clock;
    private final long coarseLagMillis;

    QuietSeconds() {
        this(System::currentTimeMillis, CoarseClock.lagBoundMillis());
    }

    /** With a given wall clock (ms) and lag of the kernel's coarse clock behind it (ms), for its test. */
    QuietSeconds(java.util.function.LongSupplier clock, long coarseLagMillis) {
        this.clock = clock;
        this.coarseLagMillis = coarseLagMillis;
    }

    /** The execution's state now: quiet or not. A change starts or ends a stretch, dated now. */
    synchronized void now(boolean quiet) {
        if (quiet && openSince < 0) {
            openSince = clock.getAsLong();
        } else if (!quiet && openSince >= 0) {
            closed.add(new long[] {openSince, clock.getAsLong()});
            openSince = -1;
        }
    }

    /**
     * Whether the whole second {@code second} (epoch seconds) lies inside one ended stretch: it starts after the stretch's
     * start (a change before that reading is in an earlier second) and ends at least the coarse clock's lag before the
     * stretch's end (a change after that reading is dated in a later second even by a coarse clock that lags).
     */
    synchronized boolean wholeSecondQuiet(long second) {
        long from = second * 1000;
        for (long[] stretch : closed) {
            if (stretch[0] < from && from + 1000 + coarseLagMillis <= stretch[1]) {
                return true;
            }
        }
        return false;
    }
}
