package org.shmconform.model;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.shmconform.history.OwnerDied;
import org.shmconform.model.ModelOp.Outcome;
import org.shmconform.model.ModelState.Worker;
import org.shmconform.model.SegmentModel.Step;
import org.shmconform.spi.BackendSemantics.LockOnHolderDeath;

/**
 * The lock: lock() and unlock(), who holds it, ops that wait on it, what a holder's death does to
 * it (per the profile's LockOnHolderDeath), Qt 6.4's re-initialisation of its semaphore by
 * create() and by attach() of the object that owns the semaphore (System V), and the split of Qt's
 * POSIX named semaphore by create() into generations that no longer exclude each other.
 */
final class LockRules {
    private LockRules() {
    }

    static Step lock(ModelState s, ModelOp op, Worker w) {
        if (w.key() == null) {
            return Expect.fail(s, op, "LockError", Property.API_CONTRACT, "lock before any create/attach");
        }
        String id = lockId(s, op.process());
        Lock lock = s.lock(id);
        if (lock instanceof Lock.Reinitialised) {
            // The semaphore was re-initialised under a holder: no outcome of lock() can be ruled out any more.
            return Step.to(op.outcome() == Outcome.OK ? s.with(op.process(), w.locked(true)) : s);
        }
        String holder = lock instanceof Lock.HeldBy h ? h.process() : null;
        // Held by another process, or by this process through an object it has since dropped (a re-key): this object waits.
        boolean heldByOther = holder != null && (!holder.equals(op.process()) || !w.locked());
        if (op.outcome() == Outcome.BLOCKED) {
            return heldByOther ? Step.to(s) : Step.violates(holder == null ? Property.LOCK_HOLDER_DEATH : Property.LOCK_EXCLUSIVE,
                    "lock() never returned although nobody held the lock");
        }
        if (op.outcome() == Outcome.FAIL && "LockError".equals(op.error()) && !w.attached()) {
            return Step.to(s.observe("lock() needs an attached segment"));
        }
        Boolean told = OwnerDied.of(op.value());
        if (w.locked()) {
            Step again = Expect.ok(s, op, Property.API_CONTRACT, "lock() twice on one object returns true");
            return again.legal() && Boolean.TRUE.equals(told)
                    ? Step.violates(Property.LOCK_HOLDER_DEATH, "lock() by the holder itself reported that the previous holder died")
                    : again;
        }
        if (heldByOther) {
            // A lock() that returned without the lock is no acquisition, and said so: it should have waited (a second
            // object in the holder's own thread, refused EDEADLK by an error-checking mutex, was one: mmapfile-robust's).
            return Step.violates(Property.LOCK_EXCLUSIVE, op.outcome() == Outcome.OK
                    ? op.process() + " acquired the lock while " + holder + " held it"
                    : op.process() + "'s lock() returned " + Expect.describe(op) + " while " + holder + " held the lock, instead of"
                    + " waiting for it");
        }
        if (op.outcome() != Outcome.OK) {
            return Step.violates(Property.LOCK_EXCLUSIVE, "lock() of a free lock returned " + Expect.describe(op));
        }
        if (lock instanceof Lock.OwnerDead dead && Boolean.FALSE.equals(told)) {
            return Step.violates(Property.LOCK_HOLDER_DEATH, "the first lock() after its holder " + dead.deadHolder()
                    + " died did not report ownerDied");
        }
        if (lock == null && Boolean.TRUE.equals(told)) {
            return Step.violates(Property.LOCK_HOLDER_DEATH, "lock() reported ownerDied although no holder of the lock had died");
        }
        ModelState taken = lock instanceof Lock.OwnerDead ? s.observe("lock after its holder died: next locker told ownerDied") : s;
        return Step.to(taken.withLock(id, Lock.heldBy(op.process())).with(op.process(), w.locked(true)));
    }

    static Step unlock(ModelState s, ModelOp op, Worker w) {
        if (!w.locked()) {
            return Expect.fail(s, op, null, Property.API_CONTRACT, "unlock() without holding the lock returns false");
        }
        if (op.outcome() != Outcome.OK) {
            return Step.violates(Property.LOCK_EXCLUSIVE, "unlock() by the holder returned " + Expect.describe(op));
        }
        return Step.to(release(s, lockId(s, op.process())).with(op.process(), w.locked(false)));
    }

    /**
     * A non-lock op the kernel saw blocked in a lock wait. Qt 6.4's create, attach and detach take the
     * segment's lock internally, so they may wait while another process holds that key's lock; blocked
     * while nobody else holds it (or an op that takes no lock) is a hang, not a wait.
     */
    static Step blockedInternally(Profile profile, ModelState s, ModelOp op, Worker w) {
        String key = op.key() == null ? w.key() : KeySpaceRules.modelKey(op);
        boolean takesLock = op.f().equals("create") || op.f().equals("attach") || op.f().equals("detach");
        // Any generation of the key's semaphore (where keying splits it) may be the one the op waits on.
        boolean heldByOther = key != null && s.locks().entrySet().stream()
                .anyMatch(e -> isLockOf(e.getKey(), key) && !e.getValue().isHeldBy(op.process()));
        if (takesLock && heldByOther) {
            return Step.to(s.observe(op.f() + "() waited on the lock held by another process"));
        }
        // A lock its keying may have shared with another key's nameless set (keyingMayMeetANamelessSet): re-initialised,
        // nothing about it can be ruled out, a wait neither (as for lock()).
        if (takesLock && profile.lockSharesKeyFile() && key != null && s.lock(key) instanceof Lock.Reinitialised) {
            return Step.to(s.observe(op.f() + "() waited on a lock its keying may share with another key's set"));
        }
        // A re-key drops the old key first (cleanHandle), which may itself leave that key's set nameless (fuzz sysv
        // seed 60: B create k; C create k → InvalidSize, after keying in Create mode; B create k again re-makes the set;
        // B lock; C attach k-1 unlinks k's file and blocks on B's lock through k-1's file on its inode).
        ModelState keying = w.key() != null && !w.key().equals(key) && mayLeaveSetNameless(profile, s, op.process(), w.key())
                ? s.with(s.semaphores().withFileGone(w.key())) : s;
        String across = key != null && op.key() != null ? keyWhoseSetTheKeyingMayMeet(profile, keying, key, op.process()) : null;
        if (takesLock && across != null) {
            return Step.to(s.observe(op.f() + "() keyed a new key file that may have taken the freed inode of " + across
                    + "'s, and waited on " + across + "'s lock held by another process"));
        }
        return Step.violates(takesLock ? Property.LOCK_EXCLUSIVE : Property.API_CONTRACT,
                op.f() + "() never returned although no other process held the lock");
    }

    /**
     * {@link Profile#lockSharesKeyFile()}: a create/attach of {@code key} that blocked in its locker before the model
     * saw it key anything ({@link #mayShareAnotherKeysSet} applies once it returns). Its initKey made {@code key}'s key
     * file (QSystemSemaphoreSystemV::handle), which may have taken the inode of another key's file that went while
     * that key's set lives on (marked in {@code unnamed}); ftok then gave that set, and the locker's acquire waits while
     * another process holds it. Fuzz qt68-sysv-safe and -native seed 23 (3/3): A create k; A detach (k's key file goes
     * with the segment, A's object keeps the set); A lock; C attach k_1 → blocks. The other key whose set it may be,
     * or null: none of the same space is unnamed with its lock held by a live other process that has that key.
     */
    private static String keyWhoseSetTheKeyingMayMeet(Profile profile, ModelState s, String key, String p) {
        if (!profile.lockSharesKeyFile() && !profile.lockKeyFileMayBeReused()) {
            return null;
        }
        for (String other : namelessSets(s)) {
            Lock lock = s.lock(other);
            boolean heldByAnother = lock != null && !(lock instanceof Lock.OwnerDead) && !lock.isHeldBy(p);
            boolean setLivesOn = s.workers().entrySet().stream()
                    .anyMatch(e -> !e.getKey().equals(p) && other.equals(e.getValue().key()) && !e.getValue().dead());
            if (!other.equals(key) && ModelKey.sameSpace(other, key) && heldByAnother && setLivesOn) {
                return other;
            }
        }
        // Qt 6.4: a file unlinked by an owner of a removed set (Semaphores.unlinkedBy): the nameless set is the one the
        // key's other objects have, held by one of them, not the one the unlinker re-opened or made.
        for (Map.Entry<String, String> gone : s.semaphores().unlinkedBy().entrySet()) {
            String other = gone.getKey();
            boolean heldByAnOpener = s.workers().entrySet().stream().anyMatch(e -> !e.getKey().equals(p)
                    && !e.getKey().equals(gone.getValue()) && other.equals(e.getValue().key()) && !e.getValue().dead()
                    && e.getValue().locked());
            if (!other.equals(key) && ModelKey.sameSpace(other, key) && heldByAnOpener) {
                return other;
            }
        }
        return null;
    }

