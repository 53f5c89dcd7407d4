package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.host.Pidfd;
import org.shmconform.backends.sysv.SysVObjects.Obj;
import org.shmconform.backends.sysv.SysVObjects.SemSet;
import org.shmconform.backends.sysv.SysVObjects.Segment;

/**
 * The proofs of {@link SetsOfLiveWorker} and {@link SegmentsOfLiveWorker} for an object last changed in the very second
 * its worker started, which the kernel's whole-second times cannot date: a set made before a pooled spare started and
 * last operated by that spare in the same second (the set 0x51005639 a qt fuzz left, created and last operated in one
 * second by a worker since killed). The change of its last operator since the reading at the worker's start dates it.
 * A real live process is pinned (its pid is the worker's); the readings are given, so the second is exact.
 */
class ProofInTheWorkersFirstSecondTest {
    private static final long RUN_START_SECOND = 1_000;
    /** The worker had its pid from half a second into the second the object was last changed in. */
    private static final long SECOND = 1_000_000;
    private static final long HELD_PID_SINCE = SECOND * 1000 + 500;
    private static final int OTHER = 4_194_000;

    private Process process;
    private Pidfd pinned;
    private int pid;

    @BeforeEach
    void aLiveWorker() throws Exception {
        process = new ProcessBuilder("sleep", "300").start();
        pinned = Pidfd.open(process.pid());
        assertNotNull(pinned, "pidfd_open on this kernel");
        pid = (int) process.pid();
    }

    @AfterEach
    void end() throws Exception {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        pinned.close();
    }

    private static SemSet set(int id) {
        return new SemSet(id, 0x51005639, 1, 0, SECOND, SECOND);
    }

    private List<Integer> provenSets(Map<Integer, Integer> lastOperatorsThen) {
        SysVReading now = SysVReading.of(List.of(set(7)), List.of(), Map.of(7, pid));
        return SetsOfLiveWorker.lastOperatedBy(now, pinned, HELD_PID_SINCE, lastOperatorsThen, RUN_START_SECOND).stream()
                .map(SemSet::id).toList();
    }

    @Test
    void aSetWhoseLastOperatorChangedToTheWorkerSinceItsStartIsItsOwn() {
        assertEquals(List.of(7), provenSets(Map.of(7, OTHER)), "another pid then, the worker's now: the worker's change");
        assertEquals(List.of(7), provenSets(Map.of()), "not listed then: made later");
        assertEquals(List.of(), provenSets(Map.of(7, pid)), "the same pid then: a former holder of the number may have set it");
        assertEquals(List.of(), provenSets(Map.of(7, -1)), "not read then: nothing to compare");
    }

    @Test
    void aSetLastOperatedByAnotherProcessIsNeverTheWorkers() {
        SysVReading now = SysVReading.of(List.of(set(7)), List.of(), Map.of(7, OTHER));
        assertTrue(SetsOfLiveWorker.lastOperatedBy(now, pinned, HELD_PID_SINCE, Map.of(7, OTHER - 1), RUN_START_SECOND).isEmpty());
    }

    @Test
    void aProofIsVoidOnceTheWorkerExited() throws Exception {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        assertEquals(List.of(), provenSets(Map.of(7, OTHER)));
    }

    private List<Integer> provenSegments(int cpid, Map<Integer, Integer> lastUsersThen) {
        Segment s = new Segment(9, 0x51005639, cpid, pid, 0, 0, SECOND, SECOND, SECOND);
        SysVReading now = SysVReading.of(List.of(), List.of(s), Map.of());
        return SegmentsOfLiveWorker.madeOrUsedLastBy(now, pinned, HELD_PID_SINCE, lastUsersThen, RUN_START_SECOND).stream()
                .map(Segment::obj).map(Obj::id).toList();
    }

    @Test
    void aSegmentWhoseLastAttachOrDetachChangedToTheWorkerSinceItsStartIsItsOwn() {
        assertEquals(List.of(9), provenSegments(OTHER, Map.of(9, OTHER)), "another lpid then, the worker's now");
        assertEquals(List.of(9), provenSegments(OTHER, Map.of()), "not listed then: made and used later");
        assertEquals(List.of(), provenSegments(OTHER, Map.of(9, pid)), "the same lpid then: maybe a former holder's");
        assertEquals(List.of(), provenSegments(pid, Map.of(9, pid)), "listed then: not its creation either");
    }
}
