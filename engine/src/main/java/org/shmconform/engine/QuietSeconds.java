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
 * <p>Times are readings of the kernel's coarse clock ({@link CoarseClock}, ms), the clock whose seconds date
 * {@code sem_ctime}: a stretch starts at a reading taken after the op before it was answered (a change before it is dated
 * in that reading's second or earlier) and ends at a reading taken before the request after it is written (a change after
 * it is dated in that reading's second or later), so a whole second after the one the stretch starts in, ending no later
 * than the stretch, holds no change by a worker ({@link #wholeSecondQuiet}). Until 2026-12-07 they were the wall clock's,
 * with an allowance of one coarse-clock tick (4 ms) for the coarse clock's lag behind it; the lag is no fixed bound (up to
 * 18.4 ms measured with both cores busy: CoarseClock), so a worker's change just after a stretch could have been dated
 * inside it and its set taken for another program's.
 */
final class QuietSeconds {
    private final List<long[]> closed = new ArrayList<>();
    private long openSince = -1;
    private final java.util.function.LongSupplier coarseClock;

    QuietSeconds() {
        this(CoarseClock::nowMillis);
    }

    /** With a given coarse clock (ms), for its test. */
    QuietSeconds(java.util.function.LongSupplier coarseClock) {
        this.coarseClock = coarseClock;
    }

    /** The execution's state now: quiet or not. A change starts or ends a stretch, dated now. */
    synchronized void now(boolean quiet) {
        if (quiet && openSince < 0) {
            openSince = coarseClock.getAsLong();
        } else if (!quiet && openSince >= 0) {
            closed.add(new long[] {openSince, coarseClock.getAsLong()});
            openSince = -1;
        }
    }

    /**
     * Whether the whole second {@code second} (epoch seconds) lies inside one ended stretch: it starts after the stretch's
     * start (a change before that reading is dated in an earlier second) and ends no later than the stretch's end (a
     * change after that reading is dated in a later second).
     */
    synchronized boolean wholeSecondQuiet(long second) {
        long from = second * 1000;
        for (long[] stretch : closed) {
            if (stretch[0] < from && from + 1000 <= stretch[1]) {
                return true;
            }
        }
        return false;
    }
}
