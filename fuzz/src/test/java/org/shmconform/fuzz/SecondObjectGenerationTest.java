package org.shmconform.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.shmconform.engine.Subjects;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.ScheduleValidation;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.WorkerSpec;

/**
 * The generator offers A's second object (A2, in A's process: issue 13 point 1) its create, attach, detach, lock,
 * unlock, read and write, and never a step to A's process while its other object's async step may be in flight (a
 * worker process does one op at a time), but a kill: every schedule is one ScheduleValidation lets run.
 */
class SecondObjectGenerationTest {
    private static final List<String> COLUMNS = List.of("sysv", "posix", "mmapfile", "memfd-fd");

    @Test
    void theSecondObjectGetsEveryKindOfStepAndEveryScheduleIsValid() {
        Set<String> ops = new TreeSet<>();
        int withSecondObject = 0;
        int selfWaits = 0;
        for (String column : COLUMNS) {
            ScheduleGenerator g = new ScheduleGenerator(column, Subjects.here().semantics(column), 3, 24).secondObjectOnOneSeedIn(1);
            for (long seed = 1; seed <= 150; seed++) {
                Schedule s = g.generate(seed);
                assertEquals(List.of(), ScheduleValidation.problems(s, Set.of(column), Set.of("local")), s.toString());
                assertTrue(s.workers().contains(WorkerSpec.objectOf(s.workers().get(0), ScheduleGenerator.SECOND_OBJECT)), s.toString());
                withSecondObject++;
                boolean aHolds = false;
                for (Step step : s.steps()) {
                    if (step.worker().equals(ScheduleGenerator.SECOND_OBJECT)) {
                        ops.add(step.op());
                        selfWaits += aHolds && step.op().equals("lock") && step.noWait() ? 1 : 0;
                    }
                    if (step.worker().equals("A")) {
                        aHolds = step.op().equals("lock") ? !step.noWait() || aHolds : !step.op().equals("unlock") && !step.op().equals("kill") && aHolds;
                    }
                    if (step.op().equals("kill") && (step.worker().equals("A") || step.worker().equals(ScheduleGenerator.SECOND_OBJECT))) {
                        aHolds = false;
                    }
                }
            }
        }
        assertTrue(ops.containsAll(List.of("create", "attach", "detach", "lock", "unlock", "read", "write", "kill")), ops.toString());
        assertTrue(selfWaits > 0, "A2's lock while A holds it (A's process waiting on itself) is offered: " + selfWaits);
        System.out.println(withSecondObject + " schedules with A2; its ops " + ops + "; A2 locks while A holds: " + selfWaits);
    }

    /**
     * A crash of one object's step (a rawWrite into its read-only attach: SIGSEGV) ends the process, so its other object is
     * dead too and gets no further step; and while the other object holds the lock, no step expected to crash is offered:
     * if the crash did not come, the lock would stay held while the shadow offered it as free.
     */
    @Test
    void aCrashOfOneObjectIsTheDeathOfItsProcesssOtherObject() {
        ShadowState s = new ShadowState(Subjects.here().semantics("sysv"));
        s.oneProcess.addAll(List.of("A", ScheduleGenerator.SECOND_OBJECT));
        s.apply(org.shmconform.schedule.Steps.create("B", "k", 64));
        s.apply(org.shmconform.schedule.Steps.attach("A", "k"));
        s.apply(org.shmconform.schedule.Steps.attachReadOnly(ScheduleGenerator.SECOND_OBJECT, "k"));
        s.apply(org.shmconform.schedule.Steps.lock("A"));
        assertTrue(s.mayHoldALock(ScheduleGenerator.SECOND_OBJECT), "A holds: no step expected to crash for A2 either");
        s.apply(org.shmconform.schedule.Steps.unlock("A"));
        assertTrue(!s.mayHoldALock(ScheduleGenerator.SECOND_OBJECT));
        s.apply(org.shmconform.schedule.Steps.rawWrite(ScheduleGenerator.SECOND_OBJECT, 0, "wA2s5"));
        assertTrue(s.dead.contains(ScheduleGenerator.SECOND_OBJECT) && s.dead.contains("A"), "A2's crash ended A's process: " + s.dead);
        assertTrue(!s.canAct("A"));
    }

    /** Without it (the default) no schedule changes: the seeds of the campaigns and of other tests make what they made. */
    @Test
    void offByDefaultAndDrawnApartFromTheDecisions() {
        ScheduleGenerator plain = new ScheduleGenerator("sysv", Subjects.here().semantics("sysv"), 3, 24);
        ScheduleGenerator some = plain.secondObjectOnOneSeedIn(4);
        List<Long> chosen = new ArrayList<>();
        for (long seed = 1; seed <= 200; seed++) {
            Schedule a = plain.generate(seed);
            Schedule b = some.generate(seed);
            assertTrue(a.workers().stream().allMatch(w -> w.process() == null));
            if (b.workers().stream().anyMatch(w -> w.process() != null)) {
                chosen.add(seed);
            } else {
                assertEquals(a, b, "a seed without the second object makes the schedule it made");
            }
        }
        assertTrue(chosen.size() > 25 && chosen.size() < 75, "about one seed in four: " + chosen.size());
    }
}
