package org.shmconform.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.model.Ops.attachIn;
import static org.shmconform.model.Ops.call;
import static org.shmconform.model.Ops.create;
import static org.shmconform.model.Ops.createIn;
import static org.shmconform.model.Ops.failed;
import static org.shmconform.model.Ops.legal;
import static org.shmconform.model.Ops.reachable;
import static org.shmconform.model.Ops.violated;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmconform.model.ModelOp.Outcome;

/** Which key an op reaches, why a key is missing, re-keys and long keys, as {@link KeySpaceRules} states them. */
class KeySpaceRulesTest {
    private static final String SYSV = "sysv@ipc:[1]#tmp1";

    private static Property blamedWhenFound(String madeIn, String attachedFrom) {
        return violated(Profile.DOCUMENTED, List.of(createIn("A", "k", 64, madeIn)), attachIn("B", "k", attachedFrom));
    }

    @Test
    void aKeyInAnotherSpaceIsNotFoundAndFindingItIsBlamedOnWhatSeparatesThem() {
        assertTrue(legal(Profile.DOCUMENTED, List.of(createIn("A", "k", 64, SYSV)),
                failed(attachIn("B", "k", "posix@mnt:[1]"), "NotFound")));
        assertEquals(Property.BACKENDS_SEPARATE, blamedWhenFound(SYSV, "posix@mnt:[1]"));
        assertEquals(Property.NAMESPACE_VISIBILITY, blamedWhenFound(SYSV, "sysv@ipc:[2]#tmp1"));
        assertEquals(Property.KEY_FILE_IN_TMPDIR, blamedWhenFound(SYSV, "sysv@ipc:[1]#tmp2"));
        assertNull(blamedWhenFound(SYSV, SYSV));
    }

    @Test
    void aParentNamespaceSeesItsDescendantsKeys() {
        List<ModelOp> inChild = List.of(createIn("A", "k", 64, "memfd@pid:[1]/pid:[2]"));
        assertTrue(legal(Profile.DOCUMENTED, inChild, attachIn("B", "k", "memfd@pid:[1]")));
        assertEquals(Property.NAMESPACE_VISIBILITY, violated(Profile.DOCUMENTED,
                List.of(createIn("A", "k", 64, "memfd@pid:[1]")), attachIn("B", "k", "memfd@pid:[1]/pid:[2]")));
    }

    @Test
    void aReKeyDetachesTheOldObjectAndLetsGoOfItsLock() {
        List<ModelOp> rekeyed = List.of(create("A", "k", 64), call("A", "lock"), failed(Ops.attach("A", "j"), "NotFound"));
        for (ModelState s : reachable(Profile.DOCUMENTED, rekeyed)) {
            assertEquals(Ops.SPACE + "|j", s.worker("A").key());
            assertNull(s.lock(Ops.SPACE + "|k"));
            // It was the last attacher: as documented the old segment is gone.
            assertTrue(s.segments().isEmpty(), s.segments().toString());
        }
    }

    @Test
    void aLockHeldWithoutAnAttachmentMayStayWithTheDroppedObject() {
        List<ModelOp> held = List.of(failed(Ops.attach("B", "k"), "NotFound"), call("B", "lock"), failed(Ops.attach("B", "j"), "NotFound"));
        List<String> observed = new ArrayList<>();
        reachable(Profile.DOCUMENTED, held).forEach(s -> observed.addAll(s.observations()));
        assertTrue(observed.contains("re-key while holding the lock: released"), observed.toString());
        assertTrue(observed.contains("re-key while holding the lock: stays held by the dropped object"), observed.toString());
    }

    @Test
    void onlyAKeyOverTheSafeLengthMayBeRefused() {
        String longKey = "x".repeat(SegmentModel.SAFE_KEY_LENGTH);
        ModelOp refusedLong = Ops.op("A", "create", longKey, 64L, "ReadWrite", null, null, null, Outcome.FAIL, "KeyError", null,
                Ops.SPACE, null);
        assertTrue(legal(Profile.DOCUMENTED, List.of(), refusedLong));
        assertEquals(Property.CREATE_SIZE, violated(Profile.DOCUMENTED, List.of(), failed(create("A", "short", 64), "KeyError")));
    }
}
