package org.shmconform.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.model.Ops.attach;
import static org.shmconform.model.Ops.blocked;
import static org.shmconform.model.Ops.call;
import static org.shmconform.model.Ops.create;
import static org.shmconform.model.Ops.failed;
import static org.shmconform.model.Ops.kill;
import static org.shmconform.model.Ops.legal;
import static org.shmconform.model.Ops.profile;
import static org.shmconform.model.Ops.reachable;
import static org.shmconform.model.Ops.violated;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.shmconform.spi.BackendSemantics.LockOnHolderDeath;

/** lock(), unlock(), waits, a holder's death, Qt 6.4's re-initialisation and the POSIX split, as {@link LockRules} states them. */
class LockRulesTest {
    private static final String KEY = Ops.SPACE + "|k";
    private static final Profile RELEASED = profile(true, true, LockOnHolderDeath.RELEASED, null, false);
    private static final Profile STAYS_HELD = profile(true, true, LockOnHolderDeath.STAYS_HELD, null, false);
    private static final Profile QT = Profile.declared("qt-6.4", ReferenceSemantics.QT_6_4);
    private static final List<ModelOp> HELD_BY_A = List.of(create("A", "k", 64), attach("B", "k"), call("A", "lock"));

    @Test
    void theHolderIsTypedAndOnlyOneProcessHoldsIt() {
        ModelState s = reachable(Profile.DOCUMENTED, HELD_BY_A).iterator().next();
        assertEquals(Lock.heldBy("A"), s.lock(KEY));
        assertTrue(s.lock(KEY).isHeldBy("A"));
        assertFalse(s.lock(KEY).isHeldBy("B"));
        assertEquals(Property.LOCK_EXCLUSIVE, violated(Profile.DOCUMENTED, HELD_BY_A, call("B", "lock")));
        assertTrue(legal(Profile.DOCUMENTED, HELD_BY_A, blocked(call("B", "lock"))));
    }

    @Test
    void unlockFreesTheLockForTheNext() {
        List<ModelOp> unlocked = new ArrayList<>(HELD_BY_A);
        unlocked.add(call("A", "unlock"));
        assertTrue(reachable(Profile.DOCUMENTED, unlocked).stream().allMatch(s -> s.lock(KEY) == null));
        assertTrue(legal(Profile.DOCUMENTED, unlocked, call("B", "lock")));
        // A free lock that does not let a waiter in: blamed on the holder-death rule (only a dead holder could keep it).
        assertEquals(Property.LOCK_HOLDER_DEATH, violated(Profile.DOCUMENTED, unlocked, blocked(call("B", "lock"))));
    }

    @Test
    void unlockWithoutHoldingMustFail() {
        assertEquals(Property.API_CONTRACT, violated(Profile.DOCUMENTED, HELD_BY_A, call("B", "unlock")));
        assertTrue(legal(Profile.DOCUMENTED, HELD_BY_A, failed(call("B", "unlock"), "LockError")));
    }

    @Test
    void aHolderDeathReleasesOrKeepsTheLockAsTheProfileSays() {
        List<ModelOp> died = new ArrayList<>(HELD_BY_A);
        died.add(kill("A"));
        assertTrue(legal(RELEASED, died, call("B", "lock")));
        assertEquals(Property.LOCK_HOLDER_DEATH, violated(RELEASED, died, blocked(call("B", "lock"))));
        assertTrue(legal(STAYS_HELD, died, blocked(call("B", "lock"))));
        assertEquals(Property.LOCK_EXCLUSIVE, violated(STAYS_HELD, died, call("B", "lock")));
        Set<String> silent = reachable(Profile.DOCUMENTED, died).stream().flatMap(s -> s.observations().stream())
                .filter(o -> o.startsWith("lock after")).collect(Collectors.toSet());
        assertEquals(Set.of("lock after its holder died: released", "lock after its holder died: stays held"), silent);
    }

    @Test
    void anOpThatTakesTheLockInternallyMayWaitOnlyWhileAnotherHoldsIt() {
        assertTrue(legal(QT, HELD_BY_A, blocked(call("B", "detach"))));
        assertEquals(Property.LOCK_EXCLUSIVE, violated(QT, HELD_BY_A, blocked(call("A", "detach"))));
        assertEquals(Property.API_CONTRACT, violated(QT, HELD_BY_A, blocked(call("B", "isAttached"))));
    }

