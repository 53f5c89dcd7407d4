package org.shmconform.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmconform.model.ModelOp.Outcome;

/**
 * The Qt 6.8 declarations against the sequences that showed them (issue 11; ReferenceSemantics has
 * the evidence): the System V profile's retryRemovesOrphan, and the POSIX profiles' kept name.
 */
class Qt68ProfilesTest {
    private static final String SPACE = "test@ns:[1]";
    private static final Profile QT68_SYSV = Profile.declared("qt-6.8-legacy-sysv", ReferenceSemantics.QT_6_8_SYSV);
    private static final Profile QT64 = Profile.declared("qt-6.4", ReferenceSemantics.QT_6_4);
    private static final Profile QT68_POSIX = Profile.declared("qt-6.8-legacy-posix", ReferenceSemantics.QT_6_8_POSIX);
    private static final Profile QT68_SYSV_SAFE = Profile.declared("qt-6.8-safe-sysv", ReferenceSemantics.QT_6_8_SYSV_SAFE);

    /**
     * Fuzz qt68-sysv-native seed 10504 (a 64-step campaign, 3/3 on real Qt 6.8.2, strace of the replay): C's failed create
     * of k unlinked k's key file under A's and B's segment, k-1's new file took its inode; A was killed; B's create of k
     * (a new file, a fresh segment) ran initKey, whose cleanHandle found B still attached and let go of the handle without
     * a shmdt, so B's mapping of the old segment, now nameless, stayed (nattch 1); B's attach of k-1 reached that segment
     * through the old inode, and its detach left it attached to B's first mapping: its next attach of k-1 found it. The
     * model kept one entry per process in a segment's attachers, so that detach removed the mapping left in place too.
     */
    @Test
    void aCreateByAnAttachedObjectLeavesItsOldMappingInPlaceUntilItsProcessEnds() {
        List<ModelOp> history = List.of(Ops.create("A", "k", 8), Ops.attach("B", "k"), Ops.failed(Ops.create("C", "k", 8), "AlreadyExists"),
                Ops.failed(Ops.create("C", "k-1", 8), "AlreadyExists"), Ops.kill("A"), Ops.create("B", "k", 8),
                Ops.attachReadOnly("B", "k-1"), Ops.call("B", "detach"));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.attach("B", "k-1")));
        // Its process's end takes that mapping: then D's attach and detach are the last, which removes the segment.
        List<ModelOp> afterBDied = new java.util.ArrayList<>(history);
        afterBDied.addAll(List.of(Ops.kill("B"), Ops.attach("D", "k-1"), Ops.call("D", "detach")));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, afterBDied, Ops.attach("D", "k-1")));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, afterBDied, Ops.failed(Ops.attach("D", "k-1"), "NotFound")));
    }

    /**
     * Fuzz qt68-sysv-native seed 29149 (a 64-step campaign, 3/3 on real Qt 6.8.2, strace of the replay): A's create of k,
     * A owning k's set since its first create, unlinked B's key file of k and made it again on the inode k-1's file had
     * freed, so B's segment was left nameless; B, attached to it, then re-keyed to k_1: its semaphore's cleanHandle
     * unlinked k's file (A's, under A's segment), since B made that path's file, and k_1's new file took the freed inode:
     * AlreadyExists. The model dropped a re-keyed object's semaphore by the name of its nameless segment, which it owns
     * nothing under, so the re-key unlinked nothing.
     */
    @Test
    void aReKeyFromANamelessSegmentCleansTheSemaphoreOfTheKeyItWasGiven() {
        List<ModelOp> history = List.of(Ops.create("C", "k-1", 8), Ops.create("A", "k", 8), Ops.call("A", "detach"),
                Ops.create("B", "k", 8), Ops.call("C", "detach"), Ops.create("A", "k", 8));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.failed(Ops.create("B", "k_1", 8), "AlreadyExists")));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.create("B", "k_1", 8)));
        // Without A's second create B's segment keeps its name and k's file: B's re-key unlinks it under B's own segment,
        // which its detach then removes, so k_1's new file reaches no segment.
        assertFalse(Ops.legal(QT68_SYSV_SAFE, history.subList(0, 5), Ops.failed(Ops.create("B", "k_1", 8), "AlreadyExists")));
    }

    /**
     * Fuzz qt68-sysv-safe seed 28992 (a 64-step campaign, 3/3 on real Qt 6.8.2, strace of the replay): C's attach made k's
     * set and key file; A2's create(0) opened it in Create mode and owned it too, and A2's re-key to j removed it and
     * unlinked k's file; j's file took the freed inode, so j's set had k's old ftok key; B's attach made k's file and a
     * set again; A2's detach destroyed j's segment and unlinked j's file, A2 keeping j's set; B locked k's set. C's lock
     * met its removed set (EINVAL): modifySemaphore's cleanHandle unlinked k's file (B's) and handle() made it again, on
     * the inode j's file had freed, so C opened j's set, which nobody held: C acquired while B held k's lock. The model
     * let a semop re-make the key file only under a live segment of the key.
     */
    @Test
    void aLockerWhoseSetWasRemovedMayReachAnotherKeysNamelessSet() {
        List<ModelOp> history = List.of(Ops.failed(Ops.attach("C", "k"), "NotFound"), Ops.failed(Ops.create("A2", "k", 0), "InvalidSize"),
                Ops.create("A2", "j", 64), Ops.failed(Ops.attach("B", "k"), "NotFound"), Ops.call("A2", "detach"),
                Ops.call("B", "lock"));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.call("C", "lock")));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.blocked(Ops.call("C", "lock"))));
        // A2 keeps k: nobody removed C's set, and C's lock waits behind B.
        List<ModelOp> kept = List.of(history.get(0), history.get(1), history.get(3), history.get(5));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, kept, Ops.call("C", "lock")));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, kept, Ops.blocked(Ops.call("C", "lock"))));
    }

    /**
     * Fuzz qt68-sysv-native seed 32449 (a 64-step campaign, 3/3 on real Qt 6.8.2; the build before this rule called it FAIL
     * too; not traced, the reading the crafted replays below bear out): A2's detach left its set of k nameless; B's create
     * of k took the freed inode (B's 8-byte segment, A2's set, which B and C, keying in Create mode, own too); A2's re-key
     * to k-1 removed the set and unlinked k's file under B's segment, and A's create of k made a 64-byte segment on a new
     * file. C's attach of k met its removed set in its locker, whose
     * cleanHandle unlinked k's file under A's segment and made it again on the inode A2's re-key from k-1 had freed, the
     * ftok key of B's nameless segment: C attached to B's 8 bytes, and so did the attach of k after it (a read at 14 fails).
     * The model let an attach's locker re-make the key file only where the attach then found nothing.
     */
    @Test
    void anAttachWhoseLockerRemadeTheKeyFileMayReachANamelessSegment() {
        List<ModelOp> history = List.of(Ops.create("A2", "k", 8), Ops.call("A2", "detach"), Ops.create("B", "k", 8),
                Ops.failed(Ops.create("C", "k", 0), "InvalidSize"), Ops.failed(Ops.create("A2", "k-1", 8), "AlreadyExists"),
                Ops.create("A", "k", 64), Ops.attach("A2", "k"));
        List<ModelOp> cAttached = new ArrayList<>(history);
        cAttached.addAll(List.of(Ops.attach("C", "k"), Ops.attach("D", "k")));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, cAttached, Ops.failed(Ops.read("D", 14, "abcd"), "InvalidSize")));
        // Without C's attach nobody re-made k's file: D attaches A's 64 bytes (real Qt: the read at 14 returned its data).
        List<ModelOp> without = new ArrayList<>(history);
        without.add(Ops.attach("D", "k"));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, without, Ops.failed(Ops.read("D", 14, "abcd"), "InvalidSize")));
    }

    /**
     * Fuzz qt68-sysv-safe seed 5294 (a 64-step campaign, 3/3 on real Qt 6.8.2, strace of a replay; later replays gave both
     * last creates true, which the model allows too): C's re-key to k_1 left k's segment at nattch 0 (its handle dropped
     * by the failed create(0)) and unlinked k's file; B's create of k made k's file on the inode of k_1's, which B's own
     * re-key had unlinked, so its AlreadyExists and its kept handle were k_1's segment, which C's detach removed; B's next
     * create found nothing to clean, and k's segment stayed, reached by k_1's new file on k's first inode. The model took
     * the kept handle for k's own segment and removed it.
     */
    @Test
    void aKeptHandleTakenOnARemadeKeyFileMayFindNothingAndLeaveTheKeysSegment() {
        List<ModelOp> history = List.of(Ops.failed(Ops.attachReadOnly("A", "k_1"), "NotFound"), Ops.create("C", "k", 64),
                Ops.failed(Ops.create("C", "k", 0), "InvalidSize"), Ops.create("B", "k_1", 200), Ops.attach("C", "k_1"),
                Ops.failed(Ops.create("B", "k", 200), "AlreadyExists"), Ops.call("C", "detach"),
                Ops.failed(Ops.create("B", "k", 24), "AlreadyExists"));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.failed(Ops.create("C", "k_1", 200), "AlreadyExists")));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.create("C", "k_1", 200)));
    }

    /** crash-survives on qt68-sysv: the failed create's object removes the orphan at its fallback attach. */
    private static final List<ModelOp> CRASH_THEN_FAILED_CREATE = List.of(create("A", "k"), kill("A"), fail(create("B", "k"), "AlreadyExists"));

    @Test
    void qt68SystemVFallbackAttachAfterACrashFindsNothing() {
        assertTrue(SegmentModelTest.legal(QT68_SYSV, CRASH_THEN_FAILED_CREATE, fail(attach("B", "k"), "NotFound")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, CRASH_THEN_FAILED_CREATE, attach("B", "k")));
        // Qt 6.4 and the documentation: the survivor is attached.
        assertTrue(SegmentModelTest.legal(QT64, CRASH_THEN_FAILED_CREATE, attach("B", "k")));
        assertFalse(SegmentModelTest.legal(QT64, CRASH_THEN_FAILED_CREATE, fail(attach("B", "k"), "NotFound")));
        assertFalse(SegmentModelTest.legal(Profile.DOCUMENTED, CRASH_THEN_FAILED_CREATE, fail(attach("B", "k"), "NotFound")));
    }

    @Test
    void qt68SystemVSecondCreateAfterACrashSucceedsAfresh() {
        assertTrue(SegmentModelTest.legal(QT68_SYSV, CRASH_THEN_FAILED_CREATE, create("B", "k")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, CRASH_THEN_FAILED_CREATE, fail(create("B", "k"), "AlreadyExists")));
    }

    @Test
    void onlyAnUnattachedSegmentIsRemoved() {
        // C still holds the segment: B's failed create keeps nothing to clean, its attach succeeds.
        List<ModelOp> held = List.of(create("A", "k"), attach("C", "k"), kill("A"), fail(create("B", "k"), "AlreadyExists"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV, held, attach("B", "k")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, held, fail(attach("B", "k"), "NotFound")));
    }

    /**
     * Fuzz qt68-sysv seed 19 (3/3 on qt68-sysv, -safe, -native): the create failed while its holder was alive, and
     * the crash came after it. The failed create's handle is cleaned at the next create/attach, by the nattch of then.
     */
    private static final List<ModelOp> FAILED_CREATE_THEN_CRASH = List.of(create("A", "k"), fail(create("C", "k"), "AlreadyExists"),
            kill("A"));

    @Test
    void qt68SystemVRetryRemovesASegmentOrphanedAfterTheFailedCreate() {
        assertTrue(SegmentModelTest.legal(QT68_SYSV, FAILED_CREATE_THEN_CRASH, create("C", "k")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, FAILED_CREATE_THEN_CRASH, fail(create("C", "k"), "AlreadyExists")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV, FAILED_CREATE_THEN_CRASH, fail(attach("C", "k"), "NotFound")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, FAILED_CREATE_THEN_CRASH, attach("C", "k")));
        // Another object never failed a create: the crashed holder's segment survives for it.
        assertTrue(SegmentModelTest.legal(QT68_SYSV, FAILED_CREATE_THEN_CRASH, fail(create("B", "k"), "AlreadyExists")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, FAILED_CREATE_THEN_CRASH, create("B", "k")));
        // Qt 6.4 and the documentation: the segment survives the crash for everybody.
        assertFalse(SegmentModelTest.legal(QT64, FAILED_CREATE_THEN_CRASH, create("C", "k")));
        assertTrue(SegmentModelTest.legal(QT64, FAILED_CREATE_THEN_CRASH, fail(create("C", "k"), "AlreadyExists")));
        assertFalse(SegmentModelTest.legal(Profile.DOCUMENTED, FAILED_CREATE_THEN_CRASH, create("C", "k")));
    }

    @Test
    void qt68SystemVWithoutAFailedCreateTheCrashedHoldersSegmentSurvives() {
        // Measured: A create; kill A; C create → AlreadyExists, and so after C attach; C detach (detach cleans the handle).
        List<ModelOp> crashed = List.of(create("A", "k"), kill("A"));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, crashed, create("C", "k")));
        List<ModelOp> attachedThenDetached = List.of(create("A", "k"), attach("C", "k"), op("C", "detach"), kill("A"));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, attachedThenDetached, create("C", "k")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV, attachedThenDetached, fail(create("C", "k"), "AlreadyExists")));
    }

    @Test
    void qt68SystemVRetryKeepsASegmentStillAttachedAndRemovesItOnceNobodyIs() {
        // Measured: B attached at the retry, C's create fails again; after B's death too, C's create succeeds.
        List<ModelOp> peerHolds = List.of(create("A", "k"), attach("B", "k"), fail(create("C", "k"), "AlreadyExists"), kill("A"));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, peerHolds, create("C", "k")));
        List<ModelOp> peerDiesAfterRetry = List.of(create("A", "k"), attach("B", "k"), fail(create("C", "k"), "AlreadyExists"),
                kill("A"), fail(create("C", "k"), "AlreadyExists"), kill("B"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV, peerDiesAfterRetry, create("C", "k")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, peerDiesAfterRetry, fail(create("C", "k"), "AlreadyExists")));
    }

    @Test
    void qt68SystemVRetryAfterTheSegmentWasDestroyedFailsOnceWithTheStaleError() {
        // Measured: A's clean last detach destroyed the segment; C's cleanHandle finds nothing and initKey gives up.
        List<ModelOp> destroyed = List.of(create("A", "k"), fail(create("C", "k"), "AlreadyExists"), op("A", "detach"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV, destroyed, fail(create("C", "k"), "AlreadyExists")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, destroyed, create("C", "k")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV, destroyed, fail(attach("C", "k"), "AlreadyExists")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, destroyed, fail(attach("C", "k"), "NotFound")));
        List<ModelOp> afterTheStaleFailure = List.of(create("A", "k"), fail(create("C", "k"), "AlreadyExists"), op("A", "detach"),
                fail(create("C", "k"), "AlreadyExists"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV, afterTheStaleFailure, create("C", "k")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, afterTheStaleFailure, fail(create("C", "k"), "AlreadyExists")));
        // Another object, and Qt 6.4: a destroyed segment's key is free.
        assertTrue(SegmentModelTest.legal(QT68_SYSV, destroyed, create("B", "k")));
        assertTrue(SegmentModelTest.legal(QT64, destroyed, create("C", "k")));
        assertFalse(SegmentModelTest.legal(QT64, destroyed, fail(create("C", "k"), "AlreadyExists")));
    }

    @Test
    void qt68SystemVDetachCleansTheKeptHandle() {
        // C's create on the segment it is attached to fails and keeps a handle; its detach cleans it (destroying the
        // segment as the last detach): the next create starts afresh, no stale failure.
        List<ModelOp> createdTwiceThenDetached = List.of(create("C", "k"), fail(create("C", "k"), "AlreadyExists"), op("C", "detach"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV, createdTwiceThenDetached, create("C", "k")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, createdTwiceThenDetached, fail(create("C", "k"), "AlreadyExists")));
    }

    /**
     * Fuzz qt68-sysv seed 90 (3/3 on qt68-sysv, -safe, -native): A's second create removed the semaphore set C's failed
     * create had taken in Create mode, so C's next create fails in initKey with the semaphore's UnknownError.
     */
    private static final List<ModelOp> SEMAPHORE_REMOVED_UNDER_C = List.of(create("A", "k"), fail(create("C", "k"), "AlreadyExists"),
            fail(create("A", "k"), "AlreadyExists"));

    @Test
    void qt68SystemVCreateByAnOwnerWhoseSemaphoreAnotherRemovedFailsWithUnknownError() {
        assertTrue(SegmentModelTest.legal(QT68_SYSV, SEMAPHORE_REMOVED_UNDER_C, fail(create("C", "k"), "UnknownError")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, SEMAPHORE_REMOVED_UNDER_C, fail(create("C", "k"), "UnknownError")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, SEMAPHORE_REMOVED_UNDER_C, create("C", "k")));
        // A different key re-keys the semaphore too (measured: C create j, C attach j → UnknownError).
        assertTrue(SegmentModelTest.legal(QT68_SYSV, SEMAPHORE_REMOVED_UNDER_C, fail(create("C", "j"), "UnknownError")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV, SEMAPHORE_REMOVED_UNDER_C, fail(attach("C", "j"), "UnknownError")));
        // An attach to the same key keeps the semaphore (setNativeKey returns early in Open mode): measured true.
        assertTrue(SegmentModelTest.legal(QT68_SYSV, SEMAPHORE_REMOVED_UNDER_C, attach("C", "k")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, SEMAPHORE_REMOVED_UNDER_C, fail(attach("C", "k"), "UnknownError")));
        // Qt 6.4 clears the error on its way (AlreadyExists there), and the documentation promises AlreadyExists.
        assertFalse(SegmentModelTest.legal(QT64, SEMAPHORE_REMOVED_UNDER_C, fail(create("C", "k"), "UnknownError")));
        assertFalse(SegmentModelTest.legal(Profile.DOCUMENTED, SEMAPHORE_REMOVED_UNDER_C, fail(create("C", "k"), "UnknownError")));
    }

    @Test
    void qt68SystemVUnknownErrorNeedsASemaphoreRemovedUnderTheObject() {
        // Nobody removed C's set: its retry fails as documented.
        List<ModelOp> notRemoved = List.of(create("A", "k"), fail(create("C", "k"), "AlreadyExists"));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, notRemoved, fail(create("C", "k"), "UnknownError")));
        // The remover itself: A's own set was fresh.
        assertFalse(SegmentModelTest.legal(QT68_SYSV, SEMAPHORE_REMOVED_UNDER_C, fail(create("A", "k"), "UnknownError")));
        // An object that only attached never owned the set (Open mode on an existing one).
        List<ModelOp> attacherOnly = List.of(create("A", "k"), attach("B", "k"), fail(create("C", "k"), "AlreadyExists"),
                fail(create("A", "k"), "AlreadyExists"));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, attacherOnly, fail(attach("B", "j"), "UnknownError")));
    }

    @Test
    void qt68SystemVUnknownErrorWithoutAFailedCreateAndOnceOnly() {
        // Measured: A create, A detach, C create, A create → AlreadyExists, C create → UnknownError.
        List<ModelOp> noFailedCreate = List.of(create("A", "k"), op("A", "detach"), create("C", "k"), fail(create("A", "k"), "AlreadyExists"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV, noFailedCreate, fail(create("C", "k"), "UnknownError")));
        // Measured: the create after the UnknownError owns a fresh set again and fails as documented.
        List<ModelOp> afterIt = List.of(create("A", "k"), fail(create("C", "k"), "AlreadyExists"), fail(create("A", "k"), "AlreadyExists"),
                fail(create("C", "k"), "UnknownError"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV, afterIt, fail(create("C", "k"), "AlreadyExists")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, afterIt, fail(create("C", "k"), "UnknownError")));
        // The other order: C's second create removes the set A owns; A's next create fails.
        List<ModelOp> otherOrder = List.of(create("A", "k"), fail(create("C", "k"), "AlreadyExists"), fail(create("C", "k"), "AlreadyExists"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV, otherOrder, fail(create("A", "k"), "UnknownError")));
    }

    @Test
    void qt68SystemVAttachOfTheSameKeyKeepsTheSemaphoresErrorUntilSomethingClearsIt() {
        // Measured (replays of seed 90's history on qt68-sysv and -native): C attach k → UnknownError, twice; a create
        // clears it (AlreadyExists as documented), and so does a lock (the attach after it: true).
        List<ModelOp> failed = List.of(create("A", "k"), fail(create("C", "k"), "AlreadyExists"), fail(create("A", "k"), "AlreadyExists"),
                fail(create("C", "k"), "UnknownError"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV, failed, fail(attach("C", "k"), "UnknownError")));
        List<ModelOp> twice = new ArrayList<>(failed);
        twice.add(fail(attach("C", "k"), "UnknownError"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV, twice, fail(attach("C", "k"), "UnknownError")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV, twice, fail(create("C", "k"), "AlreadyExists")));
        List<ModelOp> cleared = new ArrayList<>(twice);
        cleared.add(fail(create("C", "k"), "AlreadyExists"));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, cleared, fail(attach("C", "k"), "UnknownError")));
        List<ModelOp> locked = new ArrayList<>(twice);
        locked.add(op("C", "lock"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV, locked, attach("C", "k")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, locked, fail(attach("C", "k"), "UnknownError")));
        // Another key clears it too (measured on seed 5041's history: B attach x → NotFound, B attach j → NotFound).
        List<ModelOp> otherKey = new ArrayList<>(failed);
        otherKey.add(fail(attach("C", "x"), "NotFound"));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, otherKey, fail(attach("C", "k"), "UnknownError")));
        // Fuzz qt68-sysv-native seed 5041 (3/3): A's create of k took the freed inode of j's file and with it B's set;
        // A's re-key removed that set under B.
        List<ModelOp> seed5041 = List.of(create("B", "j"), op("B", "detach"), create("A", "k"), fail(attach("A", "k_1"), "NotFound"),
                fail(create("B", "j"), "UnknownError"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, seed5041, fail(attach("B", "j"), "UnknownError")));
        // No failed cleanHandle before: the documented NotFound only.
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, seed5041.subList(0, 4), fail(attach("B", "j"), "UnknownError")));
    }

    @Test
    void qt68SystemVUnknownErrorAfterTheKeptHandleRemovedACrashedHoldersSegment() {
        // Measured: kill A, then C's create: its cleanHandle removes the segment (nattch 0), its semaphore step fails.
        List<ModelOp> crashed = List.of(create("A", "k"), fail(create("C", "k"), "AlreadyExists"), fail(create("A", "k"), "AlreadyExists"),
                kill("A"), fail(create("C", "k"), "UnknownError"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV, crashed, fail(attach("B", "k"), "NotFound")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, crashed, attach("B", "k")));
    }

    /**
     * Fuzz qt68-sysv-safe and -native seed 3 (3/3): A's failed create took k's semaphore in Create mode; its re-key to
     * k_1 unlinks the one key file of k's segment and semaphore, and k_1's new key file ftoks to C's segment.
     */
    private static final List<ModelOp> OWNER_OF_A_LIVE_KEY = List.of(create("C", "k"), fail(create("A", "k"), "AlreadyExists"));

    @Test
    void qt68SystemVReKeyedOwnerMayReachALiveSegmentThroughItsNewKeyFile() {
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, OWNER_OF_A_LIVE_KEY, fail(create("A", "k_1"), "AlreadyExists")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, OWNER_OF_A_LIVE_KEY, create("A", "k_1")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, OWNER_OF_A_LIVE_KEY, attach("A", "j")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, OWNER_OF_A_LIVE_KEY, fail(attach("A", "j"), "NotFound")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, OWNER_OF_A_LIVE_KEY, fail(create("A", "k_1"), "UnknownError")));
        // The documentation and Qt 6.4: a new key is free.
        assertFalse(SegmentModelTest.legal(Profile.DOCUMENTED, OWNER_OF_A_LIVE_KEY, fail(create("A", "k_1"), "AlreadyExists")));
        assertFalse(SegmentModelTest.legal(QT64, OWNER_OF_A_LIVE_KEY, fail(create("A", "k_1"), "AlreadyExists")));
        assertFalse(SegmentModelTest.legal(QT64, OWNER_OF_A_LIVE_KEY, attach("A", "j")));
    }

    @Test
    void qt68SystemVSegmentWhoseKeyFileWasUnlinkedMayLoseItsName() {
        // Measured: after A create j (AlreadyExists), B attach k → NotFound while C is still attached.
        List<ModelOp> unlinked = List.of(create("C", "k"), fail(create("A", "k"), "AlreadyExists"), fail(create("A", "j"), "AlreadyExists"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, unlinked, fail(attach("B", "k"), "NotFound")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, unlinked, attach("B", "k")));
        // Measured: A attached through j detaches from C's segment, and C's detach then destroys it.
        List<ModelOp> reachedThenLeft = List.of(create("C", "k"), fail(create("A", "k"), "AlreadyExists"), attach("A", "j"),
                op("A", "detach"), op("C", "detach"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, reachedThenLeft, fail(attach("B", "k"), "NotFound")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, reachedThenLeft, attach("B", "k")));
    }

    @Test
    void qt68SystemVObjectThatReachedAnotherKeysSegmentKeepsItsOwnKey() {
        // Fuzz qt68-sysv-safe seed 24 (3/3): A's attach j reached the segment of k (B attached) through j's new key file;
        // A create j is no re-key (setNativeKey returns early): AlreadyExists, and A is still attached (A read → true).
        List<ModelOp> reached = List.of(create("A", "k"), attach("B", "k"), attach("A", "j"), fail(create("A", "j"), "AlreadyExists"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, reached, op("A", "detach")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, reached, fail(op("A", "detach"), "NoError")));
        // A second attach of j by the attached object is refused, as on the segment's own key.
        List<ModelOp> attachedThroughJ = List.of(create("A", "k"), attach("B", "k"), attach("A", "j"));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, attachedThroughJ, attach("A", "j")));
        // After its detach, j's key file still ftoks to k's segment, which B keeps: a create of j fails.
        List<ModelOp> leftK = List.of(create("A", "k"), attach("B", "k"), attach("A", "j"), op("A", "detach"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, leftK, fail(create("A", "j"), "AlreadyExists")));
        // Legacy keys: A's re-key leaves k's segment its key file, so j's new file cannot reach it.
        assertFalse(SegmentModelTest.legal(QT68_SYSV, attachedThroughJ.subList(0, 2), attach("A", "j")));
    }

    @Test
    void qt68SystemVCreateOfAKeyWhoseSegmentLostItsKeyFileMakesAFreshOne() {
        // Fuzz qt68-sysv-safe and -native seed 95 (3/3): A's re-key unlinked k's key file, k_1's took its inode; once C
        // died nobody is attached to k's segment, and B's create of k re-makes k's file on a new inode: a fresh segment.
        List<ModelOp> namelessAfterCrash = List.of(create("C", "k"), fail(create("A", "k"), "AlreadyExists"),
                fail(create("A", "k_1"), "AlreadyExists"), kill("C"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, namelessAfterCrash, create("B", "k")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, namelessAfterCrash, fail(create("B", "k"), "AlreadyExists")));
        // Legacy keys: A's re-key unlinks the semaphore's own file, k's segment keeps its name and k_1 is free.
        assertFalse(SegmentModelTest.legal(QT68_SYSV, namelessAfterCrash.subList(0, 2), fail(create("A", "k_1"), "AlreadyExists")));
        // Fuzz qt68-sysv-safe seed 1059 (3/3): C still attached, the same; C's segment is nameless and C stays on it.
        List<ModelOp> stillAttached = namelessAfterCrash.subList(0, 3);
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, stillAttached, create("B", "k")));
        List<ModelOp> twoSegments = List.of(create("C", "k"), fail(create("A", "k"), "AlreadyExists"),
                fail(create("A", "k_1"), "AlreadyExists"), create("B", "k"));
        // C's object is still keyed k and attached: its create/attach of k is refused, its detach goes through.
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, twoSegments, fail(create("C", "k"), "AlreadyExists")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, twoSegments, create("C", "k")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, twoSegments, op("C", "detach")));
        // B's fresh segment is k's now: D attaches to it.
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, twoSegments, attach("D", "k")));
        // The key file was never unlinked: the segment keeps its name.
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, List.of(create("C", "k"), kill("C")), create("B", "k")));
    }

    @Test
    void qt68SystemVKeptHandleToADestroyedSegmentMayBeStaleAfterTheKeyWasMadeAgain() {
        // Fuzz qt68-sysv-native seed 76 (3/3 on qt68-sysv-native and -safe): A's failed create of k_1 reached k's segment
        // through the inode k's unlinked file left (A keeps that handle); C's detach destroyed it; C's create of k made a
        // new file on a new inode. A's next create of k_1 fails once with the stale AlreadyExists, the one after works.
        List<ModelOp> remadeElsewhere = List.of(create("C", "k"), fail(create("A", "k"), "AlreadyExists"),
                fail(create("A", "k_1"), "AlreadyExists"), op("C", "detach"), create("C", "k"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, remadeElsewhere, fail(create("A", "k_1"), "AlreadyExists")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, remadeElsewhere, fail(attach("A", "k_1"), "AlreadyExists")));
        List<ModelOp> afterTheStaleFailure = new ArrayList<>(remadeElsewhere);
        afterTheStaleFailure.add(fail(create("A", "k_1"), "AlreadyExists"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, afterTheStaleFailure, create("A", "k_1")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, afterTheStaleFailure, fail(create("A", "k_1"), "AlreadyExists")));
        // The segment was never destroyed: k_1 has no segment, a create by someone whose handle is not stale works.
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, remadeElsewhere, fail(create("B", "k_1"), "AlreadyExists")));
        // Legacy keys, measured (replay: C create k; A create k → AlreadyExists; C detach; B create k; A attach k → true):
        // B's re-made key file took the freed inode and A's kept handle reached B's segment; a new inode would leave it
        // stale. Both are legal; NotFound is not (B's segment exists).
        List<ModelOp> remade = List.of(create("C", "k"), fail(create("A", "k"), "AlreadyExists"), op("C", "detach"), create("B", "k"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV, remade, attach("A", "k")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV, remade, fail(attach("A", "k"), "AlreadyExists")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, remade, fail(attach("A", "k"), "NotFound")));
        // Qt 6.4 keeps no handle: only the documented attach.
        assertFalse(SegmentModelTest.legal(QT64, remade, fail(attach("A", "k"), "AlreadyExists")));
    }

    @Test
    void qt68SystemVLastDetachWhoseKeyFileAnotherUnlinkedReturnsFalseWithNoError() {
        // Fuzz qt68-sysv-safe seed 200 (3/3): A's segment lost its name to B's fresh one; A's last detach unlinks k's
        // key file, which is B's by then, and B's last detach (IPC_RMID, then unlink) returns false with NoError.
        List<ModelOp> seed200 = List.of(create("C", "k"), attach("A", "k"), fail(create("C", "k-1"), "AlreadyExists"),
                create("B", "k"), op("A", "detach"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, seed200, fail(op("B", "detach"), "NoError")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, seed200, op("B", "detach")));
        // The segment is gone and B detached all the same: D's attach finds nothing, B's next detach has nothing to do.
        List<ModelOp> afterIt = new ArrayList<>(seed200);
        afterIt.add(fail(op("B", "detach"), "NoError"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, afterIt, fail(attach("D", "k"), "NotFound")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, afterIt, attach("D", "k")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, afterIt, op("B", "detach")));
        // Before A's detach nobody unlinked B's key file; with D still attached B's detach is no last one.
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, seed200.subList(0, 4), fail(op("B", "detach"), "NoError")));
        List<ModelOp> notLast = new ArrayList<>(seed200);
        notLast.add(attach("D", "k"));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, notLast, fail(op("B", "detach"), "NoError")));
        // Seed 13036 (3/3): error() keeps what B's last call left, AlreadyExists; C's re-key unlinked B's key file.
        List<ModelOp> seed13036 = List.of(create("C", "k"), op("C", "detach"), create("B", "k"), fail(create("B", "k"), "AlreadyExists"),
                fail(create("C", "j"), "UnknownError"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, seed13036, fail(op("B", "detach"), "AlreadyExists")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, seed13036.subList(0, 4), fail(op("B", "detach"), "AlreadyExists")));
        // Legacy keys keep the segment's file apart from the semaphore's: no such failure.
        assertFalse(SegmentModelTest.legal(QT68_SYSV, List.of(create("B", "k")), fail(op("B", "detach"), "NoError")));
    }

    @Test
    void aLastDetachThroughAnotherKeysFileFailsWhereThatFilesOwnerUnlinkedIt() {
        // Fuzz qt68-sysv-safe seed 7734 (3/3 on real Qt 6.8.2, strace of the replay): B's re-key to k-1 unlinked k's file
        // under A's segment and k-1's new file took its inode, so B reached A's segment; C's re-key from k-1 (C made
        // k-1's set) unlinked that file; B's last detach removed the segment, then its unlink of k-1 found no file.
        List<ModelOp> seed7734 = List.of(create("A", "k"), create("C", "k-1"), fail(create("B", "k"), "AlreadyExists"),
                op("C", "detach"), attach("B", "k-1"), attach("C", "k"), op("A", "detach"), Ops.kill("C"),
                fail(create("A", "k"), "AlreadyExists"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, seed7734, fail(op("B", "detach"), "NoError")));
        // The segment is gone and B detached all the same.
        List<ModelOp> afterIt = new ArrayList<>(seed7734);
        afterIt.add(fail(op("B", "detach"), "NoError"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, afterIt, fail(attach("D", "k"), "NotFound")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, afterIt, op("B", "detach")));
        // Without C's re-key nobody unlinked the file B made for k-1: its last detach unlinks it and returns true (3 of 3 on
        // real Qt 6.8.2, a replay of this history on 2026-12-07). The model allows false there too, as it did before seed
        // 7734: it keeps k-1's file gone from C's detach on (docs/fuzz-notes.md, seed 7734's paragraph, says why).
        List<ModelOp> noUnlinker = List.of(create("A", "k"), create("C", "k-1"), fail(create("B", "k"), "AlreadyExists"),
                op("C", "detach"), attach("B", "k-1"), op("A", "detach"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, noUnlinker, op("B", "detach")));
        // Nor while A is still attached: B's detach is no last one.
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, seed7734.subList(0, 6), fail(op("B", "detach"), "NoError")));
    }

    @Test
    void qt68SystemVKeptHandleThatReachedAnotherKeysSegmentRemovesItAndFailsOnItsMissingKeyFile() {
        // Fuzz qt68-sysv seed 471876 (3/3 on real Qt 6.8.2, legacy keys): C's failed create keeps a handle to A's orphan;
        // B's re-key to k-1 removed it and unlinked k's key file, k-1's file took the inode; B died. C's attach of k: its
        // cleanHandle removes B's segment (nattch 0), then its unlink of k's missing file fails: false, AlreadyExists
        // still; C's attach of k-1 finds nothing.
        List<ModelOp> seed471876 = List.of(create("A", "k"), kill("A"), fail(create("C", "k"), "AlreadyExists"), op("C", "lock"),
                fail(create("B", "k"), "AlreadyExists"), create("B", "k-1"), kill("B"), op("C", "unlock"),
                fail(attach("C", "k"), "AlreadyExists"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV, seed471876, fail(attach("C", "k-1"), "NotFound")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV, seed471876, attach("C", "k-1")));
        // B still attached: cleanHandle finds k-1's segment attached and leaves it, whatever C's attach of k returned.
        List<ModelOp> stillAttached = List.of(create("A", "k"), kill("A"), fail(create("C", "k"), "AlreadyExists"),
                fail(create("B", "k"), "AlreadyExists"), create("B", "k-1"), fail(attach("C", "k"), "AlreadyExists"));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, stillAttached, fail(attach("C", "k-1"), "NotFound")));
        // Without C's attach of k nobody removed B's segment: it survives B's death for D, who keeps no handle.
        assertFalse(SegmentModelTest.legal(QT68_SYSV, seed471876.subList(0, 8), fail(attach("D", "k-1"), "NotFound")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV, seed471876.subList(0, 8), attach("D", "k-1")));
    }

    @Test
    void qt68SystemVKeptHandleMayReachASegmentOfAnotherKeyMadeOnTheOldInode() {
        // Fuzz qt68-sysv-native seed 13202 (3/3): A's re-key removed k's segment (its last attacher) and its file;
        // k-1's file took the inode and A made k-1's segment on it: C's kept handle finds that one attached, no failure.
        List<ModelOp> seed13202 = List.of(create("B", "k"), fail(create("C", "k"), "AlreadyExists"), kill("B"), attach("A", "k"),
                create("A", "k-1"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV, seed13202, create("C", "k")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV, seed13202, fail(create("C", "k"), "AlreadyExists")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, seed13202, create("C", "k")));
        // Nothing lives in the key space: the stale failure is certain.
        List<ModelOp> nothingLives = List.of(create("B", "k"), fail(create("C", "k"), "AlreadyExists"), kill("B"), attach("A", "k"),
                op("A", "detach"));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, nothingLives, create("C", "k")));
    }

    @Test
    void qt68SystemVOwnersSecondCreateReMakesTheSharedKeyFileWhichMayMoveToAnotherInode() {
        // Fuzz qt68-sysv-native and -safe seed 25182 (3/3): A's second create of k (it owns k's set since its first)
        // unlinks and re-makes k's file; B's lock, meeting its removed set, does it again; j's new file then reached
        // B's segment: C create j → AlreadyExists.
        List<ModelOp> seed25182 = List.of(create("C", "k-1"), create("B", "k"), fail(create("A", "k"), "AlreadyExists"),
                fail(create("A", "k"), "AlreadyExists"), op("C", "detach"), op("B", "lock"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, seed25182, fail(create("C", "j"), "AlreadyExists")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, seed25182, create("C", "j")));
        // One failed create only: A never re-made the file, j is free.
        List<ModelOp> once = List.of(create("C", "k-1"), create("B", "k"), fail(create("A", "k"), "AlreadyExists"),
                op("C", "detach"), op("B", "lock"));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, once, fail(create("C", "j"), "AlreadyExists")));
    }

    @Test
    void qt68SystemVCreateByAnObjectThatReachedAnotherKeysSegmentMayMakeAFreshOne() {
        // Fuzz qt68-sysv-safe seed 24 (FLAKY 1/3 beside another run): A's attach of j reached k's segment; its create
        // of j re-makes j's file in Create mode, mostly on the old inode (AlreadyExists), once on another (true).
        List<ModelOp> reached = List.of(fail(attach("C", "k"), "NotFound"), create("C", "k"), fail(create("A", "k"), "AlreadyExists"),
                kill("C"), attach("B", "k"), attach("A", "j"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, reached, fail(create("A", "j"), "AlreadyExists")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, reached, create("A", "j")));
        // B stays on k's segment, which keeps its size; A is on the fresh one.
        List<ModelOp> fresh = new ArrayList<>(reached);
        fresh.add(create("A", "j"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, fresh, attach("D", "j")));
        // Legacy keys: j's attach never reached k's segment.
        assertFalse(SegmentModelTest.legal(QT68_SYSV, reached.subList(0, 5), attach("A", "j")));
    }

    @Test
    void qt68SystemVAttachOfTheSegmentsKeyByAnObjectThatReachedItThroughAnotherIsARekey() {
        // Fuzz qt68-sysv-native seed 9164 (3/3): B's failed create (size 0) made k's file and set in Create mode; its
        // attach of k-1 unlinked them, k-1's file took the inode and reached C's segment; B attach k keys k anew
        // (its own k-1 file goes, k's file is re-made on that inode): true, no "already attached".
        List<ModelOp> reached = List.of(fail(sized(create("B", "k"), 0), "InvalidSize"), create("C", "k"), attach("B", "k-1"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, reached, attach("B", "k")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, reached, fail(attach("B", "k"), "NotFound")));
        // Its own key is no re-key: attached already.
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, reached, attach("B", "k-1")));
    }

    @Test
    void qt68SystemVKeptHandleWhoseKeyFileAnotherUnlinkedFailsOnceAndRemovesTheSegment() {
        // Fuzz qt68-sysv-native seed 5237 (3/3): B keeps a handle to k's segment; A's re-key unlinked k's file; once C
        // died nobody is attached, and B's cleanHandle removes the segment but cannot unlink the file: AlreadyExists.
        List<ModelOp> seed5237 = List.of(create("C", "k"), fail(create("B", "k"), "AlreadyExists"), fail(create("A", "k"), "AlreadyExists"),
                fail(create("A", "k_1"), "AlreadyExists"), kill("C"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, seed5237, fail(create("B", "k"), "AlreadyExists")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, seed5237, create("B", "k")));
        List<ModelOp> afterIt = new ArrayList<>(seed5237);
        afterIt.add(fail(create("B", "k"), "AlreadyExists"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, afterIt, create("B", "k")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, afterIt, fail(attach("D", "k"), "UnknownError")));
        // Nobody unlinked the key file (no re-key by an owner): the crashed holder's segment goes and the create works.
        List<ModelOp> fileKept = List.of(create("C", "k"), fail(create("B", "k"), "AlreadyExists"), kill("C"));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, fileKept, fail(create("B", "k"), "AlreadyExists")));
    }

    @Test
    void qt68SystemVNamelessSegmentMayBeReachedThroughAnotherKeysNewFile() {
        // Fuzz qt68-sysv-safe seed 5049 (3/3): A's attach of k made k's file and set (NotFound); B created k's segment on
        // them; A's create of j (size 0) unlinked k's file and j's took its inode; C create k makes a fresh segment and
        // leaves B's nameless; C create j reaches B's through j's file: AlreadyExists.
        List<ModelOp> seed5049 = List.of(fail(attach("A", "k"), "NotFound"), create("B", "k"), fail(sized(create("A", "j"), 0), "InvalidSize"),
                create("C", "k"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, seed5049, fail(create("C", "j"), "AlreadyExists")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, seed5049, create("C", "j")));
        // Its creator dead, nobody attached: the old segment still answers to j's file (the original seed 5049 history).
        List<ModelOp> creatorKilled = List.of(fail(attach("A", "k"), "NotFound"), create("B", "k"), kill("B"),
                fail(sized(create("A", "j"), 0), "InvalidSize"), create("C", "k"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, creatorKilled, fail(create("C", "j"), "AlreadyExists")));
        // Without A's re-key k's file stays and nothing can take its inode: j is free.
        List<ModelOp> noRekey = List.of(fail(attach("A", "k"), "NotFound"), create("B", "k"));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, noRekey, fail(create("C", "j"), "AlreadyExists")));
    }

    @Test
    void qt68SystemVOnlyAnOwnersReKeyUnderALiveSegmentUnlinksItsKeyFile() {
        // A only attached (Open mode on C's set): no key file unlinked, a new key is free (measured: A create j → true).
        List<ModelOp> attacher = List.of(create("C", "k"), attach("A", "k"));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, attacher, fail(create("A", "j"), "AlreadyExists")));
        // C's detach destroyed the segment first: nothing to reach (measured: A create j → true).
        List<ModelOp> destroyed = List.of(create("C", "k"), fail(create("A", "k"), "AlreadyExists"), op("C", "detach"));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, destroyed, fail(create("A", "j"), "AlreadyExists")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, destroyed, attach("A", "j")));
    }

    @Test
    void qt68SystemVSetOfAKeyWhoseFileWasUnlinkedMayBeRemovedThroughAnotherKey() {
        // Fuzz qt68-sysv-safe and -native seed 4 (3/3): k-1's key file took the inode of k's, unlinked by B's last detach,
        // so A's Create-mode open found B's set; A's re-key removed it, and B's re-key fails on it.
        List<ModelOp> removedThroughKMinus1 = List.of(create("B", "k"), op("B", "detach"), create("A", "k-1"), create("A", "j"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, removedThroughKMinus1, fail(attach("B", "k_1"), "UnknownError")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, removedThroughKMinus1, fail(attach("B", "k_1"), "NotFound")));
        assertFalse(SegmentModelTest.legal(Profile.DOCUMENTED, removedThroughKMinus1, fail(attach("B", "k_1"), "UnknownError")));
        // Legacy keys: k's set keeps its own key file, so k-1's cannot take its inode.
        assertFalse(SegmentModelTest.legal(QT68_SYSV, removedThroughKMinus1, fail(attach("B", "k_1"), "UnknownError")));
        // Nobody removed a set yet: no UnknownError.
        List<ModelOp> notYet = List.of(create("B", "k"), op("B", "detach"), create("A", "k-1"));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, notYet, fail(attach("B", "k_1"), "UnknownError")));
    }

    @Test
    void qt68SystemVLastDetachTakesTheSharedKeyFileAndMaySplitTheLock() {
        // Fuzz qt68-sysv-safe and -native seed 6 (3/3): B keeps its set open, C's create re-makes the key file on a new
        // inode and a set of its own: B acquires while C holds.
        List<ModelOp> split = List.of(create("B", "k"), op("B", "detach"), create("C", "k"), op("C", "lock"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, split, op("B", "lock")));
        assertFalse(SegmentModelTest.legal(Profile.DOCUMENTED, split, op("B", "lock")));
        // Fuzz seed 6 again: B's own attach in between (same key: NotFound, no key file re-made) leaves the split possible.
        List<ModelOp> afterOwnAttach = List.of(create("B", "k"), op("B", "detach"), fail(attach("B", "k"), "NotFound"), create("C", "k"),
                op("C", "lock"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, afterOwnAttach, op("B", "lock")));
        // Fuzz seed 8 (3/3): j's new key file took k's freed inode, so B's lock of j is C's set: C's lock blocks.
        List<ModelOp> acrossKeys = List.of(create("C", "k"), op("C", "detach"), create("B", "j"), op("B", "lock"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, acrossKeys, blocked(op("C", "lock"))));
        assertFalse(SegmentModelTest.legal(Profile.DOCUMENTED, acrossKeys, blocked(op("C", "lock"))));
        // Legacy keys: the last detach leaves the semaphore's own key file, so neither rule applies.
        assertFalse(SegmentModelTest.legal(QT68_SYSV, acrossKeys, blocked(op("C", "lock"))));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, split, op("B", "lock")));
        // Nobody else keyed the lock since the file went: it still excludes.
        List<ModelOp> sameObjects = List.of(create("B", "k"), attach("C", "k"), op("C", "detach"), op("C", "lock"));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, sameObjects, op("B", "lock")));
    }

    /**
     * Fuzz qt68-sysv-safe and -native seed 23 (3/3, shrunk history: A create k; A detach; A lock; C attach k_1 → never
     * returned, killed as blocked): A's last detach took k's key file, A's object keeps k's set and locks it; C's initKey
     * makes k_1's key file, which may take k's freed inode and ftok to that set, and its locker waits on A's lock.
     */
    private static final List<ModelOp> HELD_AFTER_THE_KEY_FILE_WENT = List.of(create("A", "k"), op("A", "detach"), op("A", "lock"));

    @Test
    void qt68SystemVKeyingANewKeyMayWaitOnTheHeldSetOfAKeyWhoseFileWentWithItsSegment() {
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, HELD_AFTER_THE_KEY_FILE_WENT, blocked(attach("C", "k_1"))));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, HELD_AFTER_THE_KEY_FILE_WENT, blocked(create("C", "k_1"))));
        // The same key file may also get a fresh inode: the attach goes through as documented.
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, HELD_AFTER_THE_KEY_FILE_WENT, fail(attach("C", "k_1"), "NotFound")));
        // The documentation and Qt 6.4: another key's lock never stops an attach.
        assertFalse(SegmentModelTest.legal(Profile.DOCUMENTED, HELD_AFTER_THE_KEY_FILE_WENT, blocked(attach("C", "k_1"))));
        assertFalse(SegmentModelTest.legal(QT64, HELD_AFTER_THE_KEY_FILE_WENT, blocked(attach("C", "k_1"))));
    }

    @Test
    void qt68SystemVKeyingANewKeyWaitsOnAnotherKeysSetOnlyWhereItsKeyFileCouldHaveTakenTheFreedInode() {
        // Legacy keys (qt68-sysv): the set has a file of its own (qipc_systemsem_...), which the last detach leaves.
        assertFalse(SegmentModelTest.legal(QT68_SYSV, HELD_AFTER_THE_KEY_FILE_WENT, blocked(attach("C", "k_1"))));
        // k's segment, and so its key file, is still there: no inode was freed.
        List<ModelOp> fileStays = List.of(create("A", "k"), op("A", "lock"));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, fileStays, blocked(attach("C", "k_1"))));
        // Freed, but nobody holds k's set.
        List<ModelOp> notHeld = List.of(create("A", "k"), op("A", "detach"));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, notHeld, blocked(attach("C", "k_1"))));
        List<ModelOp> letGo = List.of(create("A", "k"), op("A", "detach"), op("A", "lock"), op("A", "unlock"));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, letGo, blocked(attach("C", "k_1"))));
        // The holder died: SEM_UNDO released its hold, and its set went with its object.
        List<ModelOp> holderDied = List.of(create("A", "k"), op("A", "detach"), op("A", "lock"), kill("A"));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, holderDied, blocked(attach("C", "k_1"))));
        // An op that keys nothing new (a read) never waits.
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, HELD_AFTER_THE_KEY_FILE_WENT, blocked(op("C", "size"))));
    }

    @Test
    void qt68PosixKeepsTheNameAfterTheLastDetach() {
        List<ModelOp> detached = List.of(create("A", "k"), op("A", "detach"));
        assertTrue(SegmentModelTest.legal(QT68_POSIX, detached, attach("C", "k")));
        assertFalse(SegmentModelTest.legal(QT68_POSIX, detached, fail(attach("C", "k"), "NotFound")));
        assertFalse(SegmentModelTest.legal(Profile.DOCUMENTED, detached, attach("C", "k")));
    }

    private static ModelOp op(String p, String f) {
        return new ModelOp(p, f, null, 0, null, null, null, null, null, Outcome.OK, "NoError", null, SPACE, null);
    }

    /**
     * Fuzz qt68-sysv-safe seed 40119 (shrunk, 3/3 on real Qt 6.8.2): B's last detach unlinks k's key file with the
     * segment; A's attach of k makes the file again (its QSystemSemaphore's createdFile) and fails NotFound; B's create
     * makes a segment on a file it re-makes; A's re-key to j unlinks whatever file is under k's name (B's), and j's file
     * takes its inode: A's create of j meets B's segment (AlreadyExists).
     */
    @Test
    void anAttachThatMadeTheMissingKeyFileUnlinksItAtItsReKey() {
        List<ModelOp> history = List.of(create("B", "k"), op("B", "detach"), fail(attach("A", "k"), "NotFound"), create("B", "k"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, history, fail(create("A", "j"), "AlreadyExists")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, history, create("A", "j")));
        assertFalse(SegmentModelTest.legal(Profile.DOCUMENTED, history, fail(create("A", "j"), "AlreadyExists")));
        // B's file was still there when A attached: A made nothing, its re-key unlinks nothing.
        List<ModelOp> fileThere = List.of(create("B", "k"), attach("A", "k"), op("A", "detach"), create("C", "m"));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, fileThere, fail(create("A", "j"), "AlreadyExists")));
    }

    /**
     * Fuzz qt68-sysv-safe seed 61280 (3/3 on real Qt 6.8.2): C's create of k-1 marked B's set as maybe removed (C might
     * have made the set it opened for k); it had not (C's file of k took the inode of A's and C had only opened A's set,
     * which B opened in Create mode too), so B's next create removed that set, and A's next create meets its own IPC_RMID
     * failing. A mark of "maybe removed" must not stop a step that did not fail on it from removing the set under others.
     */
    @Test
    void anOwnerWhoseSetWasOnlyMaybeRemovedStillRemovesItUnderTheOthers() {
        // As the fuzzer gave them: keys with the run's prefix (their real lengths), these sizes, A's attach read-only.
        List<ModelOp> history = List.of(Ops.create("A", "k", 8), Ops.call("A", "detach"), Ops.failed(Ops.attach("C", "k"), "NotFound"),
                Ops.create("B", "k", 64), Ops.failed(Ops.create("C", "k-1", 8), "AlreadyExists"),
                Ops.failed(Ops.attachReadOnly("A", "k"), "NotFound"), Ops.create("B", "k", 8));
        ModelOp aCreates = Ops.create("A", "k", 8);
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.failed(aCreates, "UnknownError")));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.failed(aCreates, "AlreadyExists")));
        // Without B's second create nobody removed A's set: A's create cannot fail on it.
        assertFalse(Ops.legal(QT68_SYSV_SAFE, history.subList(0, 6), Ops.failed(aCreates, "UnknownError")));
    }

    /**
     * Fuzz qt68-sysv-safe seed 71252 (3/3 on real Qt 6.8.2): k's key file was made on the inode k-1's last detach freed,
     * so B and A opened the set C kept for k-1; C's re-key removed it, and A's next re-key meets its IPC_RMID failing.
     */
    @Test
    void aNamelessSetsOwnerRemovesTheSetAnotherKeysNewFileReached() {
        List<ModelOp> history = List.of(Ops.create("C", "k-1", 8), Ops.call("C", "detach"), Ops.create("B", "k", 8),
                Ops.failed(Ops.create("A", "k", 8), "AlreadyExists"), Ops.failed(Ops.create("C", "k", 8), "AlreadyExists"));
        ModelOp aReKeys = Ops.failed(Ops.create("A", "k-1", 8), "UnknownError");
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, aReKeys));
        // C never re-keyed away from its nameless set: nobody removed the set A opened.
        assertFalse(Ops.legal(QT68_SYSV_SAFE, history.subList(0, 4), aReKeys));
    }

    /**
     * Fuzz qt68-sysv-safe seed 81698 (3/3 on real Qt 6.8.2): C's failed create kept a handle (an ftok value) to k's
     * segment; k went with B's re-key and j's new file took its inode; with B dead and nobody attached, C's next
     * cleanHandle removed j's segment, so C's create of j made a fresh one.
     */
    @Test
    void aKeptHandleMayRemoveAnotherKeysSegmentOnItsOldInode() {
        List<ModelOp> history = List.of(Ops.create("B", "k", 8), Ops.failed(Ops.create("C", "k", 8), "AlreadyExists"),
                Ops.create("B", "j", 8), Ops.kill("B"), Ops.failed(Ops.attachReadOnly("C", "j"), "UnknownError"));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.create("C", "j", 8)));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.failed(Ops.create("C", "j", 8), "AlreadyExists")));
        // Someone attached to j: nattch is not 0, cleanHandle leaves it.
        List<ModelOp> attached = List.of(Ops.create("B", "k", 8), Ops.failed(Ops.create("C", "k", 8), "AlreadyExists"),
                Ops.create("B", "j", 8), Ops.failed(Ops.attachReadOnly("C", "j"), "UnknownError"));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, attached, Ops.create("C", "j", 8)));
    }

    /**
     * Fuzz qt68-sysv seed 91357 (3/3 on real Qt 6.8.2): C's attach, blocked behind A's lock, had first cleaned its failed
     * create's kept handle (initKey runs before the locker), removing the segment nobody was attached to; A's attach
     * then found its own kept handle stale (AlreadyExists). The checker places that part of the blocked attach in its
     * interval (SegmentModel.ATTACH_KEYED).
     */
    @Test
    void aBlockedAttachCleanedItsKeptHandleBeforeItsLockerWaited() {
        ModelOp cAttaches = Ops.attach("C", "k");
        ModelOp cKeyed = new ModelOp(cAttaches.process(), SegmentModel.ATTACH_KEYED, cAttaches.args(), cAttaches.realKeyLength(),
                Outcome.OK, null, null, cAttaches.space(), null);
        List<ModelOp> before = List.of(Ops.create("A", "k", 8), Ops.failed(Ops.create("C", "k", 8), "AlreadyExists"),
                Ops.attachReadOnly("B", "k"), Ops.call("A", "detach"), Ops.failed(Ops.create("A", "k", 8), "AlreadyExists"),
                Ops.call("A", "lock"), Ops.kill("B"));
        List<ModelOp> keyed = new ArrayList<>(before);
        keyed.add(cKeyed);
        ModelOp aAttaches = Ops.failed(Ops.attach("A", "k"), "AlreadyExists");
        assertTrue(Ops.legal(QT68_SYSV, keyed, aAttaches));
        assertFalse(Ops.legal(QT68_SYSV, before, aAttaches), "without C's cleanHandle A's own removes the segment first");
    }

    /**
     * Fuzz qt68-sysv seed 189 (FLAKY 1/3 beside a verify): B's failed create kept a handle to k's segment; B's next create
     * overlapped A's last detach and returned true. Its cleanHandle ran while A was still attached (it let go), A's
     * detach removed the segment, and B's shmget made a fresh one: the checker may place that cleanHandle apart
     * (SegmentModel.HANDLE_CLEANED), but only where the kept handle still reaches a segment.
     */
    @Test
    void aKeptHandleCleanedBeforeAPeersLastDetachLetsTheCreateAfterItMakeAFreshSegment() {
        ModelOp bCreates = Ops.create("B", "k", 8);
        ModelOp bCleans = new ModelOp("B", SegmentModel.HANDLE_CLEANED, bCreates.args(), bCreates.realKeyLength(), Outcome.OK,
                null, null, bCreates.space(), null);
        List<ModelOp> failed = List.of(Ops.create("A", "k", 8), Ops.failed(Ops.create("B", "k", 8), "AlreadyExists"));
        List<ModelOp> cleanedFirst = new ArrayList<>(failed);
        cleanedFirst.add(bCleans);
        cleanedFirst.add(Ops.call("A", "detach"));
        assertTrue(Ops.legal(QT68_SYSV, cleanedFirst, bCreates));
        List<ModelOp> detachedFirst = new ArrayList<>(failed);
        detachedFirst.add(Ops.call("A", "detach"));
        assertFalse(Ops.legal(QT68_SYSV, detachedFirst, bCreates), "taken whole, the create meets its stale handle");
        assertFalse(Ops.legal(QT68_SYSV, detachedFirst, bCleans), "a cleanHandle that finds nothing fails the call: no part");
        assertFalse(Ops.legal(QT68_SYSV, List.of(Ops.create("A", "k", 8)), bCleans), "B keeps no handle");
        assertFalse(Ops.legal(Profile.DOCUMENTED, failed, bCleans), "only Qt 6.8's System V create keeps one");
    }

    /**
     * Fuzz qt68-sysv-safe seed 131395 (3/3 on real Qt 6.8.2): j's file took k's freed inode, so C's create of j opened
     * A's set, and A's re-key removed it; B's attach of j found no set, made one and owns it with its file; B's re-key
     * then unlinked j's file, and k-1's new file took the inode: its create met j's segment.
     */
    @Test
    void anAttachThatFindsItsKeysSetRemovedOwnsTheFreshOneAndItsFile() {
        List<ModelOp> history = List.of(Ops.create("A", "k", 8), Ops.call("A", "detach"), Ops.create("C", "j", 8),
                Ops.create("A", "k_1", 8), Ops.attach("B", "j"));
        ModelOp bCreates = Ops.failed(Ops.create("B", "k-1", 8), "AlreadyExists");
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, bCreates));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.create("B", "k-1", 8)), "or k-1's file is on another inode");
        // A never re-keyed away: the set B's attach opened was C's, which B does not own; its re-key unlinks nothing.
        List<ModelOp> setKept = List.of(Ops.create("A", "k", 8), Ops.call("A", "detach"), Ops.create("C", "j", 8),
                Ops.attach("B", "j"));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, setKept, bCreates));
    }

    /**
     * Fuzz qt68-sysv-safe seed 152001 (3/3 on real Qt 6.8.2): A's create while attached failed in initKey (its set removed
     * under it) after initKey's cleanHandle had cleared its handle, so its detach removed nothing and the segment was
     * still there for its attach.
     */
    @Test
    void anAttachedObjectsCreateThatFailedOnItsRemovedSetLeftItsDetachWithoutAHandle() {
        List<ModelOp> history = List.of(Ops.create("A", "k", 8), Ops.failed(Ops.create("B", "k", 8), "AlreadyExists"),
                Ops.failed(Ops.create("B", "k", 8), "AlreadyExists"), Ops.failed(Ops.create("A", "k", 8), "UnknownError"),
                Ops.call("A", "detach"));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.attach("A", "k")));
        // Without the failed create A's detach is its last: the segment is gone.
        List<ModelOp> plain = List.of(Ops.create("A", "k", 8), Ops.failed(Ops.create("B", "k", 8), "AlreadyExists"),
                Ops.failed(Ops.create("B", "k", 8), "AlreadyExists"), Ops.call("A", "detach"));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, plain, Ops.attach("A", "k")));
    }

    /**
     * Fuzz qt68-sysv-native seed 61544 (FLAKY 1/3): B's create in Create mode removed the set A owned; A's attach of the
     * same key re-made the shared key file in its locker (modifySemaphore's cleanHandle and handle), on another inode:
     * NotFound while B's segment lives, which then has no name.
     */
    @Test
    void anOwnersAttachWhoseSetWasRemovedMayRemakeTheKeyFileElsewhere() {
        List<ModelOp> history = List.of(Ops.create("A", "k", 8), Ops.call("A", "detach"),
                Ops.failed(Ops.create("B", "k", 0), "InvalidSize"), Ops.create("B", "k", 8));
        ModelOp aAttaches = Ops.failed(Ops.attach("A", "k"), "NotFound");
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, aAttaches));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.attach("A", "k")), "or the file came back on its inode");
        assertFalse(Ops.legal(QT68_SYSV, history, aAttaches), "legacy keys: the semaphore's file is not the segment's");
        // C never owned k's set: its attach meets no removed set of its own.
        List<ModelOp> notAnOwner = List.of(Ops.create("A", "k", 8), Ops.call("A", "detach"),
                Ops.failed(Ops.create("B", "k", 0), "InvalidSize"), Ops.create("B", "k", 8));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, notAnOwner, Ops.failed(Ops.attach("C", "k"), "NotFound")));
    }

    /**
     * Fuzz qt68-sysv-native seed 202668 (3/3 on real Qt 6.8.2): C's kept handle is the ftok value of k's first key file;
     * that segment went with B's re-key, and A's create made k's segment anew on another inode, so C's cleanHandle did
     * not reach it: after A's death C attached to it.
     */
    @Test
    void aKeptHandleWhoseSegmentWentDoesNotReachTheKeysNewSegment() {
        List<ModelOp> history = List.of(Ops.create("B", "k", 8), Ops.failed(Ops.create("C", "k", 8), "AlreadyExists"),
                Ops.create("B", "j", 8), Ops.create("A", "k", 8), Ops.kill("A"));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.attach("C", "k")));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.failed(Ops.attach("C", "k"), "NotFound")),
                "or A's file took the old inode and the kept handle removed A's segment");
        // Its own segment still there (nobody re-made k): the kept handle reaches it and removes it.
        List<ModelOp> own = List.of(Ops.create("B", "k", 8), Ops.failed(Ops.create("C", "k", 8), "AlreadyExists"),
                Ops.kill("B"));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, own, Ops.attach("C", "k")));
    }

    /**
     * Fuzz qt68-sysv-safe seed 206292 (3/3 on real Qt 6.8.2): C reached A's segment of k through k_1's file, so its
     * semaphore is k_1's; B's Create mode removed that set, and C's create(0) k_1 met the removal: UnknownError.
     */
    @Test
    void anObjectThatReachedItsSegmentThroughAnotherKeyMeetsItsRemovedSetByThatKey() {
        List<ModelOp> history = List.of(Ops.failed(Ops.create("C", "k", 0), "InvalidSize"), Ops.create("A", "k", 8),
                Ops.attach("C", "k_1"), Ops.failed(Ops.create("B", "k_1", 8), "AlreadyExists"),
                Ops.failed(Ops.create("B", "k_1", 8), "AlreadyExists"));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.failed(Ops.create("C", "k_1", 0), "UnknownError")));
        // B never re-made k_1's set: C's is whole.
        assertFalse(Ops.legal(QT68_SYSV_SAFE, history.subList(0, 4), Ops.failed(Ops.create("C", "k_1", 0), "UnknownError")));
    }

    /**
     * Fuzz qt68-sysv seed 204095 (3/3 on real Qt 6.8.2, legacy keys): C's re-key to j failed (its IPC_RMID of the set B's
     * death left removed) after unlinking k's semaphore file, which A had re-made for its own set; j's file took that
     * inode, so C's create(0) of j, in Create mode, removed A's set.
     */
    @Test
    void aLegacySemaphoreFileMadeOnAnotherKeysFreedInodeSharesItsSet() {
        List<ModelOp> history = List.of(Ops.create("A", "k", 8), Ops.call("A", "detach"), Ops.create("B", "k", 8),
                Ops.failed(Ops.create("C", "k", 8), "AlreadyExists"), Ops.failed(Ops.create("A", "k", 8), "AlreadyExists"),
                Ops.kill("B"), Ops.failed(Ops.create("C", "j", 8), "UnknownError"),
                Ops.failed(Ops.attach("A", "k"), "AlreadyExists"), Ops.failed(Ops.create("C", "j", 0), "InvalidSize"));
        ModelOp aCreates = Ops.failed(Ops.create("A", "k", 8), "UnknownError");
        assertTrue(Ops.legal(QT68_SYSV, history, aCreates));
        // Without C's create(0) of j nobody removed the set A re-made.
        assertFalse(Ops.legal(QT68_SYSV, history.subList(0, 8), aCreates));
    }

    /**
     * Fuzz qt68-sysv seed 203122 (1 of 4 runs on real Qt 6.8.2, "QSystemSemaphore::handle:: ftok failed"): C owns k's set
     * since its failed create; its next create in Create mode removed the set while A waited on it, and A's
     * modifySemaphore unlinked the file C had just made: KeyError. An attach (Open mode, the same key) keys nothing.
     */
    @Test
    void anOwnersCreateMayFailWithKeyErrorWhileAnotherOwnerReOpensTheSet() {
        List<ModelOp> history = List.of(Ops.create("A", "k", 8), Ops.failed(Ops.create("C", "k", 8), "AlreadyExists"),
                Ops.attachReadOnly("B", "k"), Ops.call("B", "lock"));
        assertTrue(Ops.legal(QT68_SYSV, history, Ops.failed(Ops.create("C", "k", 8), "KeyError")));
        assertFalse(Ops.legal(QT68_SYSV, history, Ops.failed(Ops.attach("C", "k"), "KeyError")), "Open mode: early return");
        // C owns nothing of k: its create keys in Create mode but removes no set from under anyone.
        List<ModelOp> notOwner = List.of(Ops.create("A", "k", 8), Ops.attachReadOnly("B", "k"), Ops.call("B", "lock"));
        assertFalse(Ops.legal(QT68_SYSV, notOwner, Ops.failed(Ops.create("C", "k", 8), "KeyError")));
    }

    /**
     * Fuzz qt68-sysv-native seed 20181 (1 of 3 on real Qt 6.8.2, `--workers 4 --length 24`, D's lock overlapping C's
     * create): C's create of k failed with KeyError as in seed 203122, after its Create mode's cleanHandle removed the
     * set, which A owns too (A made it; C's file of k took the inode A's last detach freed): A's re-key to j then fails
     * on the removed set with UnknownError. Without C's failed create nobody removed it.
     */
    @Test
    void anOwnersCreateThatFailedWithKeyErrorRemovedTheSetUnderItsOtherOwners() {
        List<ModelOp> history = List.of(Ops.create("A", "k", 64), Ops.call("A", "detach"), Ops.create("C", "k", 40),
                Ops.call("C", "detach"), Ops.create("B", "k", 16), Ops.call("B", "lock"),
                Ops.failed(Ops.create("C", "k", 64), "KeyError"));
        ModelOp aRekeys = Ops.failed(Ops.create("A", "j", 16), "UnknownError");
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, aRekeys));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, history.subList(0, 6), aRekeys));
    }

    /**
     * Fuzz qt68-sysv-native seed 387745 and qt68-sysv seeds 341321 and 343860 (real Qt 6.8.2, "QSystemSemaphore::handle::
     * ftok failed" in the history): after a create that failed with KeyError as in seed 203122, the same object's attach
     * of the same key fails with KeyError again. QSystemSemaphore::handle left the error and unix_key at -1, and
     * setNativeKey returns early for the same key in Open mode before it clears the error, so initKey fails on it again.
     * A create (Create mode clears it), another key, or a lock (modifySemaphore's handle() keys afresh) clears it.
     */
    @Test
    void theSameKeysAttachFailsWithKeyErrorAgainAfterAFailedFtok() {
        List<ModelOp> failed = List.of(Ops.create("A", "k", 8), Ops.failed(Ops.create("C", "k", 8), "AlreadyExists"),
                Ops.attachReadOnly("B", "k"), Ops.call("B", "lock"), Ops.failed(Ops.create("C", "k", 8), "KeyError"));
        ModelOp cAttaches = Ops.failed(Ops.attach("C", "k"), "KeyError");
        assertTrue(Ops.legal(QT68_SYSV, failed, cAttaches));
        List<ModelOp> twice = new ArrayList<>(failed);
        twice.add(cAttaches);
        assertTrue(Ops.legal(QT68_SYSV, twice, cAttaches), "the error stays until something clears it");
        // A lock runs modifySemaphore, whose handle() keys afresh and clears the error.
        List<ModelOp> locked = new ArrayList<>(twice);
        locked.add(Ops.call("C", "lock"));
        assertFalse(Ops.legal(QT68_SYSV, locked, cAttaches), "a lock clears it");
        // A create keys in Create mode, which clears the error first.
        List<ModelOp> created = new ArrayList<>(twice);
        created.add(Ops.failed(Ops.create("C", "k", 8), "AlreadyExists"));
        assertFalse(Ops.legal(QT68_SYSV, created, cAttaches), "a create clears it");
        // Another key goes through setNativeKey, which clears it.
        List<ModelOp> otherKey = new ArrayList<>(failed);
        otherKey.add(Ops.failed(Ops.attach("C", "j"), "NotFound"));
        assertFalse(Ops.legal(QT68_SYSV, otherKey, cAttaches), "another key clears it");
        // Another object carries no error.
        assertFalse(Ops.legal(QT68_SYSV, failed, Ops.failed(Ops.attach("D", "k"), "KeyError")), "another object");
        // Without the failed ftok before: the documented attach only.
        assertFalse(Ops.legal(QT68_SYSV, failed.subList(0, 4), cAttaches), "no earlier KeyError");
    }

    /** Fuzz qt68-sysv seeds 341321 and 343860 (legacy keys) and qt68-sysv-native seed 387745, in their order. */
    @Test
    void theFuzzedKeyErrorsAfterAFailedFtok() {
        // Seeds 341321 and 343860: B owns k's set since its create, C since its own; B's create in Create mode removed the
        // set while C waited in lock(), and C's modifySemaphore unlinked the file B had just made. B's lock after the
        // attach returned true (modifySemaphore's handle() keyed afresh).
        List<ModelOp> legacy = List.of(Ops.create("B", "k", 16), Ops.attachReadOnly("A", "k"), Ops.call("A", "detach"),
                Ops.call("B", "detach"), Ops.call("B", "lock"), Ops.call("B", "unlock"), Ops.create("C", "k", 200),
                Ops.attach("A", "k"), Ops.call("A", "lock"), Ops.failed(Ops.create("B", "k", 64), "KeyError"), Ops.kill("C"));
        assertTrue(Ops.legal(QT68_SYSV, legacy, Ops.failed(Ops.attach("B", "k"), "KeyError")));
        List<ModelOp> thenLocked = new ArrayList<>(legacy);
        thenLocked.add(Ops.failed(Ops.attach("B", "k"), "KeyError"));
        assertTrue(Ops.legal(QT68_SYSV, thenLocked, Ops.call("B", "lock")));
        // Seed 387745: B owns k's set since its failed create; A's create in Create mode removed it while B's detach
        // waited in its locker.
        List<ModelOp> nativeKeys = List.of(Ops.create("A", "k", 100), Ops.failed(Ops.create("B", "k", 64), "AlreadyExists"),
                Ops.attachReadOnly("B", "k"), Ops.call("A", "detach"), Ops.attach("C", "k"), Ops.call("C", "detach"),
                Ops.call("C", "lock"), Ops.failed(Ops.create("A", "k", 64), "KeyError"), Ops.call("B", "detach"));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, nativeKeys, Ops.failed(Ops.attach("A", "k"), "KeyError")));
    }

    /**
     * Fuzz qt68-sysv-native seed 484555 (FLAKY 1/3 on real Qt 6.8.2, "QSystemSemaphore::handle:: ftok failed" in the
     * history): C's create of k overlapped A's detach, the last one. QSharedMemorySystemV::cleanHandle removed the segment
     * and unlinked k's key file, which native keys share with the semaphore set, after C's QSystemSemaphoreSystemV::handle()
     * had made or found it (createUnixKeyFile) and before its ftok: KeyError, kept in C's semaphore, so C's attach of k
     * failed with it again. C owns k's set but no other owner has the key, so the older rule (seed 203122) does not
     * apply: only the unlink placed between the checker's mark of the key file (SegmentModel.KEY_FILE_MADE) and the
     * call explains it. An owner's re-key away from the key unlinks the file too (its semaphore's cleanHandle), with
     * legacy keys as well.
     */
    @Test
    void aCreateWhoseKeyFileAnOverlappingUnlinkerRemovedBeforeItsFtokFailsWithKeyError() {
        ModelOp cCreates = Ops.failed(Ops.create("C", "k", 64), "KeyError");
        List<ModelOp> unlinkedBetween = new ArrayList<>(SEED_484555_BEFORE_THE_CREATE);
        unlinkedBetween.add(keyFileMade(cCreates));
        unlinkedBetween.add(Ops.call("A", "detach"));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, unlinkedBetween, cCreates));
        // The rest of the seed's history: the kept error, then B's lock and a create of k afresh.
        List<ModelOp> failed = new ArrayList<>(unlinkedBetween);
        failed.add(cCreates);
        failed.add(Ops.failed(Ops.attach("C", "k"), "KeyError"));
        failed.add(Ops.call("B", "unlock"));
        failed.add(Ops.value("B", "isAttached", "false"));
        failed.add(Ops.call("B", "lock"));
        failed.add(Ops.call("B", "unlock"));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, failed, Ops.create("B", "k", 24)));
        // An attach of a new key runs handle() too.
        List<ModelOp> attachBetween = List.of(Ops.create("A", "k", 8), keyFileMade(Ops.attach("C", "k")), Ops.call("A", "detach"));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, attachBetween, Ops.failed(Ops.attach("C", "k"), "KeyError")));
        // An owner's re-key away from k: its semaphore's cleanHandle unlinks the file it made (createdFile), legacy keys too.
        ModelOp bCreates = Ops.failed(Ops.create("B", "k", 8), "KeyError");
        List<ModelOp> rekeyBetween = List.of(Ops.create("A", "k", 8), keyFileMade(bCreates), Ops.create("A", "j", 8));
        assertTrue(Ops.legal(QT68_SYSV, rekeyBetween, bCreates));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, rekeyBetween, bCreates));
    }

    /**
     * The negative of {@link #aCreateWhoseKeyFileAnOverlappingUnlinkerRemovedBeforeItsFtokFailsWithKeyError}: the same
     * KeyError with no unlinker between the mark and the call is still a violation, whether nothing unlinked the file,
     * the unlink came before the handle() made it, the detach was not the last (the segment and its file stay), the
     * unlinker has another key, the keys are legacy ones (the segment's file is not the semaphore's), or the attach keeps
     * the key it has (no handle() in Open mode). Only Qt 6.8's System V makes a key file before an ftok.
     */
    @Test
    void aKeyErrorWithNoUnlinkerBetweenTheKeyFileAndItsFtokIsStillAViolation() {
        ModelOp cCreates = Ops.failed(Ops.create("C", "k", 64), "KeyError");
        List<ModelOp> whole = new ArrayList<>(SEED_484555_BEFORE_THE_CREATE);
        whole.add(Ops.call("A", "detach"));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, whole, cCreates), "the call taken whole");
        List<ModelOp> unlinkedFirst = new ArrayList<>(whole);
        unlinkedFirst.add(keyFileMade(cCreates));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, unlinkedFirst, cCreates), "the detach before the key file was made");
        List<ModelOp> nothingBetween = new ArrayList<>(SEED_484555_BEFORE_THE_CREATE);
        nothingBetween.add(keyFileMade(cCreates));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, nothingBetween, cCreates), "no op between");
        List<ModelOp> notTheLast = new ArrayList<>(SEED_484555_BEFORE_THE_CREATE.subList(0, 6));
        notTheLast.add(keyFileMade(cCreates));
        notTheLast.add(Ops.call("A", "detach"));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, notTheLast, cCreates), "B still attached: nothing removed, nothing unlinked");
        List<ModelOp> anotherKey = List.of(Ops.create("A", "j", 8), keyFileMade(cCreates), Ops.call("A", "detach"));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, anotherKey, cCreates), "A's detach unlinks j's file");
        List<ModelOp> unlinkedBetween = new ArrayList<>(SEED_484555_BEFORE_THE_CREATE);
        unlinkedBetween.add(keyFileMade(cCreates));
        unlinkedBetween.add(Ops.call("A", "detach"));
        assertFalse(Ops.legal(QT68_SYSV, unlinkedBetween, cCreates), "legacy keys: the semaphore's file is its own");
        ModelOp bAttaches = Ops.failed(Ops.attach("B", "k"), "KeyError");
        List<ModelOp> sameKey = List.of(Ops.create("A", "k", 8), Ops.attach("B", "k"), Ops.call("B", "detach"),
                keyFileMade(bAttaches), Ops.create("A", "j", 8));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, sameKey, bAttaches), "the same key in Open mode: setNativeKey returns early");
        assertFalse(SegmentModel.step(QT64, ModelState.initial(), keyFileMade(cCreates)).legal(), "Qt 6.4: no mark");
    }

    /** Seed 484555's ops before C's create(64), in the order its history has them. */
    private static final List<ModelOp> SEED_484555_BEFORE_THE_CREATE = List.of(Ops.create("C", "k", 24),
            Ops.call("C", "detach"), Ops.create("C", "k", 24), Ops.attach("B", "k"), Ops.call("C", "detach"),
            Ops.attach("A", "k"), Ops.call("B", "detach"), Ops.call("B", "lock"));

    /** The checker's mark (SegmentModel.KEY_FILE_MADE) of the key file {@code call}'s handle() made, before its ftok. */
    private static ModelOp keyFileMade(ModelOp call) {
        return new ModelOp(call.process(), SegmentModel.KEY_FILE_MADE, call.args(), call.realKeyLength(), Outcome.OK, null,
                null, call.space(), null);
    }

    /**
     * Fuzz qt68-sysv seed 221338 and qt68-sysv-safe seed 222431 (3/3 on real Qt 6.8.2): an unlock by an object that does
     * not hold the lock returns before QSystemSemaphore's modifySemaphore, so the failed create's error stays, and the
     * attach of the same key fails on it again. An unlock by the holder clears it.
     */
    @Test
    void anUnlockByANonHolderKeepsTheSemaphoresError() {
        List<ModelOp> history = List.of(Ops.failed(Ops.create("A", "k", 0), "InvalidSize"), Ops.create("B", "k", 8),
                Ops.failed(Ops.attach("B", "k_1"), "NotFound"), Ops.failed(Ops.create("A", "k", 8), "UnknownError"),
                Ops.failed(Ops.call("A", "unlock"), "UnknownError"));
        ModelOp aAttaches = Ops.failed(Ops.attach("A", "k"), "UnknownError");
        assertTrue(Ops.legal(QT68_SYSV, history, aAttaches));
        List<ModelOp> heldAndReleased = new ArrayList<>(history.subList(0, 4));
        heldAndReleased.add(Ops.call("A", "lock"));
        heldAndReleased.add(Ops.call("A", "unlock"));
        assertFalse(Ops.legal(QT68_SYSV, heldAndReleased, aAttaches), "the holder's unlock reached modifySemaphore");
    }

    /**
     * Fuzz qt68-sysv-native seed 223709 (3/3 on real Qt 6.8.2): A's create(0) while attached dropped its handle and, in
     * Create mode, re-made k's shared key file; A's re-key to k_1 detached without removing k's segment, and k_1's new
     * file took the inode of k's first one: AlreadyExists.
     */
    @Test
    void aReKeyAfterAHandleWasDroppedLeavesTheSegment() {
        List<ModelOp> history = List.of(Ops.create("A", "k", 8), Ops.failed(Ops.create("A", "k", 0), "InvalidSize"));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.failed(Ops.create("A", "k_1", 8), "AlreadyExists")));
        List<ModelOp> reKeyed = List.of(Ops.create("A", "k", 8), Ops.failed(Ops.create("A", "k", 0), "InvalidSize"),
                Ops.create("A", "k_1", 8));
        assertTrue(Ops.legal(QT68_SYSV, reKeyed, Ops.attach("B", "k")), "k's segment outlived A's re-key");
        assertFalse(Ops.legal(QT68_SYSV, List.of(Ops.create("A", "k", 8), Ops.create("A", "k_1", 8)), Ops.attach("B", "k")),
                "with its handle, the re-key's detach is the last: k's segment went");
    }

    /**
     * Fuzz qt68-sysv-native seed 231353 (FLAKY 1/3 on real Qt 6.8.2): C's create in Create mode removed k's set while A's
     * detach waited in its locker behind B; A's modifySemaphore met the removed set and its handle() made a fresh one
     * before C's re-made it, so A owned it too; C's re-key removed it, and A's next cleanHandle failed on it.
     */
    @Test
    void aLockerWhoseSetWasRemovedUnderItMayOwnTheFreshOne() {
        List<ModelOp> removed = List.of(Ops.failed(Ops.create("C", "k", 0), "InvalidSize"), Ops.create("B", "k", 8),
                Ops.attach("A", "k"), Ops.call("B", "lock"), Ops.failed(Ops.create("C", "k", 8), "AlreadyExists"));
        ModelOp aCreates = Ops.failed(Ops.create("A", "k", 8), "UnknownError");
        List<ModelOp> history = new java.util.ArrayList<>(removed);
        history.addAll(List.of(Ops.call("A", "detach"), Ops.kill("B"), Ops.failed(Ops.attach("C", "k_1"), "NotFound")));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, aCreates));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.create("A", "k", 8)),
                "or C's set was there first: A only opened it (and C's kept handle took k's segment with its re-key)");
        // A never ran its semaphore after the removal: it still owns nothing, its cleanHandle removes nothing.
        List<ModelOp> unused = new java.util.ArrayList<>(removed);
        unused.addAll(List.of(Ops.kill("B"), Ops.failed(Ops.attach("C", "k_1"), "NotFound")));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, unused, aCreates));
    }

    /**
     * Fuzz qt68-sysv-native seed 193 (3/3 on real Qt 6.8.2; a default run's fuzz, on 2026-12-05, beside {@code ./mvnw -B
     * verify} and another run): as in seed 95, A's re-key to k_1 unlinked k's file (k_1's took its inode) and removed
     * C's set; C's lock met the removed set and made a fresh one; B's create of k made a fresh segment, left C's nameless
     * with C attached, and opened C's set in Create mode; C detached; B's create of k again removed that set in its
     * cleanHandle, and C's re-key to k_1 failed on it. C's detached object is still keyed k, whose set it owns, where
     * the model wanted NotFound for it, keyed by its nameless segment's name.
     */
    @Test
    void aDetachedObjectOfANamelessSegmentKeepsTheKeyItWasGiven() {
        List<ModelOp> history = List.of(Ops.create("C", "k", 8), Ops.failed(Ops.create("A", "k", 8), "AlreadyExists"),
                Ops.failed(Ops.create("A", "k_1", 8), "AlreadyExists"), Ops.call("C", "lock"), Ops.create("B", "k", 8),
                Ops.call("C", "detach"), Ops.failed(Ops.create("B", "k", 8), "AlreadyExists"));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.failed(Ops.attachReadOnly("C", "k_1"), "UnknownError")));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.failed(Ops.create("C", "j", 8), "UnknownError")));
        // An attach of the key it was given is no re-key: setNativeKey returns early in Open mode, the set is not touched.
        assertFalse(Ops.legal(QT68_SYSV_SAFE, history, Ops.failed(Ops.attach("C", "k"), "UnknownError")));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.attach("C", "k")));
        // B owns no set another object removed: its re-key removes its own.
        assertFalse(Ops.legal(QT68_SYSV_SAFE, history, Ops.failed(Ops.attach("B", "j"), "UnknownError")));
    }

    /**
     * Fuzz qt68-sysv-native seed 1407 (3/3 on real Qt 6.8.2; {@code fuzz --seed 1} after 1,407 schedules): C's last
     * detach unlinked k's key file while C kept k's set; A's create(0) of k_1 made k_1's file on that inode and opened
     * C's set in Create mode; B's create of k made k's file again (another inode, a set of its own); A's second create of
     * k_1 removed C's set in its cleanHandle, and C's create of k failed on it. The model read "may be the same set" at
     * A's removal, when k's file was back; it now keeps, for each key, the sets its file may have reached when it was
     * made (Semaphores.reached).
     */
    @Test
    void aKeyFileMadeWhileAnotherKeysFileWasGoneMayHaveReachedItsSetForGood() {
        List<ModelOp> history = List.of(Ops.create("C", "k", 8), Ops.call("C", "detach"),
                Ops.failed(Ops.create("A", "k_1", 0), "InvalidSize"), Ops.create("B", "k", 8), Ops.create("A", "k_1", 8));
        ModelOp cCreates = Ops.failed(Ops.create("C", "k", 8), "UnknownError");
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, cCreates));
        // Without A's second create nobody removed C's set.
        assertFalse(Ops.legal(QT68_SYSV_SAFE, history.subList(0, 4), cCreates));
        // k_1's file made while k's was still there reached nothing of C's.
        List<ModelOp> madeBefore = List.of(Ops.create("C", "k", 8), Ops.failed(Ops.create("A", "k_1", 0), "InvalidSize"),
                Ops.call("C", "detach"), Ops.create("B", "k", 8), Ops.create("A", "k_1", 8));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, madeBefore, cCreates));
    }

    /**
     * Fuzz qt68-sysv-safe seed 234929 (3/3 on real Qt 6.8.2): k's file took the inode of j's, which went with C's detach
     * while C kept j's set, so B and A own that set as k's; C's create of j again removed it in its cleanHandle before
     * handle(Create) re-made j's file, and A's next create failed on it.
     */
    @Test
    void aCreateOfTheSameKeyRemovesTheSetAnotherKeysFileReachedBeforeItRemakesItsFile() {
        ModelOp aCreates = Ops.failed(Ops.create("A", "k", 8), "UnknownError");
        List<ModelOp> history = List.of(Ops.create("C", "j", 8), Ops.call("C", "detach"), Ops.create("B", "k", 8),
                Ops.failed(Ops.create("A", "k", 8), "AlreadyExists"), Ops.create("C", "j", 8), Ops.kill("B"));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, aCreates));
        // Without C's second create nobody removed the set.
        List<ModelOp> notRemoved = List.of(Ops.create("C", "j", 8), Ops.call("C", "detach"), Ops.create("B", "k", 8),
                Ops.failed(Ops.create("A", "k", 8), "AlreadyExists"), Ops.kill("B"));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, notRemoved, aCreates));
    }

    /**
     * Fuzz qt68-sysv-native seed 292444 (3/3 on real Qt 6.8.2): B's re-key to j removed k's set and unlinked k's file,
     * j's file took its inode, and B's attach of j reached k's segment (left with nobody attached by A's death). B's
     * semaphore is j's (the key Qt was given), not the segment's: C's lock of k, through k's new file, is another set.
     */
    @Test
    void anObjectThatReachedAnotherKeysSegmentLocksItsOwnKeysSet() {
        List<ModelOp> history = List.of(Ops.create("B", "k", 8), Ops.attach("A", "k"), Ops.call("B", "detach"),
                Ops.kill("A"), Ops.attach("B", "j"), Ops.failed(Ops.attach("C", "k"), "NotFound"), Ops.call("C", "lock"));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.call("B", "lock")));
        // Objects keyed alike still exclude each other.
        List<ModelOp> sameKey = List.of(Ops.create("B", "k", 8), Ops.attach("C", "k"), Ops.call("C", "lock"));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, sameKey, Ops.call("B", "lock")));
    }

    /**
     * Fuzz qt68-sysv seed 304499 (3/3 on real Qt 6.8.2, legacy keys): A's kept handle (its create of k refused) is the
     * ftok value of k's first key file; k-1's file took that inode, so after B's death A's cleanHandle removed k-1's
     * segment, then unlinked the file at k's path, C's: C's last detach removed its segment and its unlink failed.
     */
    @Test
    void aKeptHandleThatReachedAnotherKeysSegmentUnlinksItsOwnKeysFile() {
        List<ModelOp> history = List.of(Ops.create("B", "k", 8), Ops.failed(Ops.create("A", "k", 8), "AlreadyExists"),
                Ops.create("B", "k-1", 8), Ops.create("C", "k", 8), Ops.kill("B"),
                Ops.failed(Ops.create("A", "k", 8), "UnknownError"));
        assertTrue(Ops.legal(QT68_SYSV, history, Ops.failed(Ops.call("C", "detach"), "NoError")));
        assertTrue(Ops.legal(QT68_SYSV, history, Ops.call("C", "detach")), "or the kept handle reached nothing");
        // B alive: k-1's segment has an attacher, nothing is removed and no file unlinked.
        List<ModelOp> bAlive = List.of(Ops.create("B", "k", 8), Ops.failed(Ops.create("A", "k", 8), "AlreadyExists"),
                Ops.create("B", "k-1", 8), Ops.create("C", "k", 8), Ops.failed(Ops.create("A", "k", 8), "UnknownError"));
        assertFalse(Ops.legal(QT68_SYSV, bAlive, Ops.failed(Ops.call("C", "detach"), "NoError")));
    }

    /**
     * Fuzz qt68-sysv-native seed 302282 (once in a campaign, 0/3 in replays): A's refused create kept a handle and made A
     * an owner of k's set, which B's create removed; A's attach cleaned its kept handle, and its locker then met the
     * removed set and re-made the key file, elsewhere: NotFound while C was attached.
     */
    @Test
    void anOwnerWithAKeptHandleMayStillRemakeTheKeyFileInItsLocker() {
        List<ModelOp> history = List.of(Ops.create("B", "k", 8), Ops.failed(Ops.create("A", "k", 8), "AlreadyExists"),
                Ops.call("B", "detach"), Ops.create("B", "k", 8), Ops.attach("C", "k"));
        ModelOp aAttaches = Ops.failed(Ops.attach("A", "k"), "NotFound");
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, aAttaches));
        // A never owned k's set: its locker meets no removed set of its own.
        List<ModelOp> notAnOwner = List.of(Ops.create("B", "k", 8), Ops.attach("A", "k"), Ops.call("A", "detach"),
                Ops.call("B", "detach"), Ops.create("B", "k", 8), Ops.attach("C", "k"));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, notAnOwner, aAttaches));
    }

    /**
     * Fuzz qt68-sysv-safe and -native seed 311160 (3/3 on real Qt 6.8.2): C's attach of k_1 keyed a file on the inode of
     * k's, which went with A's detach while A kept (and held) k's set, and waited on it; B's create of k then re-made k's
     * file while C waited. The wait is judged where the engine gave up, after B's create: its keying, placed before it,
     * says which set it met.
     */
    @Test
    void aWaitOnANamelessSetOutlivesTheKeysNewFile() {
        ModelOp keying = new ModelOp("C", SegmentModel.ATTACH_KEYED, "k_1", 12, null, "ReadWrite", null, null, null, Outcome.OK,
                null, null, SPACE, null);
        List<ModelOp> history = new java.util.ArrayList<>(HELD_AFTER_THE_KEY_FILE_WENT);
        history.addAll(List.of(keying, create("B", "k")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, history, blocked(attach("C", "k_1"))));
        // Its keying after B's create (k's file there again, on its own inode): nothing to wait on.
        List<ModelOp> keyedAfter = new java.util.ArrayList<>(HELD_AFTER_THE_KEY_FILE_WENT);
        keyedAfter.addAll(List.of(create("B", "k"), keying));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, keyedAfter, blocked(attach("C", "k_1"))));
    }

    /**
     * Fuzz qt68-sysv seed 320979 (3/3 on real Qt 6.8.2): an attached object's attach() returns false before initKey, so
     * it re-opens nothing: the set B's re-key removed under C stays removed, and C's create(0) fails on it.
     */
    @Test
    void anAttachedObjectsAttachLeavesItsRemovedSetRemoved() {
        List<ModelOp> history = List.of(Ops.failed(Ops.attach("B", "k"), "NotFound"), Ops.create("C", "k", 8),
                Ops.create("B", "k-1", 8), Ops.failed(Ops.attach("C", "k"), "NoError"));
        assertTrue(Ops.legal(QT68_SYSV, history, Ops.failed(Ops.create("C", "k", 0), "UnknownError")));
        // A lock re-opens it (modifySemaphore): the create(0) is refused for its size only.
        List<ModelOp> locked = List.of(Ops.failed(Ops.attach("B", "k"), "NotFound"), Ops.create("C", "k", 8),
                Ops.create("B", "k-1", 8), Ops.call("C", "lock"), Ops.call("C", "unlock"));
        assertTrue(Ops.legal(QT68_SYSV, locked, Ops.failed(Ops.create("C", "k", 0), "InvalidSize")));
    }

    /**
     * Fuzz qt68-sysv seed 325164 (3/3 on real Qt 6.8.2): A's kept handle named B's segment, gone with C's create, whose
     * fresh segment came back on the old inode; A's attach cleaned its handle while C's segment lived (and let go), then
     * waited behind C's lock; C's last detach removed the segment and its file: NotFound.
     */
    @Test
    void aKeptHandleThatMayBeStaleMayLetGoBeforeAPeersLastDetach() {
        ModelOp aAttaches = Ops.failed(Ops.attach("A", "k"), "NotFound");
        ModelOp aCleans = new ModelOp("A", SegmentModel.HANDLE_CLEANED, aAttaches.args(), aAttaches.realKeyLength(), Outcome.OK,
                null, null, aAttaches.space(), null);
        List<ModelOp> history = new ArrayList<>(List.of(Ops.create("B", "k", 8), Ops.failed(Ops.create("C", "k", 8), "AlreadyExists"),
                Ops.failed(Ops.create("A", "k", 8), "AlreadyExists"), Ops.kill("B"), Ops.create("C", "k", 8), Ops.call("C", "lock")));
        List<ModelOp> cleanedFirst = new ArrayList<>(history);
        cleanedFirst.addAll(List.of(aCleans, Ops.call("C", "detach")));
        assertTrue(Ops.legal(QT68_SYSV, cleanedFirst, aAttaches));
        List<ModelOp> detachedFirst = new ArrayList<>(history);
        detachedFirst.add(Ops.call("C", "detach"));
        assertFalse(Ops.legal(QT68_SYSV, detachedFirst, aAttaches), "taken whole after the detach, the handle is surely stale");
        assertFalse(Ops.legal(QT68_SYSV, detachedFirst, aCleans), "no segment left: its cleanHandle fails the call");
    }

    /**
     * Fuzz qt68-sysv-native seed 335483 (3/3 on real Qt 6.8.2): B's kept handle is the ftok value of k's first file; C's
     * create re-made k's file elsewhere and left A's segment nameless, which B's handle still names: B's attach removed
     * A's segment in its cleanHandle and attached C's.
     */
    @Test
    void aKeptHandleFollowsTheSegmentItNamedWhenItIsLeftNameless() {
        List<ModelOp> history = List.of(Ops.failed(Ops.create("C", "k", 0), "InvalidSize"), Ops.failed(Ops.attach("B", "k"), "NotFound"),
                Ops.create("A", "k", 40), Ops.call("A", "lock"), Ops.failed(Ops.create("B", "k", 64), "AlreadyExists"),
                Ops.kill("A"), Ops.create("C", "k", 64), Ops.kill("C"), Ops.attach("B", "k"));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.value("B", "size", "64")));
    }

    /**
     * Fuzz qt68-sysv-safe seed 384255 (3/3 on real Qt 6.8.2): A's re-key from k (which it owned since its create in Create
     * mode) removed k's set and unlinked k's file; j's file took its inode, so A's attach of j made j's set (A owns it) and
     * reached B's segment. C's create of j opened that set in Create mode (C owns it too). A's create of j is the key A was
     * given, in Create mode: its cleanHandle removed the set under C, and C's next create failed on it ("unable to set key
     * on lock (QSystemSemaphore::cleanHandle: unknown error: Invalid argument)"). The set is the one of A's key j, not of
     * k, the segment's.
     */
    @Test
    void aCreateOfTheKeyAnObjectReachedAnotherKeysSegmentThroughRemovesThatKeysSet() {
        List<ModelOp> history = List.of(Ops.create("B", "k", 8), Ops.failed(Ops.create("A", "k", 8), "AlreadyExists"),
                Ops.attachReadOnly("A", "j"), Ops.failed(Ops.create("C", "j", 8), "AlreadyExists"),
                Ops.failed(Ops.create("A", "j", 8), "AlreadyExists"));
        ModelOp cCreates = Ops.failed(Ops.create("C", "j", 8), "UnknownError");
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, cCreates));
        // Without A's create of j nobody removed C's set.
        assertFalse(Ops.legal(QT68_SYSV_SAFE, history.subList(0, 4), cCreates));
        // A's Create mode made a fresh set of its own (nothing removed under A), and D owns no set of j at all.
        assertFalse(Ops.legal(QT68_SYSV_SAFE, history, Ops.failed(Ops.create("A", "j", 8), "UnknownError")));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, history, Ops.failed(Ops.create("D", "j", 8), "UnknownError")));
    }

    /**
     * Fuzz qt68-sysv-native seed 395002 (3/3 on real Qt 6.8.2): j's key file took the inode of k-1's, which B's last
     * detach unlinked while B kept k-1's set, so C's create of j opened B's set in Create mode (C owns it, and j's file);
     * B's re-key from k-1 to j removed that set. C's detach, with A still attached, met the removed set in its locker:
     * modifySemaphore's cleanHandle unlinked j's file and handle() made it again, on another inode, so A's segment lost
     * its name and B's attach of j found nothing.
     */
    @Test
    void aDetachWhoseLockerMetItsRemovedSetMayRemakeTheKeyFileUnderTheOthers() {
        List<ModelOp> history = List.of(Ops.failed(Ops.create("A", "k", 0), "InvalidSize"), Ops.create("B", "k-1", 8),
                Ops.call("B", "detach"), Ops.create("C", "j", 8), Ops.attach("A", "j"), Ops.attach("B", "j"),
                Ops.call("B", "detach"), Ops.call("C", "detach"));
        ModelOp bAttaches = Ops.failed(Ops.attachReadOnly("B", "j"), "NotFound");
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, bAttaches));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.attachReadOnly("B", "j")), "the file may be back on its inode");
        // Before C's detach nobody re-made j's file.
        assertFalse(Ops.legal(QT68_SYSV_SAFE, history.subList(0, 7), bAttaches));
        // A only opened the set (no file of its own to unlink): its locker re-makes nothing.
        List<ModelOp> aDetaches = new ArrayList<>(history.subList(0, 7));
        aDetaches.add(Ops.call("A", "detach"));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, aDetaches, bAttaches));
        // D never owned k-1's set: nobody removed C's, and C's detach leaves j's file alone.
        List<ModelOp> notRemoved = List.of(Ops.failed(Ops.create("A", "k", 0), "InvalidSize"), Ops.create("B", "k-1", 8),
                Ops.call("B", "detach"), Ops.create("C", "j", 8), Ops.attach("A", "j"), Ops.attach("D", "j"),
                Ops.call("D", "detach"), Ops.call("C", "detach"));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, notRemoved, Ops.failed(Ops.attachReadOnly("D", "j"), "NotFound")));
        // Legacy keys: the set's file is its own, the segment's stays.
        assertFalse(Ops.legal(QT68_SYSV, history, bAttaches));
    }

    /**
     * Fuzz qt68-sysv-safe seed 395663 (3/3 on real Qt 6.8.2): B reached C's segment of k through k_1's file (its re-key
     * unlinked k's, k_1's took the inode), and its create(0) of k_1 dropped its handle. C's create of k made a fresh
     * segment and left the old one nameless with B attached; B's re-key to j detached without a handle, so the old
     * segment outlived its last detach, and j's file took the inode of k_1's, which that re-key unlinked: AlreadyExists.
     */
    @Test
    void aHandleDroppedByACreateOfSizeZeroStaysDroppedWhenItsSegmentIsLeftNameless() {
        List<ModelOp> history = List.of(Ops.create("C", "k", 8), Ops.failed(Ops.create("B", "k", 8), "AlreadyExists"),
                Ops.attachReadOnly("B", "k_1"), Ops.failed(Ops.create("B", "k_1", 0), "InvalidSize"), Ops.call("C", "detach"),
                Ops.create("C", "k", 8));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.failed(Ops.create("B", "j", 8), "AlreadyExists")));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.create("B", "j", 8)));
        // With its handle B's re-key is the old segment's last detach, which removes it: j is free.
        List<ModelOp> handleKept = List.of(Ops.create("C", "k", 8), Ops.failed(Ops.create("B", "k", 8), "AlreadyExists"),
                Ops.attachReadOnly("B", "k_1"), Ops.call("C", "detach"), Ops.create("C", "k", 8));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, handleKept, Ops.failed(Ops.create("B", "j", 8), "AlreadyExists")));
    }

    /**
     * Fuzz qt68-sysv-native seed 442978 (3/3 on real Qt 6.8.2): B's last detach took k's key file, B's object kept k's
     * set; A's attach of k-1 made k-1's file on k's freed inode (A made the file, opened B's set). B's create(0) of k-1
     * re-keyed B from k, removing that set, and its Create mode made a fresh one on A's file of k-1. A's re-key to j
     * unlinked k-1's file (A made it) and removed no set of B's (its own was gone); j's file took the freed inode and
     * reached B's fresh set, which B then locked: A's detach waited in its locker.
     */
    @Test
    void aReKeysNewKeyFileMayReachTheFreshSetAnotherMadeOnTheFileItUnlinked() {
        List<ModelOp> history = List.of(Ops.create("B", "k", 8), Ops.call("B", "detach"), Ops.failed(Ops.attach("A", "k-1"), "NotFound"),
                Ops.failed(Ops.create("B", "k-1", 0), "InvalidSize"), Ops.create("A", "j", 8), Ops.call("B", "lock"));
        ModelOp aDetaches = Ops.blocked(Ops.call("A", "detach"));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, aDetaches));
        // k's segment and file still there at A's attach: k-1's file had an inode of its own, A made its set, and A's
        // re-key removed it under B (the set B's Create mode had opened).
        List<ModelOp> kStillNamed = List.of(Ops.create("B", "k", 8), Ops.failed(Ops.attach("A", "k-1"), "NotFound"),
                Ops.failed(Ops.create("B", "k-1", 0), "InvalidSize"), Ops.create("A", "j", 8), Ops.call("B", "lock"));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, kStillNamed, aDetaches));
        // B keyed k-1 first: the file is B's, A only opened B's set, and A's re-key unlinks nothing.
        List<ModelOp> bFirst = List.of(Ops.create("B", "k", 8), Ops.call("B", "detach"), Ops.failed(Ops.create("B", "k-1", 0), "InvalidSize"),
                Ops.failed(Ops.attach("A", "k-1"), "NotFound"), Ops.create("A", "j", 8), Ops.call("B", "lock"));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, bFirst, aDetaches));
        // C, with no old key file to unlink, makes j's file on an inode of its own.
        List<ModelOp> cCreates = List.of(Ops.create("B", "k", 8), Ops.call("B", "detach"), Ops.failed(Ops.attach("A", "k-1"), "NotFound"),
                Ops.failed(Ops.create("B", "k-1", 0), "InvalidSize"), Ops.create("C", "j", 8), Ops.call("B", "lock"));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, cCreates, Ops.blocked(Ops.call("C", "detach"))));
        // The documentation: another key's lock never stops a detach.
        assertFalse(Ops.legal(Profile.DOCUMENTED, history, aDetaches));
    }

    /**
     * Fuzz qt68-sysv-native seed 461957 (3/3 on real Qt 6.8.2): A's create(0) of k keyed k's set in Create mode (A owns
     * it and k's file); A's re-key to k_1 unlinked k's file and k_1's took the inode: AlreadyExists, A keeps a handle to
     * C's segment. B's create of k made a new file and a fresh 64-byte segment (C's left nameless), B's create(0) of k
     * dropped its handle and re-made k's file; B's attach of k_1 (its re-key removes nothing) went through A's file of
     * k_1, which the kept handle shows is on the old inode: C's 8 bytes, so a read at 14 is outside them.
     */
    @Test
    void aKeyFileAKeptHandleShowsOnANamelessSegmentsInodeReachesThatSegment() {
        List<ModelOp> history = List.of(Ops.create("C", "k", 8), Ops.failed(Ops.create("A", "k", 0), "InvalidSize"),
                Ops.failed(Ops.create("A", "k_1", 8), "AlreadyExists"), Ops.create("B", "k", 64),
                Ops.failed(Ops.create("B", "k", 0), "InvalidSize"), Ops.attachReadOnly("B", "k_1"));
        ModelOp outside = Ops.failed(Ops.read("B", 14, "abcd"), "InvalidSize");
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, outside));
        // A's failed create was of j: k_1's new file may still take C's old inode. The model once ruled that out (j's file
        // held it, as A's kept handle seemed to show) and called real histories FAIL (seeds 1031869, 1033619).
        List<ModelOp> otherKey = List.of(Ops.create("C", "k", 8), Ops.failed(Ops.create("A", "k", 0), "InvalidSize"),
                Ops.failed(Ops.create("A", "j", 8), "AlreadyExists"), Ops.create("B", "k", 64),
                Ops.failed(Ops.create("B", "k", 0), "InvalidSize"), Ops.attachReadOnly("B", "k_1"));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, otherKey, outside));
        // Legacy keys: A's re-key unlinks the set's own file, k's segment keeps its name, and k_1's file is a new one.
        assertFalse(Ops.legal(QT68_SYSV, history.subList(0, 2), Ops.failed(Ops.create("A", "k_1", 8), "AlreadyExists")));
    }

    /**
     * Fuzz qt68-sysv-native seed 1014355 (3/3 on real Qt 6.8.2; strace of the replay): C create k-1; B create k (200
     * bytes); A create k → AlreadyExists; C detach (k-1's file unlinked); A create k → true (its kept handle's
     * cleanHandle unlinked k's file under B's segment; the new file took k-1's freed inode: a fresh 8-byte segment, B's
     * left nameless); A create k → AlreadyExists (k's file unlinked and made again, on its own inode); C attach k-1 →
     * true: k-1's new file took the inode of k's first file, so C is on B's 200 bytes and a read at 62 succeeds. The
     * model offered only the first nameless name in order (A's 8 bytes).
     */
    @Test
    void aNewKeyFileMayTakeTheInodeOfAnyNamelessSegmentNotOnlyTheFirst() {
        List<ModelOp> history = List.of(Ops.create("C", "k-1", 8), Ops.create("B", "k", 200),
                Ops.failed(Ops.create("A", "k", 8), "AlreadyExists"), Ops.call("C", "detach"), Ops.create("A", "k", 8),
                Ops.failed(Ops.create("A", "k", 8), "AlreadyExists"), Ops.attachReadOnly("C", "k-1"));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.read("C", 62, "\0\0\0\0")), "B's 200 bytes");
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.failed(Ops.read("C", 62, "\0\0\0\0"), "InvalidSize")),
                "or A's 8, had k's file taken another inode");
        // B's segment of 8 bytes too: no nameless segment C could be on holds byte 62.
        List<ModelOp> small = List.of(Ops.create("C", "k-1", 8), Ops.create("B", "k", 8),
                Ops.failed(Ops.create("A", "k", 8), "AlreadyExists"), Ops.call("C", "detach"), Ops.create("A", "k", 8),
                Ops.failed(Ops.create("A", "k", 8), "AlreadyExists"), Ops.attachReadOnly("C", "k-1"));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, small, Ops.read("C", 62, "\0\0\0\0")));
        // Nothing left nameless (A never created again): C's attach of k-1 finds nothing to reach.
        assertFalse(Ops.legal(QT68_SYSV_SAFE, history.subList(0, 4), Ops.attachReadOnly("C", "k-1")));
    }

    /**
     * Fuzz qt68-sysv-safe seed 4102369 (3/3 on real Qt 6.8.2, strace): B create k; B detach (k's file goes); C create k-1
     * (its file on k's freed inode, B's set of k opened in Create mode); A create k (a new file, A's 200 bytes); B
     * create(0) k-1 → InvalidSize (B's re-key unlinked the file at k's path, A's; B owns k-1's set now); B attach k →
     * true: its re-key unlinked C's file of k-1, and k's new file took that inode: C's 8 bytes, so a read at 148 fails.
     */
    @Test
    void anAttachOfAKeyWhoseSegmentLostItsFileMayReachAnotherNamelessSegment() {
        List<ModelOp> history = List.of(Ops.create("B", "k", 8), Ops.call("B", "detach"), Ops.create("C", "k-1", 8),
                Ops.create("A", "k", 200), Ops.failed(Ops.create("B", "k-1", 0), "InvalidSize"), Ops.attach("B", "k"));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.failed(Ops.read("B", 148, "\0"), "InvalidSize")), "C's 8 bytes");
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.read("B", 148, "\0")), "or A's 200, had the inode come back");
        assertFalse(Ops.legal(QT68_SYSV_SAFE, history, Ops.failed(Ops.read("B", 4, "\0"), "InvalidSize")),
                "no segment it may be on is under 5 bytes");
        // Without B's create(0) of k-1 nobody unlinked a file: B's attach of k finds A's 200 bytes.
        List<ModelOp> noRekey = List.of(Ops.create("B", "k", 8), Ops.call("B", "detach"), Ops.create("C", "k-1", 8),
                Ops.create("A", "k", 200), Ops.attach("B", "k"));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, noRekey, Ops.failed(Ops.read("B", 148, "\0"), "InvalidSize")));
    }

    /**
     * Fuzz qt68-sysv-native seed 4102241 (once in a campaign, 0/3 in replays): C's lock met its set removed under it (B's
     * create of k removed the set B and C had, k_1's file being on k's freed inode), and its semop's cleanHandle unlinked
     * k_1's file and made it again, here on B's freed inode: C's segment lost its name, and A's new file of k took its
     * inode after C was killed.
     */
    @Test
    void aLockThatMetItsRemovedSetMayRemakeTheKeyFile() {
        List<ModelOp> history = List.of(Ops.create("B", "k", 100), Ops.call("B", "detach"), Ops.create("C", "k_1", 40),
                Ops.failed(Ops.attach("B", "k"), "NotFound"), Ops.create("B", "k", 64), Ops.call("B", "detach"),
                Ops.call("C", "lock"), Ops.call("C", "unlock"), Ops.kill("C"));
        ModelOp aCreates = Ops.failed(Ops.create("A", "k", 64), "AlreadyExists");
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, aCreates), "k's new file on the inode of C's first file of k_1");
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.create("A", "k", 64)), "or C's file came back on its inode");
        // Nobody removed C's set (no create of k by B): C's lock re-makes nothing, nothing is nameless.
        List<ModelOp> notRemoved = List.of(Ops.create("B", "k", 100), Ops.call("B", "detach"), Ops.create("C", "k_1", 40),
                Ops.failed(Ops.attach("B", "k"), "NotFound"), Ops.call("C", "lock"), Ops.call("C", "unlock"), Ops.kill("C"));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, notRemoved, aCreates));
        // No semop by C after the removal: its file of k_1 stays.
        assertFalse(Ops.legal(QT68_SYSV_SAFE, history.subList(0, 6), aCreates));
    }

    /**
     * Fuzz qt68-sysv-safe seed 1033619 (3/3 on real Qt 6.8.2): B create k; A create k → AlreadyExists; A create k_1 →
     * AlreadyExists (A's re-key unlinked k's file under B's segment, k_1's took its inode); C create k_1 → AlreadyExists;
     * C attach k-1 → true: k-1's new file reached a segment left nameless although A's kept handle was of k_1's file.
     */
    @Test
    void aKeptHandleOfAThirdKeyDoesNotKeepANewKeyFileOffANamelessSegment() {
        List<ModelOp> history = List.of(Ops.create("B", "k", 8), Ops.failed(Ops.create("A", "k", 8), "AlreadyExists"),
                Ops.failed(Ops.create("A", "k_1", 8), "AlreadyExists"), Ops.failed(Ops.create("C", "k_1", 8), "AlreadyExists"));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.attach("C", "k-1")));
        // Without A's re-key nothing is nameless: C's attach of k-1 has nothing to reach.
        assertFalse(Ops.legal(QT68_SYSV_SAFE, history.subList(0, 2), Ops.attach("C", "k-1")));
    }

    /**
     * Fuzz qt68-sysv-native seed 474301 (3/3 on real Qt 6.8.2): B's create(0) of k made B an owner of A's set and k's
     * file (Create mode); A's last detach unlinked k's file, A's create of k removed that set and made k's file and a
     * segment again; C's last detach unlinked k_1's file, C kept its set and locked it. B's attach of k never returned
     * (killed): its setNativeKey returned early (same key, Open mode), its locker met the removed set, and
     * modifySemaphore's cleanHandle unlinked A's file of k (createdFile) before handle() made it again, on k_1's freed
     * inode, and waited on C's set. C's create of k_1 made k_1's file on the inode of A's unlinked one: AlreadyExists.
     */
    @Test
    void anAttachThatNeverReturnedMayHaveRemadeTheKeyFileInItsLocker() {
        ModelOp bKeys = new ModelOp("B", SegmentModel.ATTACH_KEYED, "k", 12, null, "ReadWrite", null, null, null, Outcome.OK,
                null, null, SPACE, null);
        List<ModelOp> history = List.of(Ops.create("C", "k_1", 8), Ops.create("A", "k", 8),
                Ops.failed(Ops.create("B", "k", 0), "InvalidSize"), Ops.call("A", "detach"), Ops.create("A", "k", 8),
                Ops.call("C", "detach"), Ops.call("C", "lock"), bKeys, Ops.kill("B"));
        ModelOp cCreates = Ops.failed(Ops.create("C", "k_1", 8), "AlreadyExists");
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, cCreates));
        // Without B's attach (or before it ran its locker) nothing unlinked A's file: k_1 is a new key.
        List<ModelOp> noAttach = List.of(Ops.create("C", "k_1", 8), Ops.create("A", "k", 8),
                Ops.failed(Ops.create("B", "k", 0), "InvalidSize"), Ops.call("A", "detach"), Ops.create("A", "k", 8),
                Ops.call("C", "detach"), Ops.call("C", "lock"), Ops.kill("B"));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, noAttach, cCreates));
        // B's create(0) after A's create of k: B owns the set A made, nothing removed under B, its locker re-makes nothing.
        List<ModelOp> bOwnsTheLiveSet = List.of(Ops.create("C", "k_1", 8), Ops.create("A", "k", 8), Ops.call("A", "detach"),
                Ops.create("A", "k", 8), Ops.failed(Ops.create("B", "k", 0), "InvalidSize"), Ops.call("C", "detach"),
                Ops.call("C", "lock"), bKeys, Ops.kill("B"));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, bOwnsTheLiveSet, cCreates));
        // Legacy keys: B's locker unlinks the set's own file, and k's segment keeps its name.
        assertFalse(Ops.legal(QT68_SYSV, history, cCreates));
    }

    /**
     * From fuzz qt68-sysv-native seed 943925 (3/3) on real Qt 6.8.2, key files on ext4: C's create of k while B was attached
     * failed (AlreadyExists: its Create mode removed its set and re-made k's file on the freed inode) and kept the handle;
     * after B's death C's attach ran initKey's QSharedMemorySystemV::cleanHandle, which found nattch 0, removed the
     * segment and unlinked k's file, the set's file too (native key), while C's set lived on; the attach then failed in
     * QSharedMemorySystemV::handle's ftok ("QSharedMemory::handle: doesn't exist"). A's attach of k made the file again
     * (QSystemSemaphoreSystemV::handle: createdFile) and found no segment; C's create of k unlinked A's file and made a
     * segment on a file it made again; A's re-key to k_1 unlinked whatever file was under k's name (C's), and k_1's file
     * took its inode: A's create of k_1 met C's segment (AlreadyExists).
     */
    @Test
    void aKeptHandlesRemovalUnlinksTheKeyFileAnAttachThenMakesAndItsReKeyUnlinks() {
        List<ModelOp> history = List.of(Ops.create("C", "k", 8), Ops.attachReadOnly("B", "k"), Ops.call("C", "detach"),
                Ops.failed(Ops.create("C", "k", 8), "AlreadyExists"), Ops.kill("B"), Ops.failed(Ops.attach("C", "k"), "NotFound"),
                Ops.failed(Ops.attach("A", "k"), "NotFound"), Ops.create("C", "k", 8));
        ModelOp aCreates = Ops.failed(Ops.create("A", "k_1", 8), "AlreadyExists");
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, aCreates));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.create("A", "k_1", 8)), "or k_1's file is on another inode");
        // A never attached k: it made no file of k's, and its keying of k_1 unlinks nothing under C's segment.
        List<ModelOp> noAttach = List.of(Ops.create("C", "k", 8), Ops.attachReadOnly("B", "k"), Ops.call("C", "detach"),
                Ops.failed(Ops.create("C", "k", 8), "AlreadyExists"), Ops.kill("B"), Ops.failed(Ops.attach("C", "k"), "NotFound"),
                Ops.create("C", "k", 8));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, noAttach, aCreates));
        // A's failed attach was of another key: the file it made is m's, and its re-key unlinks that one.
        List<ModelOp> otherKey = List.of(Ops.create("C", "k", 8), Ops.attachReadOnly("B", "k"), Ops.call("C", "detach"),
                Ops.failed(Ops.create("C", "k", 8), "AlreadyExists"), Ops.kill("B"), Ops.failed(Ops.attach("C", "k"), "NotFound"),
                Ops.failed(Ops.attach("A", "m"), "NotFound"), Ops.create("C", "k", 8));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, otherKey, aCreates));
        // Legacy keys: the segment's key file is not the set's, and A's re-key unlinks only the set's own file.
        assertFalse(Ops.legal(QT68_SYSV, history, aCreates));
    }

    /**
     * Fuzz qt68-sysv-native seed 4956 (a mutant of a 64-step campaign, 3/3 and again in replay on real Qt 6.8.2, shrunk to
     * 19 steps): B's last detach took k's key file, B keeps k's set and, later, its lock; A's attach of k made the file
     * again in its initKey (createdFile) and waited in its locker behind B; C's create of k made its segment on A's file
     * (and its Create mode let A's locker in): A attached. A's detach left C attached; A's re-key to j unlinked k's file
     * (A made it), j's new file took the freed inode: A's attach of j reached C's segment. The checker places the keying
     * in the attach's interval where a create of the key overlaps it ({@link SegmentModel#ATTACH_KEYED}).
     */
    @Test
    void anAttachWhoseKeyingMadeTheKeyFileUnlinksItUnderTheSegmentMadeOnItMeanwhile() {
        ModelOp aAttaches = attach("A", "k");
        ModelOp aKeyed = new ModelOp("A", SegmentModel.ATTACH_KEYED, "k", 12, null, "ReadWrite", null, null, null, Outcome.OK,
                null, null, SPACE, null);
        ModelOp aAttachesJ = attach("A", "j");
        List<ModelOp> keyedBeforeTheCreate = List.of(create("B", "k"), op("B", "detach"), op("B", "lock"), aKeyed,
                create("C", "k"), aAttaches, op("A", "detach"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, keyedBeforeTheCreate, aAttachesJ));
        // Keyed after C's create: the file was C's, A's re-key unlinks nothing, and j's file cannot reach C's segment.
        List<ModelOp> keyedAfterTheCreate = List.of(create("B", "k"), op("B", "detach"), op("B", "lock"), create("C", "k"),
                aKeyed, aAttaches, op("A", "detach"));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, keyedAfterTheCreate, aAttachesJ));
        // B never detached: k's segment and file are there at A's keying, A made nothing, and j's file reaches neither
        // B's segment nor C's of k-1.
        List<ModelOp> fileThere = List.of(create("B", "k"), op("B", "lock"), create("C", "k-1"), aKeyed, aAttaches,
                op("A", "detach"));
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, fileThere, aAttachesJ));
        // Legacy keys give the set a file of its own, and the documentation has no key files at all.
        assertFalse(SegmentModelTest.legal(QT68_SYSV, keyedBeforeTheCreate, aAttachesJ));
        assertFalse(SegmentModelTest.legal(Profile.DOCUMENTED, keyedBeforeTheCreate, aAttachesJ));
    }

    /**
     * Fuzz qt68-sysv-safe seed 4598 (a mutant of a 64-step campaign, 3/3 on real Qt 6.8.2, shrunk to 7 steps): A's attach
     * of k made k's file and set (NotFound); B's create of k made its segment on that file; A's attach of j unlinked k's
     * file and removed k's set (its re-key), and j's file took the freed inode: A attached to B's segment and owns j's
     * fresh set. After A's detach its object is still keyed j: C's second Create-mode keying of j removed A's set, so A's
     * create of k fails in the IPC_RMID of its re-key's cleanHandle (UnknownError). Keyed k after the detach, A owned no
     * removed set, and only AlreadyExists was allowed.
     */
    @Test
    void aDetachedObjectKeepsTheKeyItReachedItsSegmentThrough() {
        List<ModelOp> history = List.of(fail(attach("A", "k"), "NotFound"), create("B", "k"), attach("A", "j"), op("A", "detach"),
                fail(sized(create("C", "j"), 0), "InvalidSize"), fail(create("C", "j"), "AlreadyExists"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, history, fail(create("A", "k"), "UnknownError")));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, history, fail(create("A", "k"), "AlreadyExists")));
        // Without C's second keying of j nobody removed A's set: its cleanHandle succeeds.
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, history.subList(0, 5), fail(create("A", "k"), "UnknownError")));
        // The documentation: an attach of a key nobody made finds nothing.
        assertFalse(SegmentModelTest.legal(Profile.DOCUMENTED, history.subList(0, 2), attach("A", "j")));
    }

    /**
     * Fuzz qt68-sysv-safe seed 7629 (3/3 on real Qt 6.8.2, shrunk to 9 steps): B's create(0) of k_1 re-keyed it from k,
     * unlinking k's file under A's segment; B's create of k_1 in Create mode unlinked k_1's file under C's segment and
     * made it again on k's freed inode, so the handle its AlreadyExists kept is A's segment. Once A was killed, B's attach
     * of k_1 cleaned that handle: it removed A's segment and unlinked the file at k_1's path, under C's segment, whose
     * detach then found no file to unlink (false, NoError). The checker places the clean-up in the attach's interval
     * ({@link SegmentModel#HANDLE_CLEANED}).
     */
    @Test
    void aHandleKeptOnARemadeKeyFileMayRemoveAnotherKeysNamelessSegment() {
        ModelOp bAttaches = fail(attach("B", "k_1"), "NotFound");
        ModelOp bCleans = new ModelOp("B", SegmentModel.HANDLE_CLEANED, "k_1", 12, null, "ReadWrite", null, null, null,
                Outcome.OK, null, null, SPACE, null);
        ModelOp cDetachFails = fail(op("C", "detach"), "NoError");
        List<ModelOp> kept = List.of(create("A", "k"), create("C", "k_1"), fail(create("B", "k"), "AlreadyExists"),
                fail(sized(create("B", "k_1"), 0), "InvalidSize"), fail(create("B", "k_1"), "AlreadyExists"), op("C", "lock"));
        List<ModelOp> aKilled = new java.util.ArrayList<>(kept);
        aKilled.addAll(List.of(kill("A"), bCleans));
        assertTrue(SegmentModelTest.legal(QT68_SYSV_SAFE, aKilled, cDetachFails));
        // A still attached: the handle's clean-up removes nothing and unlinks nothing, and C's last detach finds its file.
        List<ModelOp> aAlive = new java.util.ArrayList<>(kept);
        aAlive.add(bCleans);
        assertFalse(SegmentModelTest.legal(QT68_SYSV_SAFE, aAlive, cDetachFails));
        // The documentation: a detach of an attached object succeeds.
        assertFalse(SegmentModelTest.legal(Profile.DOCUMENTED, List.of(create("C", "k_1")), cDetachFails));
    }

    /**
     * Fuzz qt68-sysv-safe seed 31860 (3/3 on real Qt 6.8.2, shrunk to 9 steps; the whole history in
     * RealQtHistoriesTest): A2's last detach unlinked k-1's key file, the one it reached C's segment through, while A's
     * and A2's objects keep k-1's set open; B's create of k makes k's file anew (A's re-key had unlinked it), which may
     * take that freed inode, and its Create mode sets the set A2 holds back to 1: A, waiting, gets the lock.
     */
    @Test
    void aLastDetachThroughAnotherKeysFileLeavesThatKeysSetNameless() {
        List<ModelOp> held = new ArrayList<>(List.of(Ops.create("C", "k", 8), Ops.failed(Ops.create("A", "k", 0), "InvalidSize"),
                Ops.kill("C"), Ops.failed(Ops.create("A", "k-1", 8), "AlreadyExists"), Ops.attach("A2", "k-1"),
                Ops.call("A2", "detach"), Ops.call("A2", "lock")));
        ModelOp bCreates = Ops.create("B", "k", 8);
        List<ModelOp> keyed = new ArrayList<>(held);
        keyed.add(new ModelOp(bCreates.process(), SegmentModel.CREATE_KEYED, bCreates.args(), bCreates.realKeyLength(),
                bCreates.outcome(), null, null, bCreates.space(), bCreates.user()));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, keyed, Ops.call("A", "lock")));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, held, Ops.call("A", "lock")), "before B keyed k, A2's lock still excludes");
        // Where A2 had reached a segment of its own key, its last detach's file was k-1's own: nothing of another key.
        List<ModelOp> ownKey = List.of(Ops.create("A", "k-1", 8), Ops.attach("A2", "k-1"), Ops.call("A", "detach"),
                Ops.call("A2", "detach"), Ops.call("A2", "lock"), new ModelOp("B", SegmentModel.CREATE_KEYED, bCreates.args(),
                        bCreates.realKeyLength(), bCreates.outcome(), null, null, bCreates.space(), null));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, ownKey, Ops.call("C", "lock")), "C never opened k-1's set");
    }

    /**
     * Fuzz qt68-sysv-safe seed 6452 (3/3 on real Qt 6.8.2, shrunk to 7 steps; the whole history in RealQtHistoriesTest):
     * C's failed create kept a handle, an ftok value of k's first file; A's re-key removed k's segment and unlinked its
     * file, and k-1's new file took that inode. With A dead and nobody attached, C's next create of k cleans its handle
     * first: it removes k-1's segment, then fails to unlink k's missing file, so the create returns false with the old
     * AlreadyExists. As with legacy keys (qt68-sysv seed 471876).
     */
    @Test
    void aKeptHandleMayRemoveAnotherKeysSegmentAndFailOnItsOwnMissingKeyFileWithSafeKeys() {
        List<ModelOp> history = List.of(Ops.create("A", "k", 8), Ops.failed(Ops.create("C", "k", 8), "AlreadyExists"),
                Ops.create("A", "k-1", 8), Ops.kill("A"), Ops.failed(Ops.create("C", "k", 8), "AlreadyExists"),
                Ops.failed(Ops.attach("C", "k"), "NotFound"));
        ModelOp cAttachesKMinus1 = Ops.failed(Ops.attach("C", "k-1"), "NotFound");
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, cAttachesKMinus1));
        // Another object sees the same: the segment is gone (or, where the file was made again, nothing was removed).
        ModelOp bAttachesKMinus1 = Ops.failed(Ops.attach("B", "k-1"), "NotFound");
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, bAttachesKMinus1));
        assertTrue(Ops.legal(QT68_SYSV_SAFE, history, Ops.attach("B", "k-1")));
        // Without C's second create, nothing cleaned the kept handle: the crashed holder's segment survives.
        List<ModelOp> notCleaned = List.of(Ops.create("A", "k", 8), Ops.failed(Ops.create("C", "k", 8), "AlreadyExists"),
                Ops.create("A", "k-1", 8), Ops.kill("A"));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, notCleaned, bAttachesKMinus1));
        // A alive and attached to k-1's segment: nattch is not 0, cleanHandle leaves it.
        List<ModelOp> attached = List.of(Ops.create("A", "k", 8), Ops.failed(Ops.create("C", "k", 8), "AlreadyExists"),
                Ops.create("A", "k-1", 8), Ops.failed(Ops.create("C", "k", 8), "AlreadyExists"));
        assertFalse(Ops.legal(QT68_SYSV_SAFE, attached, bAttachesKMinus1));
    }

    private static ModelOp create(String p, String key) {
        return new ModelOp(p, "create", key, 12, 64L, "ReadWrite", null, null, null, Outcome.OK, "NoError", null, SPACE, null);
    }

    private static ModelOp attach(String p, String key) {
        return new ModelOp(p, "attach", key, 12, null, "ReadWrite", null, null, null, Outcome.OK, "NoError", null, SPACE, null);
    }

    private static ModelOp kill(String p) {
        return new ModelOp(p, "kill", null, 0, null, null, null, null, null, Outcome.DEATH, null, null, SPACE, null);
    }

    private static ModelOp sized(ModelOp o, long size) {
        return new ModelOp(o.process(), o.f(), o.key(), o.realKeyLength(), size, o.mode(), o.offset(), o.length(), o.dataHex(),
                o.outcome(), o.error(), null, o.space(), o.user());
    }

    private static ModelOp blocked(ModelOp o) {
        return new ModelOp(o.process(), o.f(), o.key(), o.realKeyLength(), o.size(), o.mode(), o.offset(), o.length(), o.dataHex(),
                Outcome.BLOCKED, null, null, o.space(), o.user());
    }

    private static ModelOp fail(ModelOp o, String error) {
        return new ModelOp(o.process(), o.f(), o.key(), o.realKeyLength(), o.size(), o.mode(), o.offset(), o.length(), o.dataHex(),
                Outcome.FAIL, error, null, o.space(), o.user());
    }
}