    /**
     * The keying part of a create/attach that then blocked in its locker (SegmentModel.CREATE_KEYED, ATTACH_KEYED): where
     * the set shares the segment's key file, the key file it made may have taken the inode of a key's file that went
     * while that key's set lives on ({@link #mayShareAnotherKeysSet}), and that is the set its locker waits on, whatever
     * happens to that key's name after it (fuzz qt68-sysv-safe and -native seed 311160, 3/3: A create k_1; A detach;
     * A lock; C attach k blocks; B create k_1 re-makes k_1's file while C waits on A's set).
     */
    static ModelState keyingMayMeetANamelessSet(Profile profile, ModelState s, ModelOp op) {
        if (!profile.lockSharesKeyFile() || op.key() == null || op.key().isEmpty()) {
            return s;
        }
        return mayShareAnotherKeysSet(s, KeySpaceRules.modelKey(op), op.process());
    }

    /** Every way the locks process {@code p} held may go when it dies, applied to each of {@code states}. */
    static List<ModelState> afterHolderDeath(Profile profile, ModelState before, String p, List<ModelState> states) {
        List<ModelState> next = states;
        for (Map.Entry<String, Lock> held : before.locks().entrySet()) {
            if (!held.getValue().isHeldBy(p)) {
                continue;
            }
            List<ModelState> expanded = new ArrayList<>();
            for (ModelState dead : next) {
                for (LockOnHolderDeath rule : Promises.lockAfterHolderDeath(profile)) {
                    expanded.add(switch (rule) {
                        case RELEASED -> release(dead, held.getKey()).observe("lock after its holder died: released");
                        case STAYS_HELD -> dead.observe("lock after its holder died: stays held");
                        // Unless the segment, and the mutex in it, went with the holder's death.
                        case RELEASED_OWNER_DEAD -> dead.lock(held.getKey()) instanceof Lock.HeldBy
                                ? dead.withLock(held.getKey(), new Lock.OwnerDead(p)) : dead;
                    });
                }
            }
            next = expanded;
        }
        return next;
    }

    /**
     * Qt-style create/attach run under QSharedMemoryLocker, which lets go of the lock when the step
     * ends even if the caller held it before; a backend without that locker keeps it. Both are legal.
     */
    static List<ModelState> lockerMayRelease(ModelState s, String p, String what) {
        Worker w = s.worker(p);
        if (!w.locked()) {
            return List.of(s);
        }
        return List.of(s, release(s, lockId(s, p)).with(p, w.locked(false)).observe(what + " while holding the lock: lock released"));
    }

    /**
     * The lock id process {@code p}'s lock()/unlock() act on: the generation of the semaphore its
     * object has open where keying splits the lock, else the key Qt was given (Worker.qtKey), which is not its segment's
     * where it reached that segment through another key's file: fuzz qt68-sysv-native seed 292444 (3/3): B's attach of j
     * reached k's segment through j's file on k's freed inode, and B's lock of j and C's lock of k were two sets.
     */
    static String lockId(ModelState s, String p) {
        String handle = s.semaphores().handle(p);
        return handle != null ? handle : s.worker(p).qtKey();
    }

    /** Whether {@code id} is the lock of {@code key}: the key itself or one of its semaphore's generations. */
    static boolean isLockOf(String id, String key) {
        if (id.equals(key)) {
            return true;
        }
        String gen = id.startsWith(key + "#") ? id.substring(key.length() + 1) : "";
        return !gen.isEmpty() && gen.chars().allMatch(Character::isDigit);
    }

    /**
     * The keying part of a create() that then blocked in its locker ({@link SegmentModel#CREATE_KEYED}, placed in the
     * create's interval). Qt 6.4's create() sets the semaphore's key in Create mode (value 1) before its locker
     * waits, so a process already waiting in lock() may take the re-initialised lock, and the create then waits
     * behind it (fuzz qt seeds 251 and 128, 3 of 3 on real Qt 6.4: B holds, A waits, C create(k) blocks, A gets
     * the lock). An object that owns the key's set re-makes its key file there too ({@link #keyFileRemade}, as the whole
     * create does in {@link #keyedByCreate}): fuzz qt68-sysv-safe seed 1286 (1/3 on real Qt 6.8.2): B create k; A create
     * k → AlreadyExists; B lock; C attach k → NotFound between A's second create's keying and the segment it made. Only
     * that mark, which a create that returned sets again as a whole (an idempotent mark): the set's removal under its other
     * owners stays with the whole create, so no mark is applied twice. Elsewhere it changes nothing.
     */
    static Step keyedByBlockedCreate(Profile profile, ModelState s, ModelOp op) {
        if (!profile.keyingResetsLock() || profile.keyingSplitsLock() || op.key() == null || op.key().isEmpty()) {
            return Step.to(s);
        }
        String p = op.process();
        String key = KeySpaceRules.modelKey(op);
        ModelState reset = resetLock(s, key, p, "create() before its locker waited");
        boolean remakesItsKeyFile = key.equals(s.worker(p).qtKey()) && s.semaphores().owns(p, key);
        return Step.to(remakesItsKeyFile ? keyFileRemade(profile, reset, key) : reset);
    }

    /**
     * create() opens the semaphore in Create mode. System V (keyingResetsLock): it re-initialises it
     * and this object owns it from now on. POSIX (keyingSplitsLock): see {@link #splitByCreate}.
     */
    static ModelState keyedByCreate(Profile profile, ModelState s, ModelOp op, boolean wasLocked) {
        String p = op.process();
        if (profile.keyingSplitsLock()) {
            return splitByCreate(s, op, wasLocked);
        }
        if (!profile.keyingResetsLock()) {
            return s;
        }
        // The set is the one of the key Qt was given (Worker.qtKey), not of the segment the object reached through that
        // key's file (the two differ only there, Qt 6.8's System V): the same key in Create mode still runs cleanHandle,
        // which removes the set it owns under its other owners. Fuzz qt68-sysv-safe seed 384255 (3/3): B create k;
        // A create k → AlreadyExists; A attach j → true (A's re-key removed k's set and unlinked k's file, j's file took
        // its inode: A made j's set and reached B's segment); C create j → AlreadyExists (C owns j's set too); A create
        // j → AlreadyExists (removed it); C create j → UnknownError.
        String key = s.worker(p).qtKey();
        ModelState base = resetLock(keyedBy(s, key, p, "create()", true), key, p, "create()");
        if (s.semaphores().owns(p, key)) {
            // Its cleanHandle removes the set and key file it owns before handle(Create) re-makes them (Qt 6.4 and 6.8).
            base = mayBeSplitByKeyFile(base, key, p, 1, "create() by the object that owns the lock's semaphore");
            // Its cleanHandle ran before handle(Create) re-made the key file: the sets it may have removed are read from
            // the marks before this create (fuzz qt68-sysv-safe seed 234929, 3/3: C create j; C detach; B create k, on
            // j's freed inode; A create k → AlreadyExists; C create j removed the set B and A had as k's; kill B;
            // A create k → UnknownError).
            base = removedUnderOthers(profile, base, p, key, failedOnARemovedSet(op), s);
            // Qt 6.4: its IPC_RMID removed the set under the other owners, or, where another owner's remake removed its
            // own set first, it only unlinked the file of the set that owner made (removedSetsFileUnlinked). Its Create
            // mode makes it the owner of the set it opens now.
            base = metARemovedSet(s, p, key) ? removedSetsFileUnlinked(profile, base, p, key, "create()")
                    : removedByARemake(profile, base, p, key);
            base = base.with(base.semaphores().withReopened(p, key, false));
            // Where that file is the segment's too, the re-made one may be on another inode: the segment may lose its
            // name and another key's new file may take its inode (fuzz qt68-sysv-native and -safe seed 25182, 3/3:
            // C create k-1; B create k; A create k → AlreadyExists, twice; C detach; B lock; C create j → AlreadyExists).
            base = keyFileRemade(profile, base, key);
        }
        return own(base.with(base.semaphores().rekeyedBy(p)), p, key);
    }