    @Test
    void qt64sCreateReinitialisesAHeldLockAndThenNoLockOutcomeIsRuledOut() {
        List<ModelOp> recreated = new ArrayList<>(HELD_BY_A);
        recreated.add(failed(create("C", "k", 64), "AlreadyExists"));
        Set<ModelState> states = reachable(QT, recreated);
        assertTrue(states.stream().allMatch(s -> Lock.REINITIALISED.equals(s.lock(KEY))), states.toString());
        assertTrue(states.stream().allMatch(s -> s.semaphores().owns("C", KEY) && s.semaphores().present(KEY)));
        assertTrue(legal(QT, recreated, call("B", "lock")));
        assertTrue(legal(QT, recreated, blocked(call("B", "lock"))));
        // As documented, a failed create leaves the lock alone.
        assertFalse(legal(Profile.DOCUMENTED, recreated, call("B", "lock")));
    }

    /** Fuzz qt seeds 251 and 128 (3 of 3 on real Qt 6.4): a create that blocks in its locker re-initialised the lock first (its keying part, HistoryOps). */
    @Test
    void qt64sBlockedCreateReinitialisedTheLockBeforeItsLockerWaited() {
        List<ModelOp> waiting = new ArrayList<>(HELD_BY_A);
        ModelOp create = create("C", "k", 0);
        waiting.add(new ModelOp(create.process(), SegmentModel.CREATE_KEYED, create.args(), create.realKeyLength(), create.outcome(),
                null, null, create.space(), create.user()));
        waiting.add(blocked(create));
        assertTrue(legal(QT, waiting, call("B", "lock")), "the reset lets a waiter in while A still thinks it holds");
        assertTrue(legal(QT, waiting, blocked(call("B", "lock"))));
        assertEquals(Property.LOCK_EXCLUSIVE, violated(Profile.DOCUMENTED, waiting, call("B", "lock")));
        assertEquals(Property.LOCK_EXCLUSIVE, violated(QT, HELD_BY_A, call("B", "lock")), "without that create, no reset");
    }

    @Test
    void aReKeyByTheSemaphoresOwnerRemovesItsOwnership() {
        List<ModelOp> ops = List.of(create("A", "k", 64), failed(attach("A", "j"), "NotFound"));
        Set<ModelState> states = reachable(QT, ops);
        assertTrue(states.stream().noneMatch(s -> s.semaphores().owns("A", KEY) || s.semaphores().present(KEY)));
        assertTrue(states.stream().allMatch(s -> s.semaphores().owns("A", Ops.SPACE + "|j")));
    }

    // System V: the owner's attach removes the semaphore set and its key file; the other opener re-makes the file after
    // EIDRM, and a new inode (tmpfs) ftoks to a new key, a new set. Fuzz sysv seed 20, replayed on sysv, qt and qt68-sysv.
    private static final List<ModelOp> SEED_20 = List.of(create("B", "k", 8), failed(create("A", "k", 8), "AlreadyExists"),
            attach("A", "k"), call("B", "lock"));

    @Test
    void anAttachByTheSemaphoresOwnerMaySplitTheLockOfTheOtherOpenersOnEveryQtSysVDeclaration() {
        Profile javaSysV = Profile.declared("declared:sysv", org.shmconform.backends.Backends.named("sysv").orElseThrow().semantics());
        for (Profile sysv : List.of(QT, javaSysV, Profile.declared("qt-6.8-sysv", ReferenceSemantics.QT_6_8_SYSV))) {
            assertTrue(legal(sysv, SEED_20, call("A", "lock")), sysv.name() + ": tmpfs, a new set for B");
            assertTrue(legal(sysv, SEED_20, blocked(call("A", "lock"))), sysv.name() + ": ext4, the inode came back");
        }
        assertEquals(Property.LOCK_EXCLUSIVE, violated(Profile.DOCUMENTED, SEED_20, call("A", "lock")));
    }

