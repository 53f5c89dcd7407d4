package org.shmconform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The bench's CPU figure counts this JVM and the children it reaped, from /proc/self/stat. */
class ProcessCpuTest {
    @Test
    void readsTheFourTimesAfterACommandNameWithSpacesAndParentheses() {
        String stat = "4242 (a (b) c) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 50 7 3 20 0 1 0 100 1000 10 18446744073709551615";
        assertEquals(3.10, ProcessCpu.secondsIn(stat), 1e-9);
    }

    @Test
    void aReapedChildsCpuIsCounted() throws Exception {
        double before = ProcessCpu.seconds();
        // A child that only burns CPU (about a quarter of a second here), then is waited for.
        Process p = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done").start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        double spent = ProcessCpu.seconds() - before;
        assertTrue(spent >= 0.05, "CPU counted: " + spent + " s");
    }

    /** A live child that reaps a busy child of its own (as a fork server does): that CPU is counted before it ends. */
    @Test
    void aLiveReapersReapedChildIsCounted() throws Exception {
        Process reaper = new ProcessBuilder("sh", "-c", "sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done'; echo reaped; read x")
                .start();
        try {
            assertEquals('r', reaper.getInputStream().read(), "the busy grandchild was reaped");
            double without = ProcessCpu.seconds();
            double with = ProcessCpu.seconds(java.util.List.of(reaper.pid()));
            assertTrue(with - without >= 0.05, "its reaped child's CPU: " + (with - without) + " s");
            assertEquals(without, ProcessCpu.seconds(java.util.List.of(Long.MAX_VALUE)), 0.05, "a process that is gone adds nothing");
        } finally {
            reaper.destroyForcibly().waitFor();
        }
    }
}