    /**
     * {@link Profile#retryRemovesOrphan()} (Qt 6.8's System V): the owner's cleanHandle removed the set (IPC_RMID) that
     * every other object that opened it in Create mode owns too (QSystemSemaphoreSystemV::handle sets createdSemaphore in
     * Create mode even for a set it found), so their own next cleanHandle's IPC_RMID fails with EINVAL (see
     * {@link LifecycleRules#semaphoreRemovedUnder}). Nothing is removed by an owner whose own IPC_RMID failed because its
     * set was gone already: the step says so ({@code itsRemovalFailed}: it failed with UnknownError). The mark
     * {@link Semaphores#removedUnder} alone says only that the set may be gone; a step that did not fail on it removed it.
     * Fuzz qt68-sysv-safe seed 61280 (3/3): A create k; A detach; C attach k → NotFound; B create k; C create k-1 →
     * AlreadyExists (marks B's set as maybe removed; it was not: C's file of k had taken the inode of A's and C had only
     * opened A's set); A attach k → NotFound; B create k (its IPC_RMID removes the set A made); A create k → UnknownError.
     */
    static ModelState removedUnderOthers(Profile profile, ModelState s, String p, String key, boolean itsRemovalFailed) {
        return removedUnderOthers(profile, s, p, key, itsRemovalFailed, s);
    }

    /** As above, with the key files and nameless sets read from {@code marks}, the state when the removal ran. */
    private static ModelState removedUnderOthers(Profile profile, ModelState s, String p, String key, boolean itsRemovalFailed,
                                                 ModelState marks) {
        if (!profile.retryRemovesOrphan() || (itsRemovalFailed && s.semaphores().removedUnder(p, key))) {
            return s;
        }
        Set<String> sameSet = profile.lockSharesKeyFile() ? mayBeTheSameSet(marks, key) : mayShareASemaphoreFile(marks, key);
        Set<Semaphores.Owner> lost = new HashSet<>();
        s.workers().forEach((q, w) -> {
            String its = w.qtKey();
            if (!q.equals(p) && !w.dead() && its != null && (its.equals(key) || sameSet.contains(its))
                    && !s.semaphores().owns(q, its)) {
                lost.add(new Semaphores.Owner(q, its));
            }
        });
        return s.with(s.semaphores().removedUnderOthers(p, key, sameSet).withLost(lost));
    }

    /** Qt 6.4's System V lock: a key file of its own, and no Qt 6.8 retry that reports a removed set. */
    private static boolean tracksSetsRemovedByARemake(Profile profile) {
        return profile.lockKeyFileMayBeReused() && !profile.retryRemovesOrphan();
    }

    /**
     * Qt 6.4's System V: owner {@code p}'s create or attach of {@code key} ran QSystemSemaphorePrivate::cleanHandle
     * (initKey's setKey of an empty key), whose IPC_RMID removed the set {@code p} had open, and handle() made the file
     * and a set again under the name (QSharedMemory::create's setKey in Create mode opens it, SETVAL 1). Every other
     * owner that had the removed set open still has its id, and its file flag (createdFile): {@link Semaphores#removedUnder}.
     */
    private static ModelState removedByARemake(Profile profile, ModelState s, String p, String key) {
        if (!tracksSetsRemovedByARemake(profile)) {
            return s;
        }
        return s.with(s.semaphores().removedUnderOthers(p, key, Set.of()));
    }

    /**
     * Qt 6.4's System V: owner {@code p}, whose set another owner's remake removed ({@link #removedByARemake}), runs
     * cleanHandle on {@code key}'s name: an initKey (create, attach, re-key), or modifySemaphore meeting EIDRM/EINVAL
     * (a lock, an unlock, a detach's locker; it sets semaphore = -1 first). It unlinks the semaphore file, which is the
     * file of the set the other owner made (createdFile), and removes nothing (its IPC_RMID is of the removed set, or
     * skipped); handle() then makes the file again, and where the new file is on another inode {@code p} makes a fresh set
     * while the set the old file named lives on, nameless, for the key's other objects: another key's file made since may
     * take that inode and ftok to it ({@link Semaphores#unlinkedBy}). And where handle() found that set again on the
     * same inode (createdFile, not createdSemaphore), its next cleanHandle unlinks its file again, removing nothing. Fuzz
     * qt seed 920141 (3/3 on real Qt 6.4, TMPDIR on ext4): A create k; B create(0) k → InvalidSize (B owns k's set:
     * Create mode); B create k → AlreadyExists (B's cleanHandle removed the set A made, handle() made another); A detach
     * (its locker's semop meets the removed set: cleanHandle unlinks B's file, handle() makes one again; the last
     * detach frees the segment's key file too); A create(0) k → InvalidSize (its cleanHandle unlinks k's semaphore file
     * again, handle() makes it again); B lock; C attach j → blocks: j's new file took the inode of the file of B's set.
     */
    static ModelState removedSetsFileUnlinked(Profile profile, ModelState s, String p, String key, String what) {
        if (!tracksSetsRemovedByARemake(profile)) {
            return s;
        }
        Semaphores reopened = s.semaphores().rekeyedBy(p);
        if (!othersHaveTheKey(s, key, p)) {
            return s.with(reopened);
        }
        return s.with(reopened.withUnlinkedBy(key, p)).observe(what + " by " + p + ", whose semaphore set another owner"
                + " had removed and made again, unlinked the file of that set, which lives on for the key's other objects:"
                + " another key's new file may take its inode and ftok to it");
    }

    /**
     * A lock, unlock or detach (its locker) of an object that owns its key's set, which another owner's remake removed
     * under it (Qt 6.4: {@link #removedSetsFileUnlinked}); else {@code s}.
     */
    static ModelState lockerMetARemovedSet(Profile profile, ModelState s, ModelOp op, Worker w) {
        String key = w.qtKey();
        boolean runsTheSemaphore = runsModifySemaphore(op, w) || op.f().equals("detach") && w.attached();
        if (!tracksSetsRemovedByARemake(profile) || key == null || !runsTheSemaphore || !s.semaphores().owns(op.process(), key)
                || !s.semaphores().removedUnder(op.process(), key)) {
            // A reopened object's semop works on the set it opened again: nothing more is unlinked.
            return s;
        }
        return reopenedBy(profile, removedSetsFileUnlinked(profile, s, op.process(), key, op.f() + "()"), op.process(), key);
    }

    /**
     * Qt 6.4: owner {@code p}'s set of {@code key} was removed under it by another owner's remake, or it re-opened the
     * name since ({@link Semaphores#reopened}): its next cleanHandle unlinks the file of the set others have open and
     * removes nothing of it.
     */
    private static boolean metARemovedSet(ModelState s, String p, String key) {
        return s.semaphores().removedUnder(p, key) || s.semaphores().reopened(p, key);
    }

    /** {@code p}'s handle() opened {@code key}'s name again after it unlinked the file ({@link Semaphores#reopened}). */
    private static ModelState reopenedBy(Profile profile, ModelState s, String p, String key) {
        return tracksSetsRemovedByARemake(profile) ? s.with(s.semaphores().withReopened(p, key, true)) : s;
    }

    /**
     * A lock() by an object that does not hold the lock or an unlock() by one that does: QSystemSemaphore's
     * modifySemaphore runs. The holder's lock and a non-holder's unlock return before it (QSharedMemory::lock, unlock:
     * lockedByMe).
     */
    static boolean runsModifySemaphore(ModelOp op, Worker w) {
        return op.f().equals("lock") && !w.locked() || op.f().equals("unlock") && w.locked();
    }

