package org.shmconform.backends.host;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which CPUs a process's threads may run on ({@code sched_setaffinity(2)}), for measurements whose figure depends on
 * where the scheduler put the processes: a pipe round trip between two processes on one CPU is a context switch each
 * way, across two CPUs a wake-up of the other CPU each way, five to ten times dearer on this kind of machine
 * (docs/anchors/physical-limits.md, rows 2b, 2c and 2f: unpinned, the same loop is one or the other by luck).
 * The mask is per thread: {@link #pinProcess} sets it on every thread the process has, and a thread or process made
 * after that inherits it from the thread that made it.
 */
public final class CpuAffinity {
    /** {@code cpu_set_t} of glibc: 1,024 CPUs, as 16 longs (little-endian bit order within each, as the kernel reads it). */
    private static final int MASK_LONGS = 16;

    private interface Sys extends Library {
        Sys INSTANCE = Native.load(Platform.C_LIBRARY_NAME, Sys.class);

        int sched_setaffinity(int tid, long size, long[] mask);

        int sched_getaffinity(int tid, long size, long[] mask);
    }

    private CpuAffinity() {
    }

    /** The CPUs this thread may run on now. */
    public static BitSet ofThisThread() {
        long[] mask = new long[MASK_LONGS];
        if (Sys.INSTANCE.sched_getaffinity(0, MASK_LONGS * 8L, mask) < 0) {
            throw new IllegalStateException("sched_getaffinity failed: errno " + Native.getLastError());
        }
        return BitSet.valueOf(mask);
    }

    /**
     * Sets the CPUs of every thread process {@code pid} has now (/proc/PID/task); false if the process is gone. A thread
     * that ends meanwhile is skipped; one that starts meanwhile inherits the mask of the thread that made it, so a caller
     * that must cover every thread calls this again once the process is settled.
     */
    public static boolean pinProcess(long pid, BitSet cpus) {
        List<Long> tasks = ProcText.tasks(pid);
        if (tasks.isEmpty()) {
            return false;
        }
        long[] mask = new long[MASK_LONGS];
        long[] bits = cpus.toLongArray();
        System.arraycopy(bits, 0, mask, 0, Math.min(bits.length, MASK_LONGS));
        for (long tid : tasks) {
            if (Sys.INSTANCE.sched_setaffinity((int) tid, MASK_LONGS * 8L, mask) < 0) {
                int errno = Native.getLastError();
                if (errno != 3) { // ESRCH: the thread ended
                    throw new IllegalStateException("sched_setaffinity(" + tid + ") failed: errno " + errno);
                }
            }
        }
        return true;
    }

    /** The CPUs thread {@code tid} may run on, from /proc/TID/status ({@code Cpus_allowed_list}); empty if it is gone. */
    public static BitSet ofTask(long tid) {
        BitSet cpus = new BitSet();
        try {
            for (String line : ProcText.lines(Path.of("/proc", Long.toString(tid), "status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    for (String range : line.substring("Cpus_allowed_list:".length()).trim().split(",")) {
                        String[] ends = range.split("-");
                        int from = Integer.parseInt(ends[0]);
                        cpus.set(from, (ends.length == 2 ? Integer.parseInt(ends[1]) : from) + 1);
                    }
                }
            }
        } catch (NoSuchFileException gone) {
            return new BitSet();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/" + tid + "/status: " + e.getMessage(), e);
        }
        return cpus;
    }

    /**
     * Every process descended from {@code pid} now, from its threads' children lists ({@link ProcText#children}) and
     * theirs; empty if it has none or is gone.
     */
    public static Set<Long> descendants(long pid) {
        Set<Long> found = new LinkedHashSet<>();
        List<Long> todo = new ArrayList<>(List.of(pid));
        while (!todo.isEmpty()) {
            for (long child : ProcText.children(todo.remove(todo.size() - 1))) {
                if (found.add(child)) {
                    todo.add(child);
                }
            }
        }
        return found;
    }
}
