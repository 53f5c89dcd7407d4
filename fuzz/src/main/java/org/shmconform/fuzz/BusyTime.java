package org.shmconform.fuzz;

/**
 * The time during which at least one schedule was running: with one lane the sum of the schedules' times, as before
 * lanes; with several, overlapping schedules count once (a campaign's checked operations per second is over this
 * time, not over the schedules' summed times). Intervals come in the order the schedules were handed to the lanes,
 * each started at once, so about the order they started; one that started before the one given ahead of it only
 * makes the sum smaller, never larger.
 */
final class BusyTime {
    private long nanos;
    private long coveredUntil = Long.MIN_VALUE;

    void add(long startNanos, long endNanos) {
        long from = coveredUntil == Long.MIN_VALUE ? startNanos : Math.max(startNanos, coveredUntil);
        if (endNanos > from) {
            nanos += endNanos - from;
        }
        coveredUntil = coveredUntil == Long.MIN_VALUE ? endNanos : Math.max(coveredUntil, endNanos);
    }

    long nanos() {
        return nanos;
    }
}