    /**
     * {@link Semaphores#lost}: the object's set, which it opened without owning it, was removed by an owner since, and
     * this step runs its semaphore (lock, unlock, the locker of a detach or of an attach of the same key).
     * QSystemSemaphoreSystemV::modifySemaphore meets EIDRM or EINVAL, drops the handle and calls handle() again, whose
     * semget(IPC_CREAT | IPC_EXCL) succeeds where nothing is under the key at that moment: the object made the set and
     * owns it from now on (createdSemaphore), so its next cleanHandle removes it, and an owner that removes it first
     * makes that IPC_RMID fail. Where the remover re-made the set in the same step (a create in Create mode) this is a
     * race with that step, which the model does not order: both readings are kept. Fuzz qt68-sysv-native seed 231353
     * (FLAKY 1/3): C create(0) k (owns k's set); B create k; A attach k; B lock; A detach, while C create k →
     * AlreadyExists removed the set and re-made it; kill B; C attach k_1 → NotFound (its re-key removed the set);
     * A create k → UnknownError "QSystemSemaphore::cleanHandle: unknown error: Invalid argument".
     */
    static List<ModelState> lockerMayMakeTheSet(ModelState s, ModelOp op, Worker w) {
        String key = w.qtKey();
        if (key == null || !s.semaphores().lost(op.process(), key)) {
            return List.of(s);
        }
        boolean runsTheSemaphore = runsModifySemaphore(op, w) || op.f().equals("detach") && w.attached()
                || op.f().equals("attach") && KeySpaceRules.modelKey(op).equals(key);
        if (!runsTheSemaphore) {
            return List.of(s);
        }
        ModelState reopened = s.with(s.semaphores().rekeyedBy(op.process()));
        return List.of(reopened, own(reopened, op.process(), key)
                .observe(op.f() + " met its set removed under it: its semaphore may have made a fresh one, which it owns"));
    }

    /**
     * Legacy keys (the semaphore has a key file of its own): keys whose semaphore file went while their set lives on
     * ({@link Semaphores#fileGone()}), whose inode {@code key}'s file may have taken, and, when {@code key}'s own file
     * went, every other owned key of the space. Fuzz qt68-sysv seed 204095 (3/3): A's Create mode re-made k's set and
     * file; C's failed re-key to j unlinked that file (its IPC_RMID of the old set failed) and j's file took its inode,
     * so C opened A's set as j's; C create(0) j removed it; A create k → UnknownError.
     */
    private static Set<String> mayShareASemaphoreFile(ModelState s, String key) {
        Set<String> gone = s.semaphores().fileGone();
        Set<String> keys = new HashSet<>();
        for (Semaphores.Owner o : s.semaphores().owned()) {
            String k = o.key();
            if (!k.equals(key) && ModelKey.sameSpace(k, key) && (gone.contains(k) || gone.contains(key))) {
                keys.add(k);
            }
        }
        return keys;
    }

    /**
     * Keys whose objects may have the set {@code key}'s owner removes: those whose key file may be gone under a live set
     * ({@link #keyFileMayBeGone}, so {@code key}'s file may be on its inode), and, when {@code key}'s own file went while
     * its set lives on (a nameless set), every other owned key of the space, whose file may have been made on that inode
     * since. Fuzz qt68-sysv-safe seed 71252 (3/3): C create k-1; C detach (k-1's file goes, C keeps the set); B create k
     * (k's file on that inode: B opens C's set); A create k → AlreadyExists (A opens it too); C create k → AlreadyExists
     * (C's re-key removes its set); A create k-1 → UnknownError.
     */
    private static Set<String> mayBeTheSameSet(ModelState s, String key) {
        Set<String> keys = keyFileMayBeGone(s, key);
        // Keys whose set lived on without its file when this key's file was made, or the other way round, though their
        // files were made again since (Semaphores.reached). Fuzz qt68-sysv-native seed 1407 (3/3 on real Qt 6.8.2): C
        // create k; C detach (k's file goes, C keeps the set); A create(0) k_1 (k_1's file on that inode: A opens C's set
        // in Create mode); B create k (a new file); A create k_1 (its cleanHandle removes C's set); C create k →
        // UnknownError.
        keys.addAll(s.semaphores().reachedEitherWay(key));
        if (namelessSets(s).contains(key) && !s.segments().containsKey(key)) {
            keys.addAll(otherOwnedKeys(s, key, k -> true));
        }
        return keys;
    }

    /**
     * Keys of the same space whose set may be the one removed too: their key file is gone while their set lives on
     * (the last detach's QSharedMemorySystemV::cleanHandle unlinks the key file after IPC_RMID, and with platformSafe or
     * native keys that file is the set's too; or keyFileUnlinked), so the key file of {@code key} may have been made on
     * its freed inode and ftok'd to that set. Fuzz qt68-sysv-safe and -native seed 4 (3/3): B create k; B detach;
     * A create k-1 (opens B's set in Create mode); A create j (removes it); B attach k_1 → UnknownError.
     */
    private static Set<String> keyFileMayBeGone(ModelState s, String key) {
        return otherOwnedKeys(s, key, k -> !s.segments().containsKey(k) || s.isUnnamed(k));
    }

    /** The keys of {@code key}'s space other than {@code key} that an object owns a set of, and that {@code which} accepts. */
    private static Set<String> otherOwnedKeys(ModelState s, String key, java.util.function.Predicate<String> which) {
        Set<String> keys = new HashSet<>();
        for (Semaphores.Owner o : s.semaphores().owned()) {
            String k = o.key();
            if (!k.equals(key) && ModelKey.sameSpace(k, key) && which.test(k)) {
                keys.add(k);
            }
        }
        return keys;
    }

    /**
     * initKey at attach(): an object that owns the semaphore removes it and makes a fresh one (value 1);
     * one that finds none makes it and owns it from now on.
     */
    static List<ModelState> keyedByAttach(Profile profile, ModelState s, ModelOp op, boolean wasLocked, String keyBefore) {
        String p = op.process();
        if (profile.keyingSplitsLock()) {
            return openedByAttach(s, op, wasLocked);
        }
        if (!profile.keyingResetsLock() || s.worker(p).attached()) {
            // An attached object's attach() returns false before initKey (QSharedMemory::attach tests isAttached first):
            // nothing keyed, and a set removed under it stays removed (fuzz qt68-sysv seed 320979, 3/3: B attach k →
            // NotFound, B owns k's set; C create k; B create k-1 removes it; C attach k → false; C create(0) k →
            // UnknownError).
            return List.of(s);
        }
        String key = s.worker(p).key();
        // A new key whose file went with its segment: this attach's handle() makes the file again, which makes the object
        // its maker (QSystemSemaphoreSystemV createdFile), so its next re-key unlinks whatever file is under the name by
        // then, as an owner's does (fuzz qt68-sysv-safe seed 40119, 3/3: B create k; B detach; A attach k → NotFound;
        // B create k; A create j → AlreadyExists, j's file on the inode of B's unlinked one).
        boolean makesTheFile = profile.lockSharesKeyFile() && !key.equals(keyBefore) && s.unnamed().contains(key)
                && !s.segments().containsKey(key);
        // Its locker's acquire meets a removed set with EINVAL and re-opens one (modifySemaphore): nothing stale left.
        boolean itsSetWasRemoved = metARemovedSet(s, p, key);
        ModelState base = keyedBy(s.with(s.semaphores().rekeyedBy(p)), key, p, "attach()", false);
        if (base.semaphores().owns(p, key)) {
            base = resetLock(base, key, p, "attach() by the object that owns the lock's semaphore");
            // Qt 6.4: its initKey's cleanHandle removes its set and handle() makes a fresh one, or, where another owner's
            // remake removed its set first, it unlinks the file of the set that owner made (removedSetsFileUnlinked) and
            // opens the name again in Open mode.
            base = itsSetWasRemoved ? reopenedBy(profile, removedSetsFileUnlinked(profile, base, p, key, "attach()"), p, key)
                    : removedByARemake(profile, base, p, key);
            // The owner re-makes it itself: one other opener is enough for two semaphore sets (an attached
            // object's attach() returns before initKey).
            base = s.worker(p).attached() ? base : mayBeSplitByKeyFile(base, key, p, 1, "attach() by the object that owns the lock's semaphore");
        }
        if (!base.semaphores().present(key) || makesTheFile) {
            return List.of(own(base, p, key));
        }
        return setMayBeGoneUnderItsOwners(profile, s, key) ? List.of(base, own(base, p, key)) : List.of(base);
    }

