package org.shmconform.model;

import org.shmconform.model.ModelOp.Outcome;
import org.shmconform.model.SegmentModel.Step;

/** What one op must have returned, and the words the model's reasons use for what it did return. */
final class Expect {
    private Expect() {
    }

    /** The op must have returned false (with {@code error}, when given); otherwise it breaks {@code p}. */
    static Step fail(ModelState s, ModelOp op, String error, Property p, String what) {
        if (op.outcome() == Outcome.FAIL && (error == null || error.equals(op.error()))) {
            return Step.to(s);
        }
        return Step.violates(p, what + ": expected false" + (error == null ? "" : " with " + error) + ", got " + describe(op));
    }

    static Step ok(ModelState s, ModelOp op, Property p, String what) {
        return op.outcome() == Outcome.OK ? Step.to(s) : Step.violates(p, what + ": got " + describe(op));
    }

    /** A call that returned must have returned {@code expected}. */
    static Step value(ModelState s, ModelOp op, String expected, Property p) {
        return op.outcome() != Outcome.OK || expected.equals(op.value()) ? Step.to(s)
                : Step.violates(p, op.f() + "() returned " + op.value() + ", expected " + expected);
    }

    /** The op crashed its worker where the model says it must or may: the death op that follows does the rest. */
    static Step crashed(ModelState s, ModelOp op) {
        return Step.to(s.observe(op.f() + " crashed the worker as expected"));
    }

    static String describe(ModelOp op) {
        return switch (op.outcome()) {
            case OK -> "true";
            case FAIL -> "false (" + op.error() + ")";
            case CRASH -> "a crash (" + op.value() + ")";
            case BLOCKED -> "no reply (blocked)";
            case DEATH -> "death";
        };
    }
}
