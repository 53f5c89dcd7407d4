package org.shmconform.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.host.CpuAffinity;

class RoundTripPlacementTest {
    @Test
    void acrossTwoCpusTheHarnessRunsOnOneAndEveryProcessItStartsOnTheOtherUntilItCloses() throws Exception {
        BitSet before = CpuAffinity.ofThisThread();
        assumeTrue(before.cardinality() >= 2, RoundTripPlacement.acrossUnavailableReason());
        BitSet first = new BitSet();
        first.set(before.nextSetBit(0));
        BitSet second = new BitSet();
        second.set(before.nextSetBit(before.nextSetBit(0) + 1));
        Process older = new ProcessBuilder("sleep", "600").start(); // started before the placement: found and moved
        Process newer = null;
        try {
            try (RoundTripPlacement p = RoundTripPlacement.acrossCpus()) {
                assertNotNull(p);
                assertEquals(first, CpuAffinity.ofThisThread());
                newer = new ProcessBuilder("sleep", "600").start(); // started by a thread on the first CPU: moved too
                long newerPid = newer.pid();
                await().atMost(Duration.ofSeconds(30)).until(() -> CpuAffinity.ofTask(older.pid()).equals(second)
                        && CpuAffinity.ofTask(newerPid).equals(second));
            }
            assertEquals(before, CpuAffinity.ofThisThread());
            assertEquals(before, CpuAffinity.ofTask(older.pid()), "a process left alive runs where the harness may run again");
            assertEquals(before, CpuAffinity.ofTask(newer.pid()));
        } finally {
            older.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
            if (newer != null) {
                newer.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aProcessThatRanOnCpusOfItsOwnGetsThemBack() throws Exception {
        BitSet before = CpuAffinity.ofThisThread();
        assumeTrue(before.cardinality() >= 2, RoundTripPlacement.acrossUnavailableReason());
        BitSet last = new BitSet();
        last.set(before.length() - 1);
        Process own = new ProcessBuilder("sleep", "600").start();
        try {
            CpuAffinity.pinProcess(own.pid(), last); // as `taskset` would have
            try (RoundTripPlacement p = RoundTripPlacement.oneCpu()) {
                BitSet first = new BitSet();
                first.set(before.nextSetBit(0));
                assertEquals(first, CpuAffinity.ofTask(own.pid()), "placed with the harness");
            }
            assertEquals(last, CpuAffinity.ofTask(own.pid()), "its own CPUs again, not the harness's");
        } finally {
            own.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void onOneCpuTheHarnessAndWhatItStartsShareTheFirstOne() throws Exception {
        BitSet before = CpuAffinity.ofThisThread();
        BitSet first = new BitSet();
        first.set(before.nextSetBit(0));
        Process child = null;
        try {
            try (RoundTripPlacement p = RoundTripPlacement.oneCpu()) {
                assertEquals(first, CpuAffinity.ofThisThread());
                child = new ProcessBuilder("sleep", "600").start();
                assertEquals(first, CpuAffinity.ofTask(child.pid()), "inherited from the pinned thread that started it");
            }
            assertEquals(before, CpuAffinity.ofTask(child.pid()));
        } finally {
            if (child != null) {
                child.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
            }
        }
    }
}
