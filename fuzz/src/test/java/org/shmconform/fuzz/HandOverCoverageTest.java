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

/** serveFd, attachFd and spawnChild are transitions of their own, named by who serves at the op's socket. */
class HandOverCoverageTest {
    private static final String SPACE = "memfd@ns";
    private static final Profile HAND_OVER = Profile.declared("declared:memfd-fd", new BackendSemantics("memfd-fd", true, false,
            LockOnHolderDeath.RELEASED, Resize.SEALED, Visibility.PID_NAMESPACE).withDescriptorHandOver(true));

    private static ModelOp op(String p, String f, Args args) {
        return new ModelOp(p, f, args, 1, Outcome.OK, "NoError", null, SPACE, null);
    }

    private static ModelState step(ModelState s, ModelOp op) {
        SegmentModel.Step st = SegmentModel.step(HAND_OVER, s, op);
        assertTrue(st.legal(), op + ": " + st.why());
        return st.next().get(0);
    }

    @Test
    void theHandOverStateNamesTheTransition() {
        ModelState s = step(ModelState.initial(), op("A", "create", Args.NONE.withKey("k").withSize(64L).withMode("ReadWrite")));
        ModelOp serve = op("A", "serveFd", Args.NONE.withPath("hA"));
        assertEquals("seg=yes att=1 lock=free me=attached srv=none", TransitionCoverage.abstraction(s, serve));
        s = step(s, serve);
        ModelOp receive = op("B", "attachFd", Args.NONE.withKey("k").withPath("hA").withMode("ReadWrite"));
        assertEquals("seg=yes att=1 lock=free me=fresh srv=other", TransitionCoverage.abstraction(s, receive));
        assertEquals("seg=yes att=1 lock=free me=attached serving",
                TransitionCoverage.abstraction(s, op("A", "spawnChild", Args.NONE.withChild("C"))));
        s = step(s, receive);
        s = step(s, op("A", "spawnChild", Args.NONE.withChild("C")));
        assertEquals("seg=yes att=2+ lock=free me=attached", TransitionCoverage.abstraction(s, op("C", "read", Args.NONE.withOffset(0L)
                .withLength(1))), "the child is attached to its parent's segment");
    }
}