    /**
     * The keying part of an attach ({@link SegmentModel#ATTACH_KEYED}) in Qt 6.8's System V with the key file shared by
     * segment and set ({@link Profile#lockSharesKeyFile()}): where the key's file went with its segment and no segment has
     * been made since, this handle() makes the file (QtIpcCommon::createUnixKeyFile returns 1: createdFile), as a
     * sequential attach's does ({@link #keyedByAttach}, makesTheFile), before its locker waits; a create of the key that
     * overlaps the attach may make its segment on that file meanwhile, and the object's next re-key then unlinks it under
     * that segment ({@link #droppedByRekey}, {@link #keyFileUnlinked}), whose inode a key file made since may take. Fuzz
     * qt68-sysv-native seed 4956 (a mutant, 3/3 and again in replay, `--length 64`): B create k; B lock; B unlock; B
     * detach (k's file goes, B keeps its set); C create k; C detach; B lock; A attach k, its locker waiting behind B;
     * C create k (its segment on A's file; Create mode let A in); A write; A detach; A attach j → true, attached to C's
     * segment through j's file on the inode A's re-key freed.
     */
    static ModelState attachKeyedMadeTheKeyFile(Profile profile, ModelState s, ModelOp op, Worker w) {
        String key = KeySpaceRules.modelKey(op);
        if (!profile.lockSharesKeyFile() || !profile.retryRemovesOrphan() || w.attached() || key.equals(w.qtKey())
                || !s.unnamed().contains(key) || s.segments().containsKey(key) || s.semaphores().owns(op.process(), key)) {
            return s;
        }
        return own(s, op.process(), key).observe("the keying of an attach made the key file that went with its segment"
                + " (createdFile): its next re-key unlinks it, under whatever segment was made on it meanwhile");
    }

    /**
     * Qt 6.8's System V: every owner of the key's set may have had it removed under it (another owner's re-key removed
     * the set, perhaps one another key's file had reached: {@link #removedUnderOthers}), so an attach's handle() may find
     * no set, make one (semget IPC_EXCL succeeds) and own it, its file included (QSystemSemaphoreSystemV::handle sets
     * createdFile with createdSemaphore): its next re-key unlinks the key file. Fuzz qt68-sysv-safe seed 131395 (3/3):
     * A create k; A detach; C create j (j's file on k's freed inode: C opened A's set); A create k_1 (A's re-key removed
     * it); B attach j (a fresh set, B's); B create k-1 → AlreadyExists (B's re-key unlinked j's file, k-1's took the inode).
     */
    private static boolean setMayBeGoneUnderItsOwners(Profile profile, ModelState s, String key) {
        List<Semaphores.Owner> owners = s.semaphores().owned().stream().filter(o -> o.key().equals(key)).toList();
        return profile.retryRemovesOrphan() && !owners.isEmpty()
                && owners.stream().allMatch(o -> s.semaphores().removedUnder(o.process(), key));
    }

    /**
     * Qt's POSIX create(): initKey in Create mode closes the object's semaphore (sem_unlink of its
     * name if the object made it), then sem_unlinks whatever is under the name and sem_opens a fresh
     * one, which only this object has open. Every process that opened the old one keeps it (a
     * separate lock from now on); later openers get the fresh one. Whether create() then fails
     * (AlreadyExists) or not. (Replays /work/notes/posix/*.json: B create, A create fails, A lock,
     * B lock: both hold, on the Java posix column and on real Qt 6.8.)
     */
    private static ModelState splitByCreate(ModelState s, ModelOp op, boolean wasLocked) {
        String p = op.process();
        String key = s.worker(p).key();
        Semaphores closed = s.semaphores().closedBy(p);
        if (op.outcome() == Outcome.FAIL && KeySpaceRules.longKeyRefused(op)) {
            return s.with(closed); // sem_open refused the name too: nothing open
        }
        String old = s.semaphores().named(key);
        String before = s.semaphores().handle(p);
        ModelState next = s.with(closed.openedBy(p, key, true));
        if (old != null) {
            next = next.observe("create() made a fresh semaphore under the lock's name: whoever opened the old one keeps it"
                    + " (the lock no longer excludes across the two)");
        }
        return lockerPosts(next, p, wasLocked, before);
    }

    /**
     * Qt's POSIX attach(): initKey in Open mode. Qt 6.4 (and the Java posix backend, which mirrors it)
     * first sets an empty key, so the object closes its semaphore (sem_unlink if it made it) and opens
     * the name again: whatever is under it now, or a fresh one of its own if nothing is. Qt 6.8 keeps
     * the semaphore it has when the key is the same. Both are legal; attach() by an attached object
     * returns before initKey.
     */
    private static List<ModelState> openedByAttach(ModelState s, ModelOp op, boolean wasLocked) {
        String p = op.process();
        Worker w = s.worker(p);
        if (w.attached()) {
            return List.of(s);
        }
        Semaphores closed = s.semaphores().closedBy(p);
        if (op.outcome() == Outcome.FAIL && KeySpaceRules.longKeyRefused(op)) {
            return List.of(s.with(closed));
        }
        String before = s.semaphores().handle(p);
        List<ModelState> out = new ArrayList<>();
        out.add(lockerPosts(s.with(closed.openedBy(p, w.key(), false)), p, wasLocked, before));
        if (before != null && Semaphores.keyOf(before).equals(w.key())) {
            out.add(s);
        }
        return out;
    }

    /**
     * {@link Profile#keyingSplitsLock()}: the keying part of an attach ({@link SegmentModel#ATTACH_KEYED}, placed in the
     * attach's interval). QSharedMemory::attach runs initKey before its QSharedMemoryLocker: the POSIX QSystemSemaphore
     * sem_opens the name then, and where another process holds the semaphore under the name, the locker's sem_wait waits
     * on that one. A create in Create mode placed after it sem_unlinks the name and makes a fresh semaphore, which the
     * waiting object never sees: the attach, placed where it returns, keeps the one it opened (Qt 6.8 keeps the semaphore
     * of the same key, {@link #openedByAttach}). Fuzz qt68-posix seed 982342 (3/3 on real Qt 6.8.2): A attach k →
     * NotFound; A lock; B attach k waits behind A; C create k; A unlock; B attach → true; B lock; A lock → blocks (B
     * holds the old semaphore A's object has). Only where the locker waits (the semaphore under the name held by
     * another process) and initKey opens the name (an attached object's attach returns before it; Qt 6.8's setNativeKey
     * keeps the semaphore the object has of the same key): elsewhere the rest of the call follows at once.
     */
    static ModelState openedBeforeItsLockerWaits(Profile profile, ModelState s, ModelOp op) {
        String p = op.process();
        if (!profile.keyingSplitsLock() || op.key() == null || op.key().isEmpty() || s.worker(p).attached()) {
            return s;
        }
        String key = KeySpaceRules.modelKey(op);
        String has = s.semaphores().handle(p);
        String named = s.semaphores().named(key);
        Lock lock = named == null ? null : s.lock(named);
        if ((has != null && Semaphores.keyOf(has).equals(key)) || !(lock instanceof Lock.HeldBy) || lock.isHeldBy(p)) {
            return s;
        }
        return s.with(s.semaphores().closedBy(p).openedBy(p, key, false))
                .observe("attach() opened the lock's semaphore before its locker waited: it keeps it whatever a create"
                        + " makes under the name meanwhile");
    }

    /**
     * The step's QSharedMemoryLocker found lockedByMe set (the caller held the lock before it, through
     * the semaphore it had open then) and did not acquire, yet its unlock posts the semaphore the object
     * has now: where that is another generation, its value may go to 2 (no outcome of lock() can be ruled
     * out there any more), the old one stays held, and the object no longer holds a lock.
     */
    private static ModelState lockerPosts(ModelState s, String p, boolean wasLocked, String before) {
        String now = s.semaphores().handle(p);
        if (!wasLocked || now == null || now.equals(before)) {
            return s;
        }
        return s.withLock(now, Lock.REINITIALISED).with(p, s.worker(p).locked(false))
                .observe("create/attach while holding the lock: its locker posted a semaphore it never took");
    }

    /** The step failed as a cleanHandle whose IPC_RMID met a removed set makes it fail (UnknownError). */
    static boolean failedOnARemovedSet(ModelOp op) {
        return op.outcome() == Outcome.FAIL && "UnknownError".equals(op.error());
    }

