package org.shmconform.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.model.Ops.call;
import static org.shmconform.model.Ops.create;
import static org.shmconform.model.Ops.kill;
import static org.shmconform.model.Ops.legal;
import static org.shmconform.model.Ops.read;
import static org.shmconform.model.Ops.reachable;
import static org.shmconform.model.Ops.violated;
import static org.shmconform.model.Ops.write;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmconform.model.ModelOp.Outcome;
import org.shmconform.spi.Args;
import org.shmconform.spi.BackendSemantics.LockOnHolderDeath;
import org.shmconform.spi.BackendSemantics.Resize;

/** Seed L5's "let a child process inherit it": spawnChild as the model states it. */
class InheritedDescriptorTest {
    private static final String KEY = Ops.SPACE + "|k";
    private static final Profile HAND_OVER = new Profile("memfd-fd", true, false, LockOnHolderDeath.RELEASED, Resize.SEALED,
            false, false, false, true);
    private static final Profile NO_HAND_OVER = new Profile("memfd", true, false, LockOnHolderDeath.RELEASED, Resize.SEALED,
            false, false, false, false);

    private static ModelOp spawn(String parent, String child) {
        return new ModelOp(parent, "spawnChild", Args.NONE.withChild(child), 0, Outcome.OK, "NoError", null, Ops.SPACE, null);
    }

    /** Ops.failed would drop the child argument. */
    private static ModelOp failed(ModelOp o, String error) {
        return new ModelOp(o.process(), o.f(), o.args(), 0, Outcome.FAIL, error, null, o.space(), o.user());
    }

    @Test
    void theChildIsAttachedToItsParentsSegmentAndOutlivesIt() {
        List<ModelOp> ops = new ArrayList<>(List.of(create("A", "k", 64), write("A", 0, "from-A"), spawn("A", "C")));
        assertTrue(legal(HAND_OVER, ops, read("C", 0, "from-A")));
        assertEquals(Property.DATA_SHARED, violated(HAND_OVER, ops, read("C", 0, "stale!")));
        assertTrue(reachable(HAND_OVER, ops).stream().allMatch(s -> s.segments().get(KEY).attached().containsKey("C")
                && s.worker("C").attached() && !s.worker("C").locked()));
        // The parent dies; the child keeps the segment (the memfd lives while a process maps it).
        ops.add(kill("A"));
        assertTrue(legal(HAND_OVER, ops, read("C", 0, "from-A")));
        // The child's detach is the last: the segment is gone.
        ops.add(call("C", "detach"));
        assertTrue(reachable(HAND_OVER, ops).stream().noneMatch(s -> s.segments().containsKey(KEY)));
    }

    @Test
    void withoutADescriptorToInheritTheSpawnFailsAndTheChildIsFresh() {
        assertEquals(Property.API_CONTRACT, violated(HAND_OVER, List.of(), spawn("A", "C")));
        assertTrue(legal(HAND_OVER, List.of(), failed(spawn("A", "C"), "NotFound")));
        assertTrue(reachable(HAND_OVER, List.of(failed(spawn("A", "C"), "NotFound"))).stream().noneMatch(s -> s.worker("C").attached()));
        // A column that declares no hand-over must refuse it, attached or not; one that works anyway is caught.
        assertEquals(Property.API_CONTRACT, violated(NO_HAND_OVER, List.of(create("A", "k", 64)), spawn("A", "C")));
        assertTrue(legal(NO_HAND_OVER, List.of(create("A", "k", 64)), failed(spawn("A", "C"), "UnknownError")));
        // An attached parent whose child did not get the segment: the documented hand-over broke.
        assertEquals(Property.ATTACH_EXISTING, violated(HAND_OVER, List.of(create("A", "k", 64)), failed(spawn("A", "C"), "NotFound")));
        // Silent documentation (null): both.
        assertTrue(legal(Profile.DOCUMENTED, List.of(create("A", "k", 64)), spawn("A", "C")));
        assertTrue(legal(Profile.DOCUMENTED, List.of(create("A", "k", 64)), failed(spawn("A", "C"), "UnknownError")));
    }

    @Test
    void anAttachFdWaitsOnlyOnALockAnotherHolds() {
        ModelOp attachFd = new ModelOp("B", "attachFd", Args.NONE.withKey("k").withPath("h").withMode("ReadWrite"), 13,
                Outcome.BLOCKED, null, null, Ops.SPACE, null);
        ModelOp serve = new ModelOp("A", "serveFd", Args.NONE.withPath("h"), 0, Outcome.OK, "NoError", null, Ops.SPACE, null);
        List<ModelOp> held = List.of(create("A", "k", 64), serve, Ops.value("A", "lock", null));
        assertTrue(legal(HAND_OVER, held, attachFd));
        assertEquals(Property.LOCK_EXCLUSIVE, violated(HAND_OVER, List.of(create("A", "k", 64), serve), attachFd));
    }
}
