package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.sysv.SysVObjects.Segment;
import org.shmconform.backends.sysv.SysVObjects.SemSet;

/**
 * The live worker's proofs, taken after its end (WorkerProcess.reap): they count only while what vouches for its pid
 * (its PidHold's helper, or its being unreaped) still does after the reading, and never take what another pid made or
 * operated last, nor what was already there before it had its pid. Given readings, no processes.
 */
class ProofAfterTheWorkersEndTest {
    private static final int WORKER = 4242;
    private static final int OTHER = 4343;
    private static final long START = 1_000L;
    private static final long SINCE_MILLIS = 1_000_500L;

    private static final Segment MADE = new Segment(1, 0, WORKER, WORKER, 0, 0, 0, 1_001, 1_001);
    private static final Segment OTHERS = new Segment(2, 0, OTHER, OTHER, 0, 0, 0, 1_001, 1_001);
    private static final Segment BEFORE_IT = new Segment(3, 0, WORKER, 0, 0, 0, 0, 0, 1_000);
    private static final SemSet OPERATED = new SemSet(10, 0, 1, 0, 1_001, 1_001);
    private static final SemSet OPERATED_BY_OTHER = new SemSet(11, 0, 1, 0, 1_001, 1_001);
    private static final SysVReading AFTER_ITS_END = SysVReading.of(List.of(OPERATED, OPERATED_BY_OTHER),
            List.of(MADE, OTHERS, BEFORE_IT), Map.of(10, WORKER, 11, OTHER));
    /** Segment 3 was listed when the worker already had its pid, last used by nobody: not its creation. */
    private static final Map<Integer, Integer> SEGMENTS_BEFORE = Map.of(3, 0);

    @Test
    void whileItsPidIsVouchedForItsOwnAreProvenAndNothingElse() {
        assertEquals(List.of(MADE), SegmentsOfLiveWorker.madeOrUsedLastBy(AFTER_ITS_END, WORKER, () -> true, SINCE_MILLIS,
                SEGMENTS_BEFORE, START));
        assertEquals(List.of(OPERATED), SetsOfLiveWorker.lastOperatedBy(AFTER_ITS_END, WORKER, () -> true, SINCE_MILLIS,
                Map.of(), START));
    }

    @Test
    void onceNothingVouchesForItsPidNothingIsProven() {
        // The helper died, or the worker was reaped: the number may have been another process's during the reading.
        assertEquals(List.of(), SegmentsOfLiveWorker.madeOrUsedLastBy(AFTER_ITS_END, WORKER, () -> false, SINCE_MILLIS,
                SEGMENTS_BEFORE, START));
        assertEquals(List.of(), SetsOfLiveWorker.lastOperatedBy(AFTER_ITS_END, WORKER, () -> false, SINCE_MILLIS, Map.of(), START));
    }
}
