package org.shmconform.engine;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.shmconform.backends.host.Pidfd;

/**
 * A worker about to be killed is first stopped (SIGSTOP), so that the last reading of what it operated
 * ({@link SetsOfLiveWorker}, {@link SegmentsOfLiveWorker}) sees everything it will ever do: an op still running when
 * the kill step comes (an async create) may otherwise make and lock a set between that reading and the SIGKILL, and
 * the set then outlives a worker that can no longer be proven its last operator: a way the set 0x5100efed, created
 * and last operated in one second during qt68-sysv fuzz campaigns, may have been left (its test makes such sets).
 * Stopped means every thread of it is in the stopped state (group stop), or it has exited; the wait has a bound,
 * after which the reading is taken anyway.
 */
final class StoppedForTheLastLook {
    private StoppedForTheLastLook() {
    }

    /** Stops the pinned process and waits (at most {@code bound}) until it makes no more system calls. */
    static void stop(Pidfd pinned, Duration bound) throws InterruptedException {
        if (!pinned.stop()) {
            return; // gone already
        }
        long deadline = System.nanoTime() + bound.toNanos();
        long look = FIRST_LOOK_NANOS;
        while (System.nanoTime() < deadline && !pinned.exited() && !allThreadsStopped(pinned.pid())) {
            // A stop takes effect when the worker is next scheduled, microseconds away: a fixed 1 ms sleep made every
            // kill cost over a millisecond (a fifth of a qt fuzz schedule's kill step). Looks double up to 1 ms.
            java.util.concurrent.locks.LockSupport.parkNanos(look);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            look = Math.min(look * 2, LAST_LOOK_NANOS);
        }
    }

    private static final long FIRST_LOOK_NANOS = 20_000;
    private static final long LAST_LOOK_NANOS = 1_000_000;

    /** Every thread's state in /proc/PID/task/TID/stat is stopped (T, t) or dead (Z, X). */
    static boolean allThreadsStopped(long pid) {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                String stat = Files.readString(task.resolve("stat"));
                String field = org.shmconform.backends.host.ProcText.statField(stat, 3);
                char state = field == null ? '?' : field.charAt(0);
                if ("TtZX".indexOf(state) < 0) {
                    return false;
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false; // gone meanwhile, or unreadable: the caller looks again until its bound
        }
    }
}
