package org.shmconform.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.shmconform.backends.host.ProcText;

/**
 * The CPU time of this JVM and of its children it has reaped (the workers: the engine waits for every worker it ends),
 * user plus system, from /proc/self/stat (utime, stime, cutime, cstime), plus that of live processes that reap workers
 * in its place (fork servers: their forked workers are their children, counted in theirs). Unlike a rate, it hardly moves when other work
 * shares the machine, so two runs can be compared on a busy one; against the wall time it says how many cores a
 * campaign kept busy, i.e. whether the CPU or a wait bounds it; split between the harness's own threads and the
 * workers, it says which of the two to make cheaper.
 */
final class ProcessCpu {
    /** USER_HZ: the unit of /proc's times, 100 on every Linux ABI (proc(5)). */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcessCpu() {
    }

    /**
     * Seconds of CPU: {@code harness}, this JVM's own threads (utime, stime); {@code workers}, the processes it reaped
     * (cutime, cstime) and the fork servers with the processes they reaped.
     */
    record Cpu(double harness, double workers) {
        double total() {
            return harness + workers;
        }

        /** What was used between {@code before} and this reading. */
        Cpu since(Cpu before) {
            return new Cpu(harness - before.harness, workers - before.workers);
        }
    }

    /**
     * CPU used so far by this process and its reaped descendants, plus each of {@code reapers} (live children of this
     * process that reap processes of their own, and their reaped children), counted as workers: one that has ended
     * meanwhile is in this process's reaped children already.
     */
    static Cpu now(List<Long> reapers) {
        Cpu self;
        try {
            self = in(Files.readString(Path.of("/proc/self/stat")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/stat", e);
        }
        double workers = self.workers();
        for (long pid : reapers) {
            try {
                workers += in(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))).total();
            } catch (IOException | RuntimeException e) {
                // ended: reaped by this process, so counted above
            }
        }
        return new Cpu(self.harness(), workers);
    }

    /**
     * Fields 14-15 (utime, stime: the process's own) and 16-17 (cutime, cstime: its reaped children) of a /proc/PID/stat
     * line, counted after the command name, which may hold spaces and parentheses.
     */
    static Cpu in(String stat) {
        // utime, stime, cutime, cstime are fields 14 to 17.
        long own = Long.parseLong(ProcText.statField(stat, 14)) + Long.parseLong(ProcText.statField(stat, 15));
        long reaped = Long.parseLong(ProcText.statField(stat, 16)) + Long.parseLong(ProcText.statField(stat, 17));
        return new Cpu(own / TICKS_PER_SECOND, reaped / TICKS_PER_SECOND);
    }
}