    /** A re-key drops the object: cleanHandle removes the semaphore it owns, so the next opener makes a fresh one. */
    static ModelState droppedByRekey(Profile profile, ModelState s, String p, String oldKey, boolean itsRemovalFailed) {
        if (oldKey == null || !profile.keyingResetsLock() || !s.semaphores().owns(p, oldKey)) {
            return s;
        }
        // The owner leaves: two other openers must each re-make it for two semaphore sets.
        ModelState reset = resetLock(s, oldKey, p, "re-key of the object that owned the lock's semaphore");
        Semaphores removed = s.semaphores().removedBy(p, oldKey);
        if (mayLeaveSetNameless(profile, s, p, oldKey)) {
            // Its cleanHandle unlinks the key's semaphore file whoever made the file there now, and removes only the set
            // it has open, which another owner may have removed and made again since (the model does not follow set
            // generations here): that set lives on, nameless, for the objects that have it open. Fuzz qt seed 3241 (3/3
            // on real Qt 6.4 with TMPDIR on ext4, 0/3 on a tmpfs): C create k; B create k, C create k → AlreadyExists;
            // A attach k; B create j (B's cleanHandle unlinks C's file of k); A lock; B lock → blocks on A's lock
            // through j's file on k's freed inode. A sole owner removes the set the others have open: no nameless set.
            removed = removed.withFileGone(oldKey);
        }
        ModelState dropped = mayBeSplitByKeyFile(reset, oldKey, p, 2, "re-key of the object that owned the lock's semaphore")
                .with(removed);
        if (metARemovedSet(s, p, oldKey)) {
            // Qt 6.4: its set was removed under it by another owner's remake, whose file its cleanHandle unlinks.
            dropped = removedSetsFileUnlinked(profile, dropped, p, oldKey, "re-key");
            dropped = dropped.with(dropped.semaphores().withReopened(p, oldKey, false));
        }
        ModelState unlinked = keyFileUnlinked(profile, removedUnderOthers(profile, dropped, p, oldKey, itsRemovalFailed), oldKey);
        return mayLeaveAFreshSetNameless(profile, s, p, oldKey)
                ? unlinked.withUnnamed(oldKey, true).observe("re-key of an object whose set was removed under it: it unlinked"
                        + " the key file another owner's set was made on since, which lives on without a name")
                : unlinked;
    }

    /**
     * {@link Profile#lockSharesKeyFile()}, where no segment of {@code oldKey} lives (with one, {@link #keyFileUnlinked}
     * marks it): owner {@code p}'s cleanHandle unlinks the key file it made (createdFile), but its set may be gone under
     * it already ({@link Semaphores#removedUnder}), so that it removes none of the others' (its IPC_RMID finds nothing,
     * or its keying had made the file only and opened the set another key's file had on that inode: the key's lock then
     * is marked as maybe another key's, {@link #mayShareAnotherKeysSet}); and another live object owns a set of
     * {@code oldKey}, not removed under it, which its Create mode may have made on {@code p}'s file since. That set lives
     * on without a name, and a key file made since, {@code p}'s own new one in the same call included, may take the freed
     * inode and reach it. Fuzz qt68-sysv-native seed 442978 (3/3): B create k; B detach (k's file goes, B keeps its
     * set); A attach k-1 → NotFound (k-1's file, A's, on k's freed inode: A opens B's set); B create(0) k-1 → InvalidSize
     * (B's re-key removes that set, and Create mode makes a fresh one on A's file); A create j (A's re-key unlinks k-1's
     * file, j's takes its inode and reaches B's fresh set); B lock; A detach blocks in its locker. Without the lock mark
     * (A's keying met no other key's set: its set is its own, live, and its IPC_RMID removes it under B) nothing is left.
     * Legacy keys: {@link #mayLeaveSetNameless} (their sets have files of their own, which a last detach leaves).
     */
    private static boolean mayLeaveAFreshSetNameless(Profile profile, ModelState s, String p, String oldKey) {
        return profile.lockSharesKeyFile() && !s.segments().containsKey(oldKey) && s.semaphores().owns(p, oldKey)
                && s.semaphores().removedUnder(p, oldKey) && s.lock(oldKey) instanceof Lock.Reinitialised
                && s.workers().entrySet().stream().anyMatch(e -> !e.getKey().equals(p) && !e.getValue().dead()
                && oldKey.equals(e.getValue().qtKey()) && s.semaphores().owns(e.getKey(), oldKey)
                && !s.semaphores().removedUnder(e.getKey(), oldKey));
    }

    /**
     * {@link Profile#retryRemovesOrphan()} (Qt 6.8's System V): the last detach's cleanHandle removed the segment and
     * unlinked its key file, which with a platformSafeKey or native key is the semaphore set's too, while objects keep
     * the set open. The next object to key the lock re-makes the file, and a new inode ftoks to a set of its own: the
     * lock may no longer exclude across them (see {@link #keyedBy}). Fuzz qt68-sysv-safe and -native seed 6 (3/3):
     * B create k; B detach; C create k; C lock; B lock → true while C holds it (also with A create k-1 before C's create,
     * whose new key file took the freed inode and B's set). Legacy keys unlink only the segment's file.
     */
    static ModelState keyFileGoneWithTheSegment(Profile profile, ModelState s, String key) {
        if (!profile.lockSharesKeyFile() || s.segments().containsKey(key)) {
            return s;
        }
        return s.withUnnamed(key, true);
    }

    /**
     * A create/attach keys the lock of a key whose file went with its segment: the file is re-made (a new inode may
     * split). A create re-makes it for sure (Create mode); an attach only when its key changed (Qt 6.8's setNativeKey
     * returns early in Open mode for the same key: fuzz seed 6's B attach k → NotFound left the file gone), so the
     * mark stays after an attach.
     */
    private static ModelState keyedBy(ModelState s, String key, String p, String what, boolean remade) {
        // The other owned keys whose key file is gone (namelessSets): this key's file may take one's inode.
        s = s.with(s.semaphores().withReached(key, otherOwnedKeys(s, key, namelessSets(s)::contains)));
        s = mayShareAnotherKeysSet(s, key, p);
        if (!s.unnamed().contains(key) || s.segments().containsKey(key)) {
            return s;
        }
        ModelState split = mayBeSplitByKeyFile(s, key, p, 1, what + " after the key file went with the segment");
        return remade ? split.withUnnamed(key, false) : split;
    }

    /**
     * Keys whose set may live on while its key file is gone: a segment's file that was the set's too ({@code unnamed},
     * Qt 6.8 with platformSafe or native keys) or the set's own file ({@link Semaphores#fileGone()}, Qt 6.4 and legacy
     * keys). Each is filled only under the profile it belongs to.
     */
    private static java.util.SortedSet<String> namelessSets(ModelState s) {
        java.util.SortedSet<String> keys = new java.util.TreeSet<>(s.unnamed());
        keys.addAll(s.semaphores().fileGone());
        return keys;
    }

    /**
     * Whether owner {@code p}'s cleanHandle of {@code oldKey} may unlink the key's semaphore file under a set that lives
     * on ({@link #droppedByRekey}): the lock has a key file of its own, other live objects have the key, and another
     * owner may have made the set they have open after {@code p} took its own.
     */
    private static boolean mayLeaveSetNameless(Profile profile, ModelState s, String p, String oldKey) {
        return profile.lockKeyFileMayBeReused() && s.semaphores().owns(p, oldKey) && othersHaveTheKey(s, oldKey, p)
                && anotherOwner(s, oldKey, p);
    }

    /**
     * Qt 6.4's System V lock: {@code p}'s attach of {@code key} may fail with KeyError ("QSharedMemoryPrivate::initKey:
     * unable to set key on lock") when {@code p} owns the key's semaphore and another live object that owns it too has
     * the key. {@code p}'s initKey removes the set and its file (cleanHandle) and handle() makes the file again; the other
     * owner, waiting on the set in a lock (or a detach's locker), gets EIDRM, and its modifySemaphore's cleanHandle
     * unlinks whatever file is under the name (it made the file: createdFile) before {@code p}'s ftok, which then fails.
     * Measured on the qt column, the message above in the history: fuzz qt seed 211, schedule 258, FLAKY (1 of 3): C
     * create k; B create k → AlreadyExists (B owns since, Create mode); A attach k; A detach; A lock; C detach (waits
     * behind A); B attach k → KeyError, C's detach returning 0.05 ms later; the same at schedule 499 in an earlier
     * campaign. The model cannot see that the other owner is waiting at that moment, so it is a "may" whenever one has
     * the key. Qt 6.8's (retryRemovesOrphan profiles) only for a create ({@code createMode}): its setNativeKey returns
     * early for the key the object has in Open mode (qsystemsemaphore.cpp), so its attach removes no set, but in Create
     * mode it runs cleanHandle and handle() all the same: fuzz qt68-sysv seed 203122 (1 of 4 runs, the message in the
     * history: "QSystemSemaphore::handle:: ftok failed"): A create k; A lock; A unlock; C create k → AlreadyExists (C
     * owns since); B attach k; B lock; A lock (waits); C create k → KeyError; A's lock returned 0.3 ms later.
     */
    static boolean keyFileMayGoUnderKeying(Profile profile, ModelState s, String p, String key, boolean createMode) {
        return profile.lockIsASystemVSet() && (!profile.retryRemovesOrphan() || createMode) && key != null
                && s.semaphores().owns(p, key)
                && s.workers().entrySet().stream().anyMatch(e -> !e.getKey().equals(p) && key.equals(e.getValue().key())
                && !e.getValue().dead() && s.semaphores().owns(e.getKey(), key));
    }

