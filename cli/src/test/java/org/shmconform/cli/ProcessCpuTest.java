package org.shmconform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The bench's CPU figure counts this JVM and the children it reaped, from /proc/self/stat, and tells the harness's own
 * threads from the workers.
 */
class ProcessCpuTest {
    @Test
    void readsTheFourTimesAfterACommandNameWithSpacesAndParentheses() {
        String stat = "4242 (a (b) c) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 50 7 3 20 0 1 0 100 1000 10 18446744073709551615";
        ProcessCpu.Cpu cpu = ProcessCpu.in(stat);
        assertEquals(3.00, cpu.harness(), 1e-9, "utime + stime: its own");
        assertEquals(0.10, cpu.workers(), 1e-9, "cutime + cstime: its reaped children");
        assertEquals(3.10, cpu.total(), 1e-9);
    }

    /** A child that only burns CPU (about a quarter of a second here), then is waited for: a worker's, not the harness's. */
    @Test
    void aReapedChildsCpuIsCountedAsAWorkers() throws Exception {
        ProcessCpu.Cpu before = ProcessCpu.now(List.of());
        Process p = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done").start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        ProcessCpu.Cpu spent = ProcessCpu.now(List.of()).since(before);
        assertTrue(spent.workers() >= 0.05, "the child's CPU counted as the workers': " + spent);
    }

    /** A live child that reaps a busy child of its own (as a fork server does): that CPU is counted before it ends. */
    @Test
    void aLiveReapersReapedChildIsCounted() throws Exception {
        Process reaper = new ProcessBuilder("sh", "-c", "sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done'; echo reaped; read x")
                .start();
        try {
            assertEquals('r', reaper.getInputStream().read(), "the busy grandchild was reaped");
            ProcessCpu.Cpu without = ProcessCpu.now(List.of());
            ProcessCpu.Cpu with = ProcessCpu.now(List.of(reaper.pid()));
            assertTrue(with.workers() - without.workers() >= 0.05, "its reaped child's CPU: " + with.since(without));
            // The workers' share only: the harness's own threads (JIT, GC) go on using CPU between the two readings.
            assertEquals(without.workers(), ProcessCpu.now(List.of(Long.MAX_VALUE)).workers(), 0.05, "a process that is gone adds nothing");
        } finally {
            reaper.destroyForcibly().waitFor();
        }
    }
}
