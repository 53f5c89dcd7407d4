package org.shmconform.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.shmconform.model.ModelOp;
import org.shmconform.model.ModelOp.Outcome;
import org.shmconform.model.ModelState;
import org.shmconform.model.Profile;
import org.shmconform.model.SegmentModel;
import org.shmconform.spi.Args;
import org.shmconform.spi.BackendSemantics;
import org.shmconform.spi.BackendSemantics.LockOnHolderDeath;
import org.shmconform.spi.BackendSemantics.Resize;
import org.shmconform.spi.BackendSemantics.Visibility;

/** The abstract state a transition is named by, in every kind of lock state the model has. */
class TransitionCoverageTest {
    private static final String SPACE = "robust|ns";
    /** A robust mutex: the next locker after a holder's death is told (the state that once broke the abstraction). */
    private static final Profile ROBUST = Profile.declared("declared:robust", new BackendSemantics("robust", true, true,
            LockOnHolderDeath.RELEASED_OWNER_DEAD, Resize.SHRINKABLE, Visibility.DEV_SHM_MOUNT).withLockInSegment(true));

    private static ModelOp op(String p, String f, Args args, Outcome outcome) {
        return new ModelOp(p, f, args, 1, outcome, null, null, SPACE, null);
    }

    private static ModelState step(ModelState s, ModelOp op) {
        SegmentModel.Step st = SegmentModel.step(ROBUST, s, op);
        assertTrue(st.legal(), op + ": " + st.why());
        return st.next().get(0);
    }

    @Test
    void aLockWhoseHolderDiedIsNamedAsSuch() {
        ModelState s = ModelState.initial();
        s = step(s, op("A", "create", Args.NONE.withKey("k").withSize(64L).withMode("ReadWrite"), Outcome.OK));
        s = step(s, op("B", "attach", Args.NONE.withKey("k").withMode("ReadWrite"), Outcome.OK));
        assertEquals("seg=yes att=2+ lock=free me=attached", TransitionCoverage.abstraction(s, op("B", "lock", Args.NONE, Outcome.OK)));
        s = step(s, op("A", "lock", Args.NONE, Outcome.OK));
        assertEquals("seg=yes att=2+ lock=other me=attached", TransitionCoverage.abstraction(s, op("B", "lock", Args.NONE, Outcome.OK)));
        assertEquals("seg=yes att=2+ lock=me me=attached+locked", TransitionCoverage.abstraction(s, op("A", "unlock", Args.NONE, Outcome.OK)));
        s = step(s, op("A", "kill", Args.NONE, Outcome.DEATH));
        assertEquals("seg=yes att=1 lock=owner-dead me=attached", TransitionCoverage.abstraction(s, op("B", "lock", Args.NONE, Outcome.OK)));
    }
}