    /**
     * After {@link #keyFileMayGoUnderKeying} happened: {@code p} made the key file it could not ftok (createdFile, so its
     * next re-key unlinks whatever file is under the name by then), and the waiting owner made a file and a set of its
     * own, on whatever inode: the key's openers may be on separate sets from now on.
     */
    static ModelState keyFileTakenUnderKeying(ModelState s, String p, String key) {
        ModelState t = s.lock(key) instanceof Lock.Reinitialised ? s : s.withLock(key, Lock.REINITIALISED);
        return own(t, p, key).observe("the key file " + p + "'s keying made was unlinked by another owner re-opening the"
                + " removed set: ftok failed (KeyError), and the key's openers may be on separate sets");
    }

    /**
     * {@link SegmentModel#KEY_FILE_MADE}: the handle() of {@code op}'s call made or found the key file and has not ftok'd
     * it yet. Qt 6.8's System V only ({@link Profile#retryRemovesOrphan()}: QSystemSemaphoreSystemV::handle makes the file
     * with QtIpcCommon::createUnixKeyFile and then ftoks it, and whatever ftok fails on stays in the object's semaphore).
     */
    static Step keyFileMadeBeforeItsFtok(Profile profile, ModelState s, ModelOp op) {
        if (!profile.lockIsASystemVSet() || !profile.retryRemovesOrphan() || op.key() == null || op.key().isEmpty()) {
            return Step.violates(Property.API_CONTRACT, "no Qt 6.8 System V key file to make before an ftok");
        }
        return Step.to(s.withFtok(op.process(), new ModelState.Ftok(KeySpaceRules.modelKey(op), false)));
    }

    /**
     * The marks of {@link ModelState#ftoks} after {@code op} led from {@code before} to {@code after}: its own object's is
     * consumed by its call (the op after the mark in program order), and another object's is marked unlinked where
     * {@code op} unlinked its key file ({@link #unlinksTheKeyFile}).
     */
    static ModelState ftoksAfter(Profile profile, ModelState before, ModelOp op, ModelState after) {
        ModelState next = SegmentModel.KEY_FILE_MADE.equals(op.f()) ? after : after.withFtok(op.process(), null);
        for (Map.Entry<String, ModelState.Ftok> e : before.ftoks().entrySet()) {
            ModelState.Ftok made = e.getValue();
            if (!e.getKey().equals(op.process()) && !made.unlinked() && unlinksTheKeyFile(profile, before, op, after, made.key())) {
                next = next.withFtok(e.getKey(), new ModelState.Ftok(made.key(), true));
            }
        }
        return next;
    }

    /**
     * Whether {@code op} unlinked {@code key}'s file in Qt 6.8's System V, as it led from {@code before} to {@code after}.
     * Only an object keyed {@code key} (its key file is that path, Worker.qtKey) unlinks it, in one of two places:
     * QSharedMemorySystemV::cleanHandle (a detach, or the cleanHandle of initKey) removes a segment nobody is attached to
     * and unlinks the object's key file, which with a platformSafeKey or a native key is the semaphore's too
     * ({@link Profile#lockSharesKeyFile()}; legacy keys give the semaphore a file of its own); and
     * QSystemSemaphoreSystemV::cleanHandle unlinks the file where the object made it or opened the set in Create mode
     * (createdFile: an owner), run by setNativeKey in Create mode (a create) or for a new key (an attach that is not
     * attached), and by modifySemaphore when its set was removed under it (a lock, an unlock, a detach's locker).
     * A SIGKILL runs no cleanHandle.
     */
    static boolean unlinksTheKeyFile(Profile profile, ModelState before, ModelOp op, ModelState after, String key) {
        Worker q = before.worker(op.process());
        if (!key.equals(q.qtKey()) || Outcome.DEATH == op.outcome() || "kill".equals(op.f())) {
            return false;
        }
        if (profile.lockSharesKeyFile() && before.segments().keySet().stream().anyMatch(k -> !after.segments().containsKey(k))) {
            return true;
        }
        if (!before.semaphores().owns(op.process(), key)) {
            return false;
        }
        return switch (op.f()) {
            case "create", SegmentModel.CREATE_KEYED -> true;
            case "attach", SegmentModel.ATTACH_KEYED -> !q.attached() && !KeySpaceRules.modelKey(op).equals(key);
            case "lock", "unlock", "detach" -> before.semaphores().removedUnder(op.process(), key)
                    && (runsModifySemaphore(op, q) || "detach".equals(op.f()) && q.attached());
            default -> false;
        };
    }

    /**
     * After {@link LifecycleRules#ftokMayMissItsKeyFile}: {@code p}'s handle() made the key file it could not ftok
     * (createdFile, so its next re-key unlinks whatever file is under the name by then), and whoever unlinked it, or
     * keys the lock next, makes a file and a set of its own, on whatever inode: the key's openers may be on separate sets
     * from now on (as {@link #keyFileTakenUnderKeying}).
     */
    static ModelState keyFileUnlinkedBeforeItsFtok(ModelState s, String p, String key) {
        ModelState t = s.lock(key) instanceof Lock.Reinitialised ? s : s.withLock(key, Lock.REINITIALISED);
        return own(t, p, key).observe("the key file " + p + "'s keying made or found was unlinked by another object before"
                + " its ftok: ftok failed (KeyError), and the key's openers may be on separate sets");
    }

    /** Whether an object other than {@code p}'s owns {@code key}'s semaphore too (made it, or opened it in Create mode). */
    private static boolean anotherOwner(ModelState s, String key, String p) {
        return s.semaphores().owned().stream().anyMatch(o -> o.key().equals(key) && !o.process().equals(p));
    }

    /** Whether a live object other than {@code p}'s has {@code key}. */
    private static boolean othersHaveTheKey(ModelState s, String key, String p) {
        return s.workers().entrySet().stream().anyMatch(e -> !e.getKey().equals(p) && key.equals(e.getValue().key()) && !e.getValue().dead());
    }

    /**
     * The key file made for {@code key} may take the freed inode of another key's file that went while that key's set
     * lives on (marked in {@code unnamed}), so both keys' objects may lock one set: where another live object has that
     * key, neither lock can be ruled on any more. Fuzz qt68-sysv-safe and -native seed 8 (3/3): C create k; C detach;
     * B create j; B lock; C lock → blocks while nobody holds k's lock.
     */
    private static ModelState mayShareAnotherKeysSet(ModelState s, String key, String p) {
        java.util.SortedSet<String> nameless = namelessSets(s);
        nameless.addAll(s.semaphores().unlinkedBy().keySet());
        for (String other : nameless) {
            // Where only an owner of a removed set unlinked the file (Semaphores.unlinkedBy), the set lives on for the
            // key's objects other than that unlinker.
            String unlinker = namelessSets(s).contains(other) ? null : s.semaphores().unlinkedBy().get(other);
            boolean opened = s.workers().entrySet().stream().anyMatch(e -> !e.getKey().equals(p)
                    && !e.getKey().equals(unlinker) && other.equals(e.getValue().key()) && !e.getValue().dead());
            if (!other.equals(key) && ModelKey.sameSpace(other, key) && opened) {
                if (!(s.lock(other) instanceof Lock.Reinitialised)) {
                    s = s.withLock(other, Lock.REINITIALISED);
                }
                if (!(s.lock(key) instanceof Lock.Reinitialised)) {
                    s = s.withLock(key, Lock.REINITIALISED);
                }
                s = s.observe("a new key file may ftok to the set of a key whose file is gone: the two keys' locks may be"
                        + " one (the lock no longer excludes, or excludes across keys)");
            }
        }
        return s;
    }

