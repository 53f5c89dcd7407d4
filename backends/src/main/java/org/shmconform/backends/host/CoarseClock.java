package org.shmconform.backends.host;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The kernel's coarse wall clock ({@code CLOCK_REALTIME_COARSE}): the timekeeper's time as of its last update, whose
 * seconds are what {@code ktime_get_real_seconds()} returns, and so what dates a System V semaphore set's change
 * ({@code sem_ctime}, ipc/sem.c). Readings of this clock order against such dates exactly: a change made after a reading
 * is dated in that reading's second or later, a change made before it in that second or earlier.
 * <p>
 * The wall clock {@code System.currentTimeMillis()} reads is not that clock: the coarse one lags it by the time since
 * the timekeeper's last update, which is no fixed bound. Its resolution here is 4 ms (a tick, HZ 250), but measured on
 * this 2-core machine on 2026-12-07 ({@code clock_gettime} of both, back to back, in C): up to 7.4 ms behind with the
 * machine idle (more than 4 ms in a third of the readings taken after a short sleep) and up to 18.4 ms behind with both
 * cores busy. A bound of one tick, used before that day, failed {@code CoarseClockTest} on a quiet machine (a SETVAL
 * 4 ms into a second dated in the second before).
 */
public final class CoarseClock {
    private static final int CLOCK_REALTIME_COARSE = 5;

    static {
        // Direct mapping: a reading per quiet stretch's start and end, two a step of every execution.
        Native.register(CoarseClock.class, Platform.C_LIBRARY_NAME);
    }

    /** {@code struct timespec} on 64-bit Linux: tv_sec, tv_nsec. */
    private static native int clock_gettime(int clock, long[] timespec);

    private CoarseClock() {
    }

    /** The coarse clock now, in milliseconds since the epoch (rounded down): its second is the one a change now is dated in. */
    public static long nowMillis() {
        long[] timespec = new long[2];
        if (clock_gettime(CLOCK_REALTIME_COARSE, timespec) != 0) {
            throw new IllegalStateException("clock_gettime(CLOCK_REALTIME_COARSE) failed: errno " + Native.getLastError());
        }
        return timespec[0] * 1000 + timespec[1] / 1_000_000;
    }
}
