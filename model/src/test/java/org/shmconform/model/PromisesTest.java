package org.shmconform.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.model.Ops.profile;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmconform.model.Promises.Departure;
import org.shmconform.model.Promises.Fate;
import org.shmconform.spi.BackendSemantics.LockOnHolderDeath;
import org.shmconform.spi.BackendSemantics.Resize;

/** What each profile promises where the model branches ({@link Promises}), and what ops must return ({@link Expect}). */
class PromisesTest {
    private static final Profile SILENT = profile(null, null, null, null, false);
    private static final Profile QT = Profile.declared("qt-6.4", ReferenceSemantics.QT_6_4);

    @Test
    void theDocumentedProfileDestroysOnLastDetachAndKeepsOnCrash() {
        assertEquals(List.of(Fate.DESTROYED), Promises.lastLeaves(Profile.DOCUMENTED, Departure.LAST_DETACH));
        assertEquals(List.of(Fate.DESTROYED), Promises.lastLeaves(Profile.DOCUMENTED, Departure.RE_KEY));
        assertEquals(List.of(Fate.SURVIVES), Promises.lastLeaves(Profile.DOCUMENTED, Departure.CRASH));
        assertEquals(Property.CRASH_SURVIVES, Departure.CRASH.decides);
        assertEquals(Property.LAST_DETACH_DESTROYS, Departure.RE_KEY.decides);
    }

    @Test
    void aSilentProfileAllowsEveryBranchInAFixedOrder() {
        assertEquals(List.of(Fate.DESTROYED, Fate.SURVIVES), Promises.lastLeaves(SILENT, Departure.CRASH));
        assertEquals(List.of(LockOnHolderDeath.RELEASED, LockOnHolderDeath.STAYS_HELD, LockOnHolderDeath.RELEASED_OWNER_DEAD),
                Promises.lockAfterHolderDeath(SILENT));
        assertTrue(Promises.truncateMaySucceed(SILENT, 10));
        assertTrue(Promises.truncateMayBeRefused(SILENT, 10, false));
    }

    @Test
    void aDeclaredProfileAllowsWhatItDeclares() {
        assertEquals(List.of(LockOnHolderDeath.RELEASED), Promises.lockAfterHolderDeath(QT));
        assertFalse(Promises.truncateMaySucceed(QT, 10));
        Profile shrinkable = profile(true, true, null, Resize.SHRINKABLE, false);
        assertTrue(Promises.truncateMaySucceed(shrinkable, 10));
        assertFalse(Promises.truncateMaySucceed(shrinkable, -1));
        assertFalse(Promises.truncateMayBeRefused(shrinkable, 10, false));
        assertTrue(Promises.truncateMayBeRefused(shrinkable, 10, true));
        assertEquals(Property.MEMFD_SEALED, Promises.truncateProperty(profile(true, true, null, Resize.SEALED, false)));
    }

    @Test
    void expectNamesWhatWasReturnedAndWhatWasExpected() {
        ModelOp wrong = Ops.failed(Ops.create("A", "k", 64), "NotFound");
        SegmentModel.Step step = Expect.fail(ModelState.initial(), wrong, "AlreadyExists", Property.CREATE_EXISTS_FALLBACK, "create");
        assertFalse(step.legal());
        assertEquals("create: expected false with AlreadyExists, got false (NotFound)", step.why());
        assertTrue(Expect.fail(ModelState.initial(), wrong, null, Property.API_CONTRACT, "x").legal());
        assertFalse(Expect.value(ModelState.initial(), Ops.value("A", "size", "1"), "2", Property.CREATE_SIZE).legal());
        assertTrue(Expect.ok(ModelState.initial(), Ops.create("A", "k", 64), Property.API_CONTRACT, "x").legal());
    }
}