    /**
     * {@link Profile#retryRemovesOrphan()} (Qt 6.8's System V): the re-keyed owner's QSystemSemaphoreSystemV::cleanHandle
     * unlinks the key file it made or opened in Create mode (createdFile). With a platformSafeKey or a native key that
     * file is the segment's key file too (QSharedMemoryPrivate::semaphoreNativeKey returns the segment's native key), so
     * a segment still attached loses its name: a key file made since may get the freed inode (ext4 reuses it, tmpfs does
     * not) and ftok to the segment's key, and the segment's own key, re-made, may ftok elsewhere. Measured 3/3 on
     * qt68-sysv-safe and -native (fuzz seed 3): C create k; A create k → AlreadyExists; A create k_1 (or j, or k-1) →
     * AlreadyExists; A attach j instead → true, attached to C's segment; after A create j, B attach k → NotFound while C
     * holds it. Legacy keys (qt68-sysv) name a semaphore file of their own and kept every lookup as documented in the same
     * replays: only {@link Profile#lockSharesKeyFile()} marks (the mark only allows those outcomes, it never rules the
     * documented ones out: LifecycleRules.createOn, attachOn). Where the key has no segment of its own, the file an
     * object reached another key's segment through is marked gone ({@link #reachedThroughItUnlinked}).
     */
    static ModelState keyFileUnlinked(Profile profile, ModelState s, String key) {
        if (!profile.lockSharesKeyFile()) {
            return s;
        }
        if (!s.segments().containsKey(key)) {
            return reachedThroughItUnlinked(s, key);
        }
        return s.withUnnamed(key, true).observe("the key file of a live segment unlinked by its semaphore's owner: a key"
                + " file made since may reach it, and its own key may not");
    }

    /**
     * A key with no segment of its own, whose file a live object reached another key's segment through
     * ({@link ModelState.Worker#reachedThrough}): the unlink takes that file, so the object's last detach, whose
     * cleanHandle unlinks it by its path after the IPC_RMID, finds none (LifecycleRules.lastDetachMayMissItsKeyFile).
     * Fuzz qt68-sysv-safe seed 7734 (a 64-step campaign, 3/3 on real Qt 6.8.2, strace of the replay): A create k; C
     * create k-1; B create k → AlreadyExists (Create mode: B owns k's set); C detach (k-1's segment and file go, C keeps
     * its set); B attach k-1 (B's re-key unlinked k's file under A's segment, k-1's new file took its inode: A's segment);
     * C attach k (C's re-key unlinked k-1's file, B's by then); A detach; kill C; A create k → AlreadyExists; B detach →
     * false, NoError: the segment removed, then the unlink of k-1's missing file. Another key's file may take the freed
     * inode: the file is gone either way.
     */
    private static ModelState reachedThroughItUnlinked(ModelState s, String key) {
        boolean reached = s.workers().values().stream().anyMatch(w -> !w.dead() && w.attached() && key.equals(w.reachedThrough()));
        return reached ? s.withUnnamed(key, true).observe("the key file an object reached another key's segment through"
                + " unlinked by its semaphore's owner: that object's last detach may find no file to unlink") : s;
    }

    /**
     * {@link Profile#lockSharesKeyFile()}, a key with no segment: owner {@code p}'s semop met the set another owner removed
     * under it (EINVAL), and modifySemaphore's cleanHandle unlinked the key's file, which by now may be another object's,
     * whose set lives on without a name; handle() made the file again, on a freed inode: that set's, a fresh one's, or the
     * inode of another key's file that went while its set lives on, whose set {@code p} then opens
     * ({@link #mayShareAnotherKeysSet}). Fuzz qt68-sysv-safe seed 28992 (3/3 on real Qt 6.8.2, strace): C attach k →
     * NotFound (C made k's set); A2 create(0) k (Create mode: A2 owns it too); A2 create j (its re-key removed the set and
     * unlinked k's file, j's file took the inode); B attach k → NotFound (a new file and set); A2 detach (j's file goes,
     * A2 keeps j's set); B lock; C lock → true: C's semop unlinked B's file and made k's again on j's freed inode.
     */
    static ModelState semopRemadeTheSetsFile(ModelState s, String key, String p, String what) {
        ModelState remade = mayShareAnotherKeysSet(s, key, p);
        return mayBeSplitByKeyFile(remade, key, p, 1, what + ", whose semop unlinked the key file and made it again");
    }

    /**
     * As {@link #keyFileUnlinked}, where the unlinker makes the file again at once (an owner's create in Create mode):
     * the re-made file may be on another inode, so the segment may lose its name and its old inode may go to another
     * key's file, but a file is there (a later unlink of it works).
     */
    static ModelState keyFileRemade(Profile profile, ModelState s, String key) {
        if (!profile.lockSharesKeyFile() || !s.segments().containsKey(key)) {
            return s;
        }
        return s.withKeyFileRemade(key).observe("the key file of a live segment unlinked and made again by its semaphore's"
                + " owner: it may be on another inode now");
    }

    /**
     * System V (keyingResetsLock): the owner's cleanHandle removes the semaphore set and its key file
     * ({@code qipc_systemsem_*}). Every other object that had the set open gets EIDRM at its next
     * lock/unlock, and Qt's modifySemaphore then runs cleanHandle (an object that made the key file, or
     * opened the semaphore in Create mode, unlinks whatever file is under the name by now) and handle()
     * again, which re-creates the key file and ftoks it. Whether the re-created file gets the inode of the
     * removed one decides whether the openers meet on one set or each make their own: ext4 tends to reuse
     * the inode, tmpfs does not. Nothing in the API says which, so both are legal: once {@code openers}
     * other objects (besides the owner) had the set open, no outcome of lock() can be ruled out any more.
     * (Replays of the sysv fuzz seed 20: B create, A create fails, A attach, B lock, A lock: A acquires
     * while B holds with TMPDIR on a tmpfs, and waits on ext4; the same on the Java sysv column, real Qt
     * 6.4 and real Qt 6.8.)
     */
    private static ModelState mayBeSplitByKeyFile(ModelState s, String key, String owner, int openers, String what) {
        long others = s.workers().entrySet().stream()
                .filter(e -> !e.getKey().equals(owner) && key.equals(e.getValue().key()) && !e.getValue().dead())
                .count();
        if (others < openers || s.lock(key) instanceof Lock.Reinitialised) {
            return s;
        }
        return s.withLock(key, Lock.REINITIALISED).observe(what + " by " + owner + " removed the semaphore set and its"
                + " key file under " + others + " other opener(s): a re-created key file may ftok to a new key (a new"
                + " inode), so they may end up on separate sets (the lock no longer excludes across them)");
    }

    /**
     * The segment of {@code key} was destroyed: where the lock lives in the segment (seeds M4/M5) it
     * goes with it, a dead holder's claim included, and the next segment of that key brings a free
     * one. Where the profile is silent both are legal.
     */
    static List<ModelState> segmentDestroyed(Profile profile, ModelState s, String key) {
        Lock lock = s.lock(key);
        if (lock == null || lock instanceof Lock.Reinitialised || Boolean.FALSE.equals(profile.lockLivesInSegment())) {
            return List.of(s);
        }
        ModelState gone = s.withLock(key, null).observe("segment destroyed: the lock in it went with it");
        return Boolean.TRUE.equals(profile.lockLivesInSegment()) ? List.of(gone) : List.of(s, gone);
    }

    /** The holder lets go; a re-initialised lock stays unknowable. */
    static ModelState release(ModelState s, String key) {
        return s.lock(key) instanceof Lock.Reinitialised ? s : s.withLock(key, null);
    }

    private static ModelState resetLock(ModelState s, String key, String by, String what) {
        if (!(s.lock(key) instanceof Lock.HeldBy held)) {
            return s;
        }
        return s.withLock(key, Lock.REINITIALISED).observe(what + " by " + by + " re-initialised the lock " + held.process()
                + " held: it no longer excludes (Qt 6.4)");
    }

    private static ModelState own(ModelState s, String p, String key) {
        return s.with(s.semaphores().own(p, key));
    }
}
