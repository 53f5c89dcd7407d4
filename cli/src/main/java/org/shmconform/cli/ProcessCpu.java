package org.shmconform.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU time of this JVM and of its children it has reaped (the workers: the engine waits for every worker it ends),
 * user plus system, from /proc/self/stat (utime, stime, cutime, cstime), plus that of live processes that reap workers
 * in its place (fork servers: their forked workers are their children, counted in theirs). Unlike a rate, it hardly moves when other work
 * shares the machine, so two runs can be compared on a busy one; against the wall time it says how many cores a
 * campaign kept busy, i.e. whether the CPU or a wait bounds it.
 */
final class ProcessCpu {
    /** USER_HZ: the unit of /proc's times, 100 on every Linux ABI (proc(5)). */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcessCpu() {
    }

    /** Seconds of CPU used so far by this process and its reaped descendants. */
    static double seconds() {
        try {
            return secondsIn(Files.readString(Path.of("/proc/self/stat")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/stat", e);
        }
    }

    /**
     * As {@link #seconds()}, plus each of {@code reapers} (live children of this process that reap processes of their
     * own, and their reaped children): one that has ended meanwhile is in this process's reaped children already.
     */
    static double seconds(java.util.List<Long> reapers) {
        double total = seconds();
        for (long pid : reapers) {
            try {
                total += secondsIn(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
            } catch (IOException | RuntimeException e) {
                // ended: reaped by this process, so counted above
            }
        }
        return total;
    }

    /** Fields 14-17 of a /proc/PID/stat line, counted after the command name, which may hold spaces and parentheses. */
    static double secondsIn(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // f[0] is field 3 (state): utime, stime, cutime, cstime are fields 14 to 17.
        long ticks = 0;
        for (int field = 14; field <= 17; field++) {
            ticks += Long.parseLong(f[field - 3]);
        }
        return ticks / TICKS_PER_SECOND;
    }
}
