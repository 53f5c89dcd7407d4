package org.shmconform.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmconform.engine.Reaper;

/**
 * A run's report carries what the reaping of its contexts did not remove: the dead runs' leftovers said at its start,
 * then the directories its own contexts kept at their ends, each once; never what the reaping removed, which is the run's
 * own doing (the console lists it, as before).
 */
class LeftInPlaceTest {
    @Test
    void theStartsLinesThenTheEndsKeptOnesEachOnceAndNothingRemoved() {
        String left = Reaper.LEFT + "semaphore set key 0x5100b7e4 id 32769 at the ftok value of key file /k of dead run abcdef";
        String keptBefore = Reaper.KEPT + "/run/shmconform/runs/abcdef: another file system is mounted in it";
        String keptNow = Reaper.KEPT + "/run/shmconform-share/ghijkl-x: another file system is mounted in it";
        List<String> atStart = List.of(left, keptBefore);
        // The run's own context, its suite side lane's and its fuzz campaigns' each end with a reaping: two kept the same.
        List<String> atTheEnds = List.of("removed semaphore set key 0x5100b7e5 id 32770 (qt)", keptNow, keptNow);
        assertEquals(List.of(left, keptBefore, keptNow), ConformanceRun.leftInPlace(atStart, atTheEnds));
        assertEquals(List.of(), ConformanceRun.leftInPlace(List.of(), List.of("removed shared memory key 0x1 id 2")));
    }
}
