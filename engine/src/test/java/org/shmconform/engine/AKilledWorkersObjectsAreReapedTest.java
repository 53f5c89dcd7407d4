package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.shmconform.schedule.Steps.create;
import static org.shmconform.schedule.Steps.kill;
import static org.shmconform.schedule.Steps.lock;
import static org.shmconform.schedule.Steps.spawnChild;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.history.Execution;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.WorkerSpec;

/**
 * The other half of ReaperTest#aForeignSegmentAndSetAtTheKeyOfALiveKeyFileAreLeftAlone (and of SysVBackendTest's
 * anotherProgramsSegmentAndSetAtTheKeyOfAKeyFileAreLeft): with no System V object taken for carrying a key file's ftok
 * value, by the engine or by a backend's removeLeftovers, which unlinks the key files only, what a killed worker left is
 * still the run's and still reaped, proven by the worker itself (its segment's creator, the set's last operator) and
 * recorded in the run's ledger, the one way the reaper removes a System V object. Real workers: A creates k, takes its lock and is
 * SIGKILLed holding both, so neither its destructor nor a detach removes anything, and its key files stay.
 */
class AKilledWorkersObjectsAreReapedTest {
    @ParameterizedTest
    @ValueSource(strings = {"sysv", "qt", "qt68-sysv"})
    void theSegmentAndTheSetOfAWorkerKilledHoldingThemAreReaped(String column) throws InterruptedException {
        assertReaped(column, List.of(WorkerSpec.local("A", column)), List.of(create("A", "k", 64), lock("A"), kill("A")));
    }

    /** The same by a worker another worker started (spawnChild): one of the schedule's workers like the others. */
    @ParameterizedTest
    @ValueSource(strings = {"sysv"})
    void theSegmentAndTheSetOfASpawnedChildKilledHoldingThemAreReaped(String column) throws InterruptedException {
        assertReaped(column, List.of(WorkerSpec.local("P", column), WorkerSpec.local("A", column)),
                List.of(spawnChild("P", "A"), create("A", "k", 64), lock("A"), kill("A")));
    }

    /** Runs the steps, in which worker A makes k and takes its lock and is killed, and checks that nothing A made is left. */
    private static void assertReaped(String column, List<WorkerSpec> workers, List<Step> steps) throws InterruptedException {
        long started = System.currentTimeMillis() / 1000;
        Set<Integer> keys = new HashSet<>();
        long a = -1;
        try (RunContext run = RunContext.create()) {
            ScheduleRunner runner = new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                    ScheduleRunner.Timing.defaults());
            Schedule s = new Schedule(column, null, workers, steps);
            String unavailable = runner.unavailableReason(s);
            assumeTrue(unavailable == null, column + ": " + unavailable);
            Execution x = runner.run(s);
            assertEquals(List.of(), x.problems(), "every step ran");
            a = x.workers().get("A").pid();
            keys.addAll(keysOfKeyFiles(run, x.keyPrefix()));
            assertEquals(2, keys.size(), "A's two key files, the segment's and the lock's, were seen: " + Ledger.read(run.runDir()));
            assertEquals(List.of(), left(keys, a, started), column + ": what A made outlived the schedule: " + x.notes());
            assertTrue(x.notes().stream().anyMatch(n -> n.contains("shm key") && n.contains("ledger")), x.notes().toString());
            assertTrue(x.notes().stream().anyMatch(n -> n.contains("sem key") && n.contains("ledger")), x.notes().toString());
        } finally {
            left(keys, a, started).forEach(SysVObjects::remove);
        }
    }

    /** The ftok values of the execution's key files, as the ledger recorded them ({@code keyfile <path> <dev> <ino> <ftok> <uid>}). */
    private static Set<Integer> keysOfKeyFiles(RunContext run, String keyPrefix) {
        Set<Integer> keys = new HashSet<>();
        for (Ledger.Entry e : Ledger.read(run.runDir())) {
            if (e.kind().equals("keyfile") && e.fields().size() == 5 && e.field(0).contains(QtKeys.lettersOf(keyPrefix))) {
                keys.add(Integer.parseInt(e.field(3)));
            }
        }
        return keys;
    }

    /**
     * At those keys, since the test started, the segment A created and the set A operated last: A's own (the test
     * removes nothing else).
     */
    private static List<SysVObjects.Obj> left(Set<Integer> keys, long a, long since) {
        List<SysVObjects.Obj> left = new ArrayList<>();
        for (SysVObjects.Segment s : SysVObjects.segments()) {
            if (keys.contains(s.key()) && s.cpid() == a && s.ctime() >= since) {
                left.add(s.obj());
            }
        }
        for (SysVObjects.SemSet s : SysVObjects.semaphoreSets()) {
            if (keys.contains(s.key()) && s.ctime() >= since && SysVObjects.lastOperator(s.id()) == a) {
                left.add(s.obj());
            }
        }
        return left;
    }
}