    @Test
    void aSecondCreateByTheSemaphoresOwnerMaySplitTheLockToo() {
        List<ModelOp> twice = List.of(create("B", "k", 8), failed(create("A", "k", 8), "AlreadyExists"),
                failed(create("A", "k", 8), "AlreadyExists"), call("B", "lock"));
        Profile qt68 = Profile.declared("qt-6.8-sysv", ReferenceSemantics.QT_6_8_SYSV);
        for (Profile sysv : List.of(QT, qt68)) {
            assertTrue(legal(sysv, twice, call("A", "lock")), sysv.name());
            assertTrue(legal(sysv, twice, blocked(call("A", "lock"))), sysv.name());
        }
        assertEquals(Property.LOCK_EXCLUSIVE, violated(Profile.DOCUMENTED, twice, call("A", "lock")));
        // The first create() of an object owns nothing yet: it re-initialises (value 1), it does not remove.
        List<ModelOp> once = List.of(create("B", "k", 8), failed(create("A", "k", 8), "AlreadyExists"));
        Set<ModelState> states = reachable(QT, once);
        assertTrue(states.stream().noneMatch(s -> Lock.REINITIALISED.equals(s.lock(KEY))), states.toString());
    }

    @Test
    void anAttachThatDoesNotOwnTheSemaphoreLeavesTheLockExcluding() {
        List<ModelOp> shared = List.of(create("B", "k", 8), attach("A", "k"), call("B", "lock"));
        assertEquals(Property.LOCK_EXCLUSIVE, violated(QT, shared, call("A", "lock")));
    }

    /**
     * Fuzz qt seed 3241, shrunk (3/3 on real Qt 6.4 with TMPDIR on ext4, 0/3 on a tmpfs): B's failed create makes it an
     * owner of k's semaphore, C's second create removes that set and makes another, and B's re-key to j unlinks k's
     * semaphore file while A and C still have the new set open; j's file takes the freed inode, so B's lock of j waits
     * on A's lock of k. Legal where the lock has a key file of its own; not where B owned k's set alone (its
     * cleanHandle removed the set the others had), and never as documented.
     */
    @Test
    void aReKeyByOneOfTwoOwnersMayLeaveTheSetNamelessForAnotherKeysFile() {
        List<ModelOp> seed3241 = List.of(create("C", "k", 8), failed(create("B", "k", 8), "AlreadyExists"),
                failed(create("C", "k", 8), "AlreadyExists"), attach("A", "k"), create("B", "j", 8), call("A", "lock"));
        assertTrue(legal(QT, seed3241, blocked(call("B", "lock"))));
        assertTrue(legal(QT, seed3241, call("B", "lock")));
        assertEquals(Property.LOCK_HOLDER_DEATH, violated(Profile.DOCUMENTED, seed3241, blocked(call("B", "lock"))));
        List<ModelOp> soleOwner = List.of(create("B", "k", 8), attach("A", "k"), attach("C", "k"), create("B", "j", 8),
                call("A", "lock"));
        assertFalse(legal(QT, soleOwner, blocked(call("B", "lock"))));
        // Fuzz sysv seed 60, shrunk (3/3 on the Java sysv column, which keys as Qt 6.4 does): the re-key that unlinks the
        // file is the blocked op itself. C's attach of k-1 drops k (C owns k's semaphore since its failed create keyed it
        // in Create mode, B re-made the set since) and waits on B's lock through k-1's file on k's freed inode.
        List<ModelOp> seed60 = List.of(create("B", "k", 8), failed(create("C", "k", 0), "InvalidSize"),
                failed(create("B", "k", 0), "InvalidSize"), call("B", "lock"));
        assertTrue(legal(QT, seed60, blocked(attach("C", "k-1"))));
        assertEquals(Property.LOCK_EXCLUSIVE, violated(Profile.DOCUMENTED, seed60, blocked(attach("C", "k-1"))));
        List<ModelOp> bAlone = List.of(create("B", "k", 8), attach("C", "k"), call("B", "lock"));
        assertFalse(legal(QT, bAlone, blocked(attach("C", "k-1"))), "C owns nothing of k: its re-key unlinks no file");
    }

