package org.shmconform.backends.host;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The kernel's coarse wall clock ({@code CLOCK_REALTIME_COARSE}, the timekeeper's seconds), which dates what
 * {@code ktime_get_real_seconds()} dates: a System V semaphore set's {@code sem_ctime} among others. It advances once a
 * tick, so a change made a moment after a second began may still be dated in the second before, by as much as the
 * clock's resolution behind the wall clock {@code System.currentTimeMillis()} reads. Measured on this machine (a
 * resolution of 4 ms): a SETVAL 1 ms after a second began was dated in the second before in 8 of 8 tries, 3, 5, 10 and
 * 20 ms after it in none of 8.
 */
public final class CoarseClock {
    private static final int CLOCK_REALTIME_COARSE = 5;
    /** A tick at most: CONFIG_HZ is 100 or more. Used only if the kernel would not say. */
    private static final long LONGEST_TICK_NANOS = 10_000_000L;

    private interface Sys extends Library {
        Sys INSTANCE = Native.load(Platform.C_LIBRARY_NAME, Sys.class);

        /** {@code struct timespec} on 64-bit Linux: tv_sec, tv_nsec. */
        int clock_getres(int clock, long[] timespec);
    }

    private static final long LAG_MILLIS = lagFromTheKernel();

    private CoarseClock() {
    }

    /** How far behind the wall clock the coarse clock may be, in whole milliseconds: its resolution, rounded up. */
    public static long lagBoundMillis() {
        return LAG_MILLIS;
    }

    private static long lagFromTheKernel() {
        long[] timespec = new long[2];
        long nanos = LONGEST_TICK_NANOS;
        try {
            if (Sys.INSTANCE.clock_getres(CLOCK_REALTIME_COARSE, timespec) == 0 && timespec[0] == 0 && timespec[1] > 0) {
                nanos = timespec[1];
            }
        } catch (UnsatisfiedLinkError e) {
            // no answer: the longest tick a kernel has
        }
        return (nanos + 999_999) / 1_000_000;
    }
}
