package org.shmconform.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.shmconform.engine.Subjects;
import org.shmconform.model.ReferenceSemantics;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.Steps;

/**
 * Fuzz qt68-sysv-safe seed 32803 (a mutant of a 60 s campaign, UNKNOWN 3/3 alone, in the host's IPC namespace as in a
 * lane's: "step 47 (lock by A) not performed: A was already gone (ended with signal 11 (SIGSEGV))"). A2's create of k
 * failed on B's live segment, and the clean-up after it left that segment without its key file; A2's attach of k-1 then
 * reached it through a key file on the freed inode, and so did its read-only attach later, so the rawWrite the shadow
 * offered on what it took for a read-write segment of A2's own crashed the process. On a column whose lock shares the
 * segment's key file, once a create has failed on a live segment the shadow no longer knows what an object is attached
 * to, and the generator offers no rawWrite from then on.
 */
class ShadowNamelessSegmentTest {
    @Test
    void aCreateThatFailsOnALiveSegmentMakesAttachmentsUncertainWhereTheLockSharesItsKeyFile() {
        ShadowState safe = new ShadowState(ReferenceSemantics.QT_6_8_SYSV_SAFE);
        safe.apply(Steps.create("B", "k", 200));
        safe.apply(Steps.attach("C", "k"));
        assertFalse(safe.attachmentsUncertain(), "an attach to a live segment leaves none nameless");
        safe.apply(Steps.create("A", "k", 64));
        assertTrue(safe.attachmentsUncertain(), "A's failed create may have unlinked the key file of B's segment");
        ShadowState legacy = new ShadowState(ReferenceSemantics.QT_6_8_SYSV);
        legacy.apply(Steps.create("B", "k", 200));
        legacy.apply(Steps.create("A", "k", 64));
        assertFalse(legacy.attachmentsUncertain(), "a column whose lock has a key file of its own is not concerned");
    }

    /** Generated schedules: rawWrites still come, never once attachments are uncertain. */
    @Test
    void theGeneratorOffersNoRawWriteOnceAttachmentsAreUncertain() {
        int rawBefore = 0;
        int uncertainSchedules = 0;
        for (long seed = 1; seed <= 400; seed++) {
            Schedule s = new ScheduleGenerator("qt68-sysv-safe", Subjects.here().semantics("qt68-sysv-safe"), 3, 64)
                    .secondObjectOnOneSeedIn(4).generate(seed);
            // The generator's shadow as it followed the schedule: every object starts on k, and a kill ends every object
            // of the killed one's process (A and its second object).
            ShadowState shadow = new ShadowState(Subjects.here().semantics("qt68-sysv-safe"));
            s.workers().forEach(w -> shadow.keyOf.put(w.id(), "k"));
            boolean uncertain = false;
            for (Step step : s.steps()) {
                if ("rawWrite".equals(step.op())) {
                    assertFalse(shadow.attachmentsUncertain(), "seed " + seed + ": a rawWrite once attachments are uncertain: " + step);
                    rawBefore++;
                }
                shadow.apply(step);
                if ("kill".equals(step.op())) {
                    String process = s.workers().stream().filter(w -> w.id().equals(step.worker())).findFirst().orElseThrow().processId();
                    s.workers().stream().filter(w -> w.processId().equals(process) && !shadow.dead.contains(w.id()))
                            .forEach(w -> shadow.apply(Steps.kill(w.id())));
                }
                uncertain |= shadow.attachmentsUncertain();
            }
            uncertainSchedules += uncertain ? 1 : 0;
        }
        assertTrue(rawBefore > 0, "no rawWrite in 400 schedules: the check above proves nothing");
        assertTrue(uncertainSchedules > 0, "no schedule reached an uncertain attachment: the check above proves nothing");
    }
}
