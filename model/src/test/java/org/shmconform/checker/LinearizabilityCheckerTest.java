package org.shmconform.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmconform.model.ModelOp;
import org.shmconform.model.ModelOp.Outcome;
import org.shmconform.model.Profile;
import org.shmconform.model.Property;

/** The checker on the histories that showed it unsound, with their real-time intervals. */
class LinearizabilityCheckerTest {
    private static final Profile POSIX = Profile.declared("declared:posix", Decl.of("posix"));

    /**
     * Issue 10's truncate-under-reader evidence: B's attach was invoked before A's truncate and
     * returned after it, so it may have mapped the shrunk object; its read past the new end was then
     * refused. Legal. Had the attach returned before the truncate began, the read had to crash.
     */
    @Test
    void aReadRefusedAfterAnAttachThatOverlappedTheTruncateIsLegal() {
        List<CheckedOp> overlapping = List.of(
                op(0, create("A", 16384), 0, 10, 0),
                op(1, write("A", 8192, "far-page"), 20, 30, 1),
                op(2, attach("B"), 40, 4850, 2),
                op(3, truncate("A", 4096), 500, 600, 3),
                op(4, refusedRead("B", 8192, 8), 4900, 4950, 4));
        assertEquals(CheckResult.Status.LINEARIZABLE, LinearizabilityChecker.check(POSIX, overlapping).status());

        List<CheckedOp> attachedBefore = List.of(
                op(0, create("A", 16384), 0, 10, 0),
                op(1, write("A", 8192, "far-page"), 20, 30, 1),
                op(2, attach("B"), 40, 50, 2),
                op(3, truncate("A", 4096), 500, 600, 3),
                op(4, refusedRead("B", 8192, 8), 4900, 4950, 4));
        CheckResult r = LinearizabilityChecker.check(POSIX, attachedBefore);
        assertEquals(CheckResult.Status.VIOLATION, r.status());
        assertEquals(Property.TRUNCATION_CRASHES, r.violated());
    }

    /**
     * The search recurses once per op placed; a long part (here 3,000 sequential size() calls, run on a thread with a
     * small stack so that the depth is out of reach whatever the JVM's default) used to end the check with a
     * StackOverflowError: now it is UNKNOWN, never a crash and never PASS.
     */
    @Test
    void aSearchDeeperThanItsStackIsUnknown() throws Exception {
        List<CheckedOp> ops = new java.util.ArrayList<>(List.of(op(0, create("A", 64), 0, 5, 0)));
        for (int i = 1; i < 3000; i++) {
            ops.add(op(i, HistoryGenerator.with(HistoryGenerator.call("A", "size", null, null, null, null, null, null), Outcome.OK,
                    "NoError", "64", null), 10L * i, 10L * i + 5, i));
        }
        Object[] outcome = new Object[1];
        Thread small = new Thread(null, () -> {
            try {
                outcome[0] = LinearizabilityChecker.check(Profile.DOCUMENTED, ops);
            } catch (Throwable t) {
                outcome[0] = t;
            }
        }, "small-stack checker", 256 * 1024);
        small.start();
        small.join();
        CheckResult r = assertInstanceOf(CheckResult.class, outcome[0]);
        assertEquals(CheckResult.Status.UNKNOWN, r.status());
        assertTrue(r.why().contains("ran out of stack"), r.why());
    }

    /**
     * Ops are listed as they complete: an op in flight when its worker was killed can be listed after
     * the kill, yet it was invoked before it and may have taken effect (found by CheckerSoundnessTest,
     * seed 74). Program order is the order of the invokes.
     */
    @Test
    void anOpInFlightWhenItsWorkerWasKilledMayTakeEffectBeforeTheDeath() {
        List<CheckedOp> ops = List.of(
                new CheckedOp(0, kill("C"), 865, 922, false, 9),
                new CheckedOp(1, create("C", 4096), 800, 952, true, 8),
                new CheckedOp(2, failed(create("B", 64), "AlreadyExists"), 785, 1000, false, 7));
        assertEquals(CheckResult.Status.LINEARIZABLE, LinearizabilityChecker.check(Profile.DOCUMENTED, ops).status());
    }

    private static CheckedOp op(int id, ModelOp op, long call, long ret, int invokeIndex) {
        return new CheckedOp(id, op, call, ret, false, invokeIndex);
    }

    private static ModelOp create(String p, long size) {
        return HistoryGenerator.call(p, "create", "k", size, "ReadWrite", null, null, null);
    }

    private static ModelOp attach(String p) {
        return HistoryGenerator.call(p, "attach", "k", null, "ReadWrite", null, null, null);
    }

    private static ModelOp write(String p, long offset, String text) {
        return HistoryGenerator.call(p, "write", null, null, null, offset, null, HexFormat.of().formatHex(text.getBytes()));
    }

    private static ModelOp truncate(String p, int length) {
        return HistoryGenerator.call(p, "truncate", null, null, null, null, length, null);
    }

    private static ModelOp refusedRead(String p, long offset, int length) {
        return failed(HistoryGenerator.call(p, "read", null, null, null, offset, length, null), "InvalidSize");
    }

    private static ModelOp failed(ModelOp c, String error) {
        return HistoryGenerator.with(c, Outcome.FAIL, error, null, c.dataHex());
    }

    private static ModelOp kill(String p) {
        return HistoryGenerator.kill(p);
    }
}
