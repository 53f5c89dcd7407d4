package org.shmconform.cli;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import org.shmconform.backends.host.CpuAffinity;

/**
 * Where {@code bench} runs a round trip's processes while it measures it: on one CPU (the harness's threads and every
 * process descended from it), or across two (the harness's threads on one, its descendants on the other). A pipe round
 * trip on this kind of machine is a context switch each way on one CPU and a wake-up of the other CPU each way across
 * two, five to ten times dearer (docs/anchors/physical-limits.md, rows 2b and 2c); left to the scheduler it is one or
 * the other by luck (row 2f), and so was a ratio of two round trips measured a minute apart (2026-12-07, one machine,
 * twelve benches: the JVM pipe floor 16.1-79.7 us, a Java column's round trip 0.6-5.5x it after warm-ups of 2,000 to
 * 40,000). Measured in the same placement, a round trip and its floor are compared like with like.
 * <p>
 * The harness's threads are pinned when the placement opens (a thread made later inherits the mask of the thread that
 * makes it); a placer thread pins each descendant it finds (/proc's children lists, every {@value #TICK_MS} ms: the
 * pool's idle workers and fork servers from before, a worker started during the measurement) three ticks running, so a
 * thread a starting JVM makes while it is pinned is pinned too. Closing it gives the harness's threads, and every
 * descendant still alive, the CPUs they had before (one started meanwhile, the harness's): a fork server or a pooled
 * worker kept for the fuzz after it runs where the scheduler puts it.
 */
final class RoundTripPlacement implements AutoCloseable {
    /**
     * How often the placer looks for new descendants. A round trip's warm-up lasts seconds, so a worker placed up to a
     * tick late is placed long before the measured round trips; each look preempts the harness on its CPU (a qt bench
     * under perf with 5 ms: the placer thread 1.7 % of the machine's samples).
     */
    static final long TICK_MS = 50;
    private static final int PINS_PER_PROCESS = 3;

    private final BitSet before;
    private final BitSet descendantCpus;
    private final long self = ProcessHandle.current().pid();
    /** Each descendant placed, with how often. */
    private final Map<Long, Integer> pins = new HashMap<>();
    /** The CPUs of each descendant alive when the placement opened, given back at its close. */
    private final Map<Long, BitSet> theirsBefore = new HashMap<>();
    private final Thread placer;
    private volatile boolean closed;

    private RoundTripPlacement(BitSet before, BitSet harnessCpus, BitSet descendantCpus) {
        this.before = before;
        this.descendantCpus = descendantCpus;
        // Read before anything is pinned: a process started from now on inherits a pinned mask, not its own.
        for (long pid : CpuAffinity.descendants(self)) {
            theirsBefore.put(pid, CpuAffinity.ofTask(pid));
        }
        CpuAffinity.pinProcess(self, harnessCpus);
        placeDescendants();
        placer = new Thread(this::placeUntilClosed, "bench-placer");
        placer.setDaemon(true);
        placer.start();
    }

    /** The harness and its descendants on the first CPU the harness may use. */
    static RoundTripPlacement oneCpu() {
        BitSet before = CpuAffinity.ofThisThread();
        BitSet first = cpu(before.nextSetBit(0));
        return new RoundTripPlacement(before, first, first);
    }

    /** The harness on the first CPU it may use, its descendants on the second; null where it may use only one. */
    static RoundTripPlacement acrossCpus() {
        BitSet before = CpuAffinity.ofThisThread();
        int first = before.nextSetBit(0);
        int second = before.nextSetBit(first + 1);
        return second < 0 ? null : new RoundTripPlacement(before, cpu(first), cpu(second));
    }

    /** Why {@link #acrossCpus} gives none here. */
    static String acrossUnavailableReason() {
        return "this process may run on one CPU only (" + CpuAffinity.ofThisThread() + "): no round trip across two here";
    }

    private static BitSet cpu(int index) {
        BitSet b = new BitSet();
        b.set(index);
        return b;
    }

    private void placeUntilClosed() {
        while (!closed) {
            try {
                Thread.sleep(TICK_MS);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                if (!closed) {
                    placeDescendants();
                }
            }
        }
    }

    private void placeDescendants() {
        for (long pid : CpuAffinity.descendants(self)) {
            int n = pins.getOrDefault(pid, 0);
            if (n >= PINS_PER_PROCESS) {
                continue;
            }
            pins.put(pid, placed(pid, descendantCpus) ? n + 1 : PINS_PER_PROCESS);
        }
    }

    /**
     * Whether the process took the mask: false if it is gone, or if the kernel refused it (a process in a cpuset without
     * that CPU: EINVAL), which is left where it runs rather than ending the measurement.
     */
    private static boolean placed(long pid, BitSet cpus) {
        try {
            return CpuAffinity.pinProcess(pid, cpus);
        } catch (IllegalStateException refused) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        synchronized (this) {
            closed = true;
        }
        placer.interrupt();
        placer.join();
        CpuAffinity.pinProcess(self, before);
        // Twice: a process a descendant forks while the first pass runs inherits the pinned mask. One alive at the opening
        // gets the CPUs it had then; one started since inherited the harness's, which it gets back.
        for (int pass = 0; pass < 2; pass++) {
            for (long pid : CpuAffinity.descendants(self)) {
                BitSet theirs = theirsBefore.get(pid);
                placed(pid, theirs == null || theirs.isEmpty() ? before : theirs);
            }
        }
    }
}
