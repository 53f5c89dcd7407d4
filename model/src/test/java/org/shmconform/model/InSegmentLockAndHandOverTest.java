package org.shmconform.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.model.Ops.attach;
import static org.shmconform.model.Ops.blocked;
import static org.shmconform.model.Ops.call;
import static org.shmconform.model.Ops.create;
import static org.shmconform.model.Ops.failed;
import static org.shmconform.model.Ops.kill;
import static org.shmconform.model.Ops.legal;
import static org.shmconform.model.Ops.reachable;
import static org.shmconform.model.Ops.value;
import static org.shmconform.model.Ops.violated;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmconform.history.OwnerDied;
import org.shmconform.model.ModelOp.Outcome;
import org.shmconform.spi.Args;
import org.shmconform.spi.BackendSemantics.LockOnHolderDeath;
import org.shmconform.spi.BackendSemantics.Resize;

/** Seeds M4/M5 (a lock that lives in the segment, a robust mutex's ownerDied) and L5 (serveFd, attachFd) as the model states them. */
class InSegmentLockAndHandOverTest {
    private static final String KEY = Ops.SPACE + "|k";
    private static final Profile FLAG = new Profile("flag", true, true, LockOnHolderDeath.STAYS_HELD, Resize.SHRINKABLE, false, false, true, false);
    private static final Profile ROBUST = new Profile("robust", true, true, LockOnHolderDeath.RELEASED_OWNER_DEAD, Resize.SHRINKABLE,
            false, false, true, false);
    private static final Profile SEPARATE = new Profile("semaphore", true, true, LockOnHolderDeath.STAYS_HELD, Resize.SHRINKABLE,
            false, false, false, false);
    private static final Profile HAND_OVER = new Profile("memfd-fd", true, false, LockOnHolderDeath.RELEASED, Resize.SEALED,
            false, false, false, true);
    /** A holds the lock and dies; B, the last attacher, detaches: the segment is destroyed. */
    private static final List<ModelOp> HOLDER_DIED_SEGMENT_GONE = List.of(create("A", "k", 64), attach("B", "k"),
            locked("A", false), kill("A"), call("B", "detach"), create("B", "k", 64));

    private static ModelOp locked(String p, boolean ownerDied) {
        return value(p, "lock", OwnerDied.value(ownerDied));
    }

    @Test
    void aFlagInTheSegmentStaysTakenUntilTheSegmentGoes() {
        List<ModelOp> died = HOLDER_DIED_SEGMENT_GONE.subList(0, 4);
        assertTrue(legal(FLAG, died, blocked(locked("B", false))));
        assertEquals(Property.LOCK_EXCLUSIVE, violated(FLAG, died, locked("B", false)));
        // The segment, and the flag in it, destroyed: a new segment's lock is free.
        assertTrue(legal(FLAG, HOLDER_DIED_SEGMENT_GONE, locked("B", false)));
        assertEquals(Property.LOCK_HOLDER_DEATH, violated(FLAG, HOLDER_DIED_SEGMENT_GONE, blocked(locked("B", false))));
        // A lock of its own kernel object outlives the segment: still held by the dead A.
        assertEquals(Property.LOCK_EXCLUSIVE, violated(SEPARATE, HOLDER_DIED_SEGMENT_GONE, locked("B", false)));
        // The documentation is silent on where the lock lives: both.
        assertTrue(legal(Profile.DOCUMENTED, HOLDER_DIED_SEGMENT_GONE, locked("B", false)));
        assertTrue(legal(Profile.DOCUMENTED, HOLDER_DIED_SEGMENT_GONE, blocked(locked("B", false))));
    }