    /**
     * Fuzz qt seed 920141 (3/3 on real Qt 6.4.2, TMPDIR on ext4, and again in an independent reproduction), shrunk:
     * A create k; B create(0) k → InvalidSize (Qt 6.4's create keys the semaphore in Create mode before its size check:
     * B owns the set A made); B create k → AlreadyExists (B's initKey cleanHandle unlinks k's semaphore file and removes
     * that set, handle() makes the file and a set again); A detach (its locker's semop meets the removed set:
     * modifySemaphore's cleanHandle unlinks the file of B's set, A having made the first one, and handle() makes it
     * again; the last detach removes the segment and its key file); A create(0) k → InvalidSize (its cleanHandle unlinks
     * that file again, removing nothing of B's set); B lock; C attach j → blocks in a semop: j's new semaphore file took
     * the freed inode of the file of B's set, which lives on, so ftok gave C B's set. Not where no owner of a removed set
     * ran its cleanHandle, nor where the holder is the one that unlinked the file (its set is the one it opened again).
     */
    @Test
    void anOwnerOfARemovedSetMayUnlinkTheFileOfTheSetTheRemakerHoldsForAnotherKeysFile() {
        List<ModelOp> seed920141 = List.of(create("A", "k", 8), failed(create("B", "k", 0), "InvalidSize"),
                failed(create("B", "k", 8), "AlreadyExists"), call("A", "detach"), failed(create("A", "k", 0), "InvalidSize"),
                call("B", "lock"));
        assertTrue(legal(QT, seed920141, blocked(attach("C", "j"))));
        assertTrue(legal(QT, seed920141, failed(attach("C", "j"), "NotFound")), "j's file on another inode");
        assertEquals(Property.LOCK_EXCLUSIVE, violated(Profile.DOCUMENTED, seed920141, blocked(attach("C", "j"))));
        Set<ModelState> after = reachable(QT, seed920141.subList(0, 4));
        assertTrue(after.stream().allMatch(s -> "A".equals(s.semaphores().unlinkedBy().get(KEY))), after.toString());
        // A's set was removed, but A never ran a cleanHandle since: the file of B's set is where B made it.
        List<ModelOp> noUnlink = List.of(create("A", "k", 8), failed(create("B", "k", 0), "InvalidSize"),
                failed(create("B", "k", 8), "AlreadyExists"), call("B", "lock"));
        assertEquals(Property.LOCK_EXCLUSIVE, violated(QT, noUnlink, blocked(attach("C", "j"))));
        // No remake by B: A's create removes the set, and B's lock unlinks A's file but then holds the set it opened again.
        List<ModelOp> holderUnlinked = List.of(create("A", "k", 8), failed(create("B", "k", 0), "InvalidSize"),
                call("A", "detach"), failed(create("A", "k", 0), "InvalidSize"), call("B", "lock"));
        assertEquals(Property.LOCK_EXCLUSIVE, violated(QT, holderUnlinked, blocked(attach("C", "j"))));
        // Nobody holds the nameless set.
        assertEquals(Property.LOCK_EXCLUSIVE, violated(QT, seed920141.subList(0, 5), blocked(attach("C", "j"))));
    }

    /**
     * Fuzz qt seed 211, schedule 258 (FLAKY 1 of 3 on real Qt 6.4, "QSharedMemoryPrivate::initKey: unable to set key on
     * lock"): B owns k's semaphore since its failed create keyed it in Create mode, C since it made it; C's detach waits
     * behind A's lock when B's attach removes the set, and C's EIDRM retry unlinks the key file B's handle() just made.
     */
    @Test
    void anOwnersAttachMayFailWithKeyErrorWhileAnotherOwnerReOpensTheSet() {
        List<ModelOp> seed258 = List.of(create("C", "k", 100), failed(create("B", "k", 64), "AlreadyExists"),
                attach("A", "k"), call("A", "detach"), call("A", "lock"));
        assertTrue(legal(QT, seed258, failed(attach("B", "k"), "KeyError")));
        assertEquals(Property.ATTACH_EXISTING, violated(Profile.DOCUMENTED, seed258, failed(attach("B", "k"), "KeyError")));
        Set<ModelState> after = reachable(QT, List.of(create("C", "k", 100), failed(create("B", "k", 64), "AlreadyExists"),
                failed(attach("B", "k"), "KeyError")));
        assertFalse(after.isEmpty());
        assertTrue(after.stream().allMatch(s -> Lock.REINITIALISED.equals(s.lock(KEY)) && !s.worker("B").attached()), after.toString());
        // Only an owner's keying removes the set, and only another owner's retry unlinks the file.
        List<ModelOp> bOpened = List.of(create("C", "k", 100), attach("B", "k"), call("B", "detach"), attach("A", "k"),
                call("A", "detach"), call("A", "lock"));
        assertFalse(legal(QT, bOpened, failed(attach("B", "k"), "KeyError")), "B owns nothing of k");
        List<ModelOp> cGone = List.of(create("C", "k", 100), failed(create("B", "k", 64), "AlreadyExists"), kill("C"));
        assertFalse(legal(QT, cGone, failed(attach("B", "k"), "KeyError")), "no other live owner");
    }

