package org.shmconform.engine;

import java.util.function.LongSupplier;

/**
 * The wall time in which a runner's schedules stood still behind a System V key-file turn that none of them held: some
 * of its lanes waited for the turn and none of them had it, so another process (a run or a test beside it) or another
 * runner held it. A fuzz campaign's time budget leaves that time out, as it leaves out shrinking: beside a verify, the
 * default run's sysv campaign (12 s) ran 2 schedules on 2026-12-07 and reached 19 model transitions, against 149 alone,
 * since the verify's tests held the turn for most of its budget.
 */
final class TurnStalls {
    private final LongSupplier clock;
    private int waiting;
    private int holding;
    private long stalledSince = -1;
    private long stalledNanos;

    TurnStalls(LongSupplier nanoClock) {
        this.clock = nanoClock;
    }

    /** A lane of the runner begins to wait for the turn. */
    synchronized void waits() {
        waiting++;
        update();
    }

    /** That wait ended: with the turn ({@code got}), or without (interrupted, or the lock could not be taken). */
    synchronized void waited(boolean got) {
        waiting--;
        holding += got ? 1 : 0;
        update();
    }

    /** A lane gave back the turn it got. */
    synchronized void gaveBack() {
        holding--;
        update();
    }

    /** Whether the runner stands still behind another's turn now. */
    synchronized boolean stalled() {
        return stalledSince >= 0;
    }

    /** Nanoseconds stalled so far, the stall still going on included. */
    synchronized long nanos() {
        return stalledNanos + (stalledSince >= 0 ? clock.getAsLong() - stalledSince : 0);
    }

    private void update() {
        boolean stalled = waiting > 0 && holding == 0;
        long now = clock.getAsLong();
        if (stalled && stalledSince < 0) {
            stalledSince = now;
        } else if (!stalled && stalledSince >= 0) {
            stalledNanos += now - stalledSince;
            stalledSince = -1;
        }
    }
}