    @Test
    void aRobustMutexTellsExactlyTheFirstLockerAfterTheHolderDied() {
        List<ModelOp> died = HOLDER_DIED_SEGMENT_GONE.subList(0, 4);
        assertTrue(legal(ROBUST, died, locked("B", true)));
        assertEquals(Property.LOCK_HOLDER_DEATH, violated(ROBUST, died, locked("B", false)));
        assertEquals(Property.LOCK_HOLDER_DEATH, violated(ROBUST, died, blocked(locked("B", false))));
        List<ModelOp> taken = new ArrayList<>(died);
        taken.add(locked("B", true));
        taken.add(call("B", "unlock"));
        assertTrue(legal(ROBUST, taken, locked("B", false)));
        assertEquals(Property.LOCK_HOLDER_DEATH, violated(ROBUST, taken, locked("B", true)));
        // Nobody died: no notice; the first lock after a death in a segment that is gone: none either.
        assertEquals(Property.LOCK_HOLDER_DEATH, violated(ROBUST, List.of(create("A", "k", 64)), locked("A", true)));
        assertEquals(Property.LOCK_HOLDER_DEATH, violated(ROBUST, HOLDER_DIED_SEGMENT_GONE, locked("B", true)));
        assertTrue(legal(ROBUST, HOLDER_DIED_SEGMENT_GONE, locked("B", false)));
        // A worker that does not say (no value) is not judged on the notice; the documentation allows both.
        assertTrue(legal(ROBUST, died, call("B", "lock")));
        assertTrue(legal(Profile.DOCUMENTED, died, locked("B", true)));
        assertTrue(legal(Profile.DOCUMENTED, died, locked("B", false)));
        // A re-lock by the holder took nothing over.
        List<ModelOp> again = new ArrayList<>(died);
        again.add(locked("B", true));
        assertEquals(Property.LOCK_HOLDER_DEATH, violated(ROBUST, again, locked("B", true)));
    }

    private static ModelOp serve(String p, String name, String peer) {
        return new ModelOp(p, "serveFd", Args.NONE.withPath(name).withPeer(peer), 0, Outcome.OK, "NoError", null, Ops.SPACE, null);
    }

    private static ModelOp attachFd(String p, String key, String name, String user, Outcome outcome, String error) {
        return new ModelOp(p, "attachFd", Args.NONE.withKey(key).withPath(name).withMode("ReadWrite"), 13, outcome, error, null,
                Ops.SPACE, user);
    }

    @Test
    void attachFdIsAnAttachOfTheServedSegmentForThePeerOnly() {
        List<ModelOp> served = List.of(create("A", "k", 64), serve("A", "h", "nobody"));
        assertTrue(legal(HAND_OVER, served, attachFd("B", "k", "h", "nobody", Outcome.OK, "NoError")));
        assertEquals(Property.ATTACH_EXISTING, violated(HAND_OVER, served, attachFd("B", "k", "h", "nobody", Outcome.FAIL, "NotFound")));
        assertEquals(Property.NOT_WORLD_ACCESSIBLE, violated(HAND_OVER, served, attachFd("B", "k", "h", "other", Outcome.OK, "NoError")));
        assertTrue(legal(HAND_OVER, served, attachFd("B", "k", "h", "other", Outcome.FAIL, "UnknownError")));
        assertEquals(Property.ATTACH_EXISTING, violated(HAND_OVER, served, attachFd("B", "j", "h", "nobody", Outcome.OK, "NoError")));
        assertEquals(Property.ATTACH_EXISTING, violated(HAND_OVER, served, attachFd("B", "k", "x", "nobody", Outcome.OK, "NoError")));
        // The receiver counts as an attacher: A's detach is not the last, B's is.
        List<ModelOp> both = new ArrayList<>(served);
        both.add(attachFd("B", "k", "h", "nobody", Outcome.OK, "NoError"));
        both.add(call("A", "detach"));
        assertTrue(reachable(HAND_OVER, both).stream().allMatch(s -> s.segments().containsKey(KEY) && s.servers().isEmpty()));
        both.add(call("B", "detach"));
        assertTrue(reachable(HAND_OVER, both).stream().noneMatch(s -> s.segments().containsKey(KEY)));
        // The server stopped with A's detach (and would with its death): a later receiver finds nobody.
        List<ModelOp> stopped = List.of(create("A", "k", 64), serve("A", "h", "nobody"), attach("C", "k"), call("A", "detach"));
        assertTrue(legal(HAND_OVER, stopped, attachFd("B", "k", "h", "nobody", Outcome.FAIL, "NotFound")));
        List<ModelOp> died = List.of(create("A", "k", 64), serve("A", "h", "nobody"), attach("C", "k"), kill("A"));
        assertEquals(Property.ATTACH_EXISTING, violated(HAND_OVER, died, attachFd("B", "k", "h", "nobody", Outcome.OK, "NoError")));
        // A backend that declares no hand-over refuses both.
        assertEquals(Property.API_CONTRACT, violated(SEPARATE, List.of(create("A", "k", 64)), serve("A", "h", null)));
        assertTrue(legal(SEPARATE, List.of(create("A", "k", 64)), failed(serve("A", "h", null), "UnknownError")));
        assertEquals(Property.API_CONTRACT, violated(HAND_OVER, List.of(), serve("A", "h", null)));
    }
}