    @Test
    void anOwnersCreateMayFailWithKeyErrorTooForItsInitKeyIsAnAttachs() {
        // fuzz qt seed 100, schedule 319: Qt 6.4's create() runs initKey (Open mode) before its Create-mode setKey.
        List<ModelOp> seed319 = List.of(create("C", "k", 16), failed(create("A", "k", 64), "AlreadyExists"),
                attach("B", "k"), call("B", "lock"));
        assertTrue(legal(QT, seed319, failed(create("A", "k", 64), "KeyError")));
        assertEquals(Property.CREATE_EXISTS_FALLBACK, violated(Profile.DOCUMENTED, seed319, failed(create("A", "k", 64), "KeyError")));
        Set<ModelState> after = reachable(QT, List.of(create("C", "k", 16), failed(create("A", "k", 64), "AlreadyExists"),
                failed(create("A", "k", 64), "KeyError")));
        assertFalse(after.isEmpty());
        assertTrue(after.stream().allMatch(s -> Lock.REINITIALISED.equals(s.lock(KEY)) && !s.worker("A").attached()
                && s.segments().get(KEY).size() == 16), after.toString());
        List<ModelOp> aOpened = List.of(create("C", "k", 16), attach("A", "k"), call("A", "detach"), attach("B", "k"),
                call("B", "lock"));
        assertFalse(legal(QT, aOpened, failed(create("A", "k", 64), "KeyError")), "A owns nothing of k");
        List<ModelOp> cGone = List.of(create("C", "k", 16), failed(create("A", "k", 64), "AlreadyExists"), kill("C"));
        assertFalse(legal(QT, cGone, failed(create("A", "k", 64), "KeyError")), "no other live owner");
    }

    @Test
    void aReKeyByTheOwnerSplitsOnlyWhenTwoOtherObjectsMustEachReMakeTheSet() {
        List<ModelOp> oneOther = List.of(create("A", "k", 8), attach("B", "k"), failed(attach("A", "j"), "NotFound"),
                attach("A", "k"), call("B", "lock"));
        Set<ModelState> one = reachable(QT, oneOther.subList(0, 3));
        assertTrue(one.stream().noneMatch(s -> Lock.REINITIALISED.equals(s.lock(KEY))), one.toString());
        List<ModelOp> twoOthers = List.of(create("A", "k", 8), attach("B", "k"), attach("C", "k"),
                failed(attach("A", "j"), "NotFound"));
        Set<ModelState> two = reachable(QT, twoOthers);
        assertTrue(two.stream().allMatch(s -> Lock.REINITIALISED.equals(s.lock(KEY))), two.toString());
    }

    // Qt's POSIX named semaphore (keyingSplitsLock): the replays in /work/notes/posix, Java posix and real Qt 6.8 alike.
    private static final Profile QT68_POSIX = Profile.declared("qt-6.8-posix", ReferenceSemantics.QT_6_8_POSIX);
    private static final Profile JAVA_POSIX = Profile.declared("declared:posix",
            org.shmconform.backends.Backends.named("posix").orElseThrow().semantics());
    private static final List<ModelOp> SPLIT = List.of(create("B", "k", 64), failed(create("A", "k", 64), "AlreadyExists"),
            call("A", "lock"));

    @Test
    void thePosixColumnsDeclareTheSplitAndTheDocumentationDoesNot() {
        assertTrue(QT68_POSIX.keyingSplitsLock());
        assertTrue(JAVA_POSIX.keyingSplitsLock());
        assertFalse(JAVA_POSIX.keyingResetsLock(), "the split is not System V's re-initialisation");
        assertTrue(Profile.declared("s", ReferenceSemantics.QT_6_8_POSIX_SAFE).keyingSplitsLock());
        assertTrue(Profile.declared("n", ReferenceSemantics.QT_6_8_POSIX_NATIVE).keyingSplitsLock());
        assertFalse(Profile.DOCUMENTED.keyingSplitsLock());
        assertFalse(QT.keyingSplitsLock());
    }

    @Test
    void aFailedCreateGivesItsObjectAFreshSemaphoreWhileTheOldOnesOpenersKeepTheirs() {
        for (Profile posix : List.of(QT68_POSIX, JAVA_POSIX)) {
            // B's semaphore is the old one, free: B's lock returns at once and cannot wait.
            assertTrue(legal(posix, SPLIT, call("B", "lock")), posix.name());
            assertEquals(Property.LOCK_HOLDER_DEATH, violated(posix, SPLIT, blocked(call("B", "lock"))), posix.name());
            Set<ModelState> states = reachable(posix, SPLIT);
            assertTrue(states.stream().allMatch(st -> st.semaphores().handle("A").equals(st.semaphores().named(KEY))
                    && !st.semaphores().handle("A").equals(st.semaphores().handle("B"))), states.toString());
        }
        // The documentation promises one lock per key: B acquiring it while A holds it breaks LOCK-EXCLUSIVE (DEVIATES).
        assertEquals(Property.LOCK_EXCLUSIVE, violated(Profile.DOCUMENTED, SPLIT, call("B", "lock")));
    }

    @Test
    void laterOpenersGetTheFreshSemaphoreAndExcludeItsHolder() {
        List<ModelOp> opened = new ArrayList<>(SPLIT);
        opened.add(attach("C", "k"));
        assertEquals(Property.LOCK_EXCLUSIVE, violated(QT68_POSIX, opened, call("C", "lock")));
        assertTrue(legal(QT68_POSIX, opened, blocked(call("C", "lock"))));
        // ...while B, on the old one, still excludes nobody of theirs and nobody excludes B.
        opened.add(blocked(call("C", "lock")));
        assertTrue(legal(QT68_POSIX, opened, call("B", "lock")));
    }

    @Test
    void withoutACreateOnAnExistingSemaphoreTheLockStillExcludes() {
        List<ModelOp> shared = List.of(create("A", "k", 64), attach("B", "k"), call("A", "lock"));
        assertEquals(Property.LOCK_EXCLUSIVE, violated(QT68_POSIX, shared, call("B", "lock")));
        assertTrue(legal(QT68_POSIX, shared, blocked(call("B", "lock"))));
        // Once the split holder lets go, the fresh semaphore is free again for the next opener.
        List<ModelOp> released = new ArrayList<>(SPLIT);
        released.add(call("A", "unlock"));
        released.add(attach("C", "k"));
        assertTrue(legal(QT68_POSIX, released, call("C", "lock")));
        assertEquals(Property.LOCK_HOLDER_DEATH, violated(QT68_POSIX, released, blocked(call("C", "lock"))));
    }

    /**
     * Fuzz qt68-posix seed 982342 (3/3 on real Qt 6.8.2): A attach k → NotFound (A's object sem_opened k's semaphore);
     * A lock; B attach k waits in its locker behind A; C create k (Create mode: sem_unlink and a fresh semaphore); A unlock
     * (posts the old one, B's locker takes and posts it); B attach → true; B lock; A lock blocks. QSharedMemory::attach
     * runs initKey before its locker, so B's object had the old semaphore, which A's object has too: B holds A's lock.
     * The checker places that keying in B's attach's interval (SegmentModel.ATTACH_KEYED, where a create of the key
     * overlaps the attach: {@link LockRules#openedBeforeItsLockerWaits}); where B keyed after C's create, B's semaphore
     * is the fresh one and nobody holds A's.
     */
    @Test
    void anAttachWhoseLockerWaitedKeepsTheSemaphoreACreateUnlinkedMeanwhile() {
        ModelOp bAttaches = attach("B", "k");
        ModelOp bKeyed = new ModelOp("B", SegmentModel.ATTACH_KEYED, bAttaches.args(), bAttaches.realKeyLength(),
                ModelOp.Outcome.OK, null, null, bAttaches.space(), null);
        ModelOp aWaits = blocked(call("A", "lock"));
        List<ModelOp> keyedWhileAHeld = List.of(failed(Ops.attachReadOnly("A", "k"), "NotFound"), call("A", "lock"), bKeyed,
                create("C", "k", 8), call("A", "unlock"), bAttaches, call("B", "lock"));
        assertTrue(legal(QT68_POSIX, keyedWhileAHeld, aWaits));
        Set<ModelState> states = reachable(QT68_POSIX, keyedWhileAHeld);
        assertTrue(states.stream().anyMatch(st -> st.semaphores().handle("B").equals(st.semaphores().handle("A"))
                && !st.semaphores().handle("B").equals(st.semaphores().named(KEY))), states.toString());
        // B keyed after C's create: its semaphore is C's fresh one, and nobody holds the one A waits on.
        List<ModelOp> keyedAfterTheCreate = List.of(failed(Ops.attachReadOnly("A", "k"), "NotFound"), call("A", "lock"),
                create("C", "k", 8), bKeyed, call("A", "unlock"), bAttaches, call("B", "lock"));
        assertEquals(Property.LOCK_HOLDER_DEATH, violated(QT68_POSIX, keyedAfterTheCreate, aWaits));
        // Nor does a keying while nobody held the lock keep anything: the locker took it at once.
        List<ModelOp> keyedWhileFree = List.of(failed(Ops.attachReadOnly("A", "k"), "NotFound"), bKeyed, create("C", "k", 8),
                bAttaches, call("B", "lock"));
        assertEquals(Property.LOCK_HOLDER_DEATH, violated(QT68_POSIX, keyedWhileFree, aWaits));
        // The attach taken whole, after A's unlock, opens the fresh one too.
        assertEquals(Property.LOCK_HOLDER_DEATH, violated(QT68_POSIX, keyedAfterTheCreate.stream()
                .filter(o -> o != bKeyed).toList(), aWaits));
    }

    // Qt 6.4's attach (the Java posix backend) re-opens the name, and the object that made the semaphore sem_unlinks it
    // first, so it splits too; Qt 6.8's attach on the same key keeps what it has. Both are declared legal.
    @Test
    void anAttachByTheSemaphoresMakerMayAlsoSplitIt() {
        List<ModelOp> reattached = List.of(create("B", "k", 64), attach("A", "k"), call("B", "detach"), attach("B", "k"),
                call("A", "lock"));
        assertTrue(legal(JAVA_POSIX, reattached, call("B", "lock")));
        assertTrue(legal(JAVA_POSIX, reattached, blocked(call("B", "lock"))));
        assertEquals(Property.LOCK_EXCLUSIVE, violated(Profile.DOCUMENTED, reattached, call("B", "lock")));
    }

    // A create() by the holder: its locker skips the acquire (lockedByMe) but posts the fresh semaphore, which may then
    // let two in; the old one stays held by the holder's dropped handle.
    @Test
    void aCreateByTheHolderLeavesTheFreshSemaphoreUnknowable() {
        List<ModelOp> posted = List.of(create("A", "k", 64), call("A", "lock"), failed(create("A", "k", 64), "AlreadyExists"),
                attach("B", "k"));
        Set<ModelState> states = reachable(QT68_POSIX, posted);
        assertTrue(states.stream().allMatch(st -> Lock.REINITIALISED.equals(st.lock(st.semaphores().named(KEY)))
                && !st.worker("A").locked()), states.toString());
        assertTrue(legal(QT68_POSIX, posted, call("B", "lock")));
        assertTrue(legal(QT68_POSIX, posted, blocked(call("B", "lock"))));
    }

    @Test
    void lockBeforeAnyKeyFailsWithLockError() {
        assertTrue(legal(Profile.DOCUMENTED, List.of(), failed(call("A", "lock"), "LockError")));
        assertEquals(Property.API_CONTRACT, violated(Profile.DOCUMENTED, List.of(), call("A", "lock")));
    }
}
