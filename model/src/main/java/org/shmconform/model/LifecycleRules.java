package org.shmconform.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.shmconform.model.ModelOp.Outcome;
import org.shmconform.model.ModelState.Segment;
import org.shmconform.model.ModelState.Worker;
import org.shmconform.model.Promises.Departure;
import org.shmconform.model.Promises.Fate;
import org.shmconform.model.SegmentModel.Step;

/**
 * A segment's life: create, attach, detach, what the last detach does, and a worker's death (a
 * SIGKILL or a crash: the kernel detaches it, and its locks go as the profile says).
 */
final class LifecycleRules {
    /**
     * What {@link #leftNameless} puts after a key to name the segment that lost its key file: "k (nameless)",
     * "k (nameless 2)".
     */
    private static final String NAMELESS = " (nameless";
    /**
     * How a segment's attachers name a mapping its process keeps with no object on it ({@link #mappingsLeftInPlace}):
     * the kernel counts it (shm_nattch), no detach of the process's takes it, its end does ({@link #death}).
     */
    static final String LEFT_MAPPED = " (left mapped)";

    private LifecycleRules() {
    }

    static Step create(Profile profile, ModelState s, ModelOp op, Worker w) {
        if (op.key().isEmpty()) {
            return Expect.fail(s, op, "KeyError", Property.API_CONTRACT, "create with an empty key");
        }
        if (keptHandleIsStale(profile, s, op, w)) {
            return staleHandleFails(s, op);
        }
        Step documented = createWithKeptHandle(profile, s, op, w);
        Step instead = whatAKeptHandleMayMakeOfIt(profile, s, op, w);
        if (instead == null
                && LockRules.keyFileMayGoUnderKeying(profile, s, op.process(), KeySpaceRules.modelKey(op), true)) {
            // Qt 6.4's create() runs initKey (Open mode) before its Create-mode setKey, Qt 6.8's keys in Create mode: the
            // attach's race, on create.
            instead = keyFileWentUnderKeying(profile, s, op, w);
        }
        instead = orFtokMissedItsKeyFile(instead, profile, s, op, w);
        return instead == null ? documented : Step.either(documented, instead);
    }

    /**
     * What a failed create's kept handle may make of this create/attach instead of its documented outcome
     * ({@link #keptHandleMayBeStale}, {@link #keptHandleMayMissItsKeyFile}); null when nothing.
     */
    private static Step whatAKeptHandleMayMakeOfIt(Profile profile, ModelState s, ModelOp op, Worker w) {
        if (keptHandleMayBeStale(profile, s, op, w)) {
            Step stale = staleHandleFails(s, op);
            List<String> reached = reachedOnTheFreedInodeWithoutItsKeyFile(s, op);
            return reached.isEmpty() ? stale
                    : Step.either(stale, Step.anyOf(reached, j -> keptHandleRemovedAnotherKeysSegment(s, op, j)));
        }
        if (keptHandleMayMissItsKeyFile(profile, s, op, w)) {
            return keptHandleMissedItsKeyFile(s, op);
        }
        return null;
    }

    private static Step createWithKeptHandle(Profile profile, ModelState s, ModelOp op, Worker w) {
        s = semaphoreErrorCleared(s, op.process()); // Create mode: setNativeKey clears the error first
        boolean semaphoreGone = semaphoreRemovedUnder(profile, s, op, w); // the orphan's cleanHandle touches no semaphore
        List<ModelState> bases = new ArrayList<>();
        for (ModelState cleaned : cleanOrphanHandle(profile, s, op.process())) {
            for (ModelState keyed : KeySpaceRules.rekey(profile, cleaned, op, w)) {
                ModelState base = LockRules.keyedByCreate(profile, keyed, op, w.locked());
                if (semaphoreGone) {
                    bases.add(base);  // initKey gave up before the locker: nothing to release
                } else {
                    bases.addAll(LockRules.lockerMayRelease(base, op.process(), "create"));
                }
            }
        }
        if (semaphoreGone) {
            return Step.to(semaphoreCleanHandleFailed(bases, op));
        }
        List<ModelState> marked = bases.stream().flatMap(base -> markOrphanHandle(profile, base, op).stream()).toList();
        return Step.anyOf(marked, base -> createOn(profile, base, op));
    }

    /**
     * {@link Profile#retryRemovesOrphan()}: the object owns a semaphore set that another owner's object removed since
     * (LockRules.removedUnderOthers), and this create() (or an attach() to another key) re-keys its QSystemSemaphore in
     * Create mode (or to a new key). QSystemSemaphore::setNativeKey (qsystemsemaphore.cpp) clears the error, then runs
     * cleanHandle, whose IPC_RMID of the removed set fails with EINVAL (QSystemSemaphoreSystemV::cleanHandle:
     * setUnixErrorString, "unknown error: Invalid argument"), then handle() makes or opens the key's set without clearing
     * that error; QSharedMemoryPrivate::initKey sees it and returns false with UnknownError ("unable to set key on lock").
     * Measured 3/3 on qt68-sysv, -safe and -native (fuzz qt68-sysv seed 90: A create k; C create k → AlreadyExists;
     * A create k → AlreadyExists; C create k → UnknownError; also with A's create first, with no failed create at all:
     * A create, A detach, C create, A create → AlreadyExists, C create → UnknownError; and C attach j / create j). Qt 6.4
     * re-keys through an empty key first, which clears the error (AlreadyExists there). Only "may": after a re-made key
     * file (a new inode) two owners of one key need not own one set, which the model does not follow, and one of them
     * then meets no removed set (the replays where A re-made the segment gave AlreadyExists as well).
     */
    static boolean semaphoreRemovedUnder(Profile profile, ModelState s, ModelOp op, Worker w) {
        // The object's QSystemSemaphore is keyed by the key Qt was given (Worker.qtKey), which is not its segment's
        // where it reached that segment through another key's file: fuzz qt68-sysv-safe seed 206292 (3/3): C, attached
        // to A's segment of k through k_1's file, owned k_1's set, which B's Create mode removed; C create(0) k_1 →
        // UnknownError.
        String key = givenKey(w);
        return profile.retryRemovesOrphan() && op.outcome() == Outcome.FAIL && "UnknownError".equals(op.error())
                && key != null && s.semaphores().removedUnder(op.process(), key)
                && ("create".equals(op.f()) || !KeySpaceRules.modelKey(op).equals(key));
    }

    /**
     * The key Qt was given ({@link Worker#qtKey}), also once the object detached from a segment the model moved to a
     * name of its own ({@link #leftNameless}): its QSystemSemaphore is still keyed by it, and owns that key's set. Fuzz
     * qt68-sysv-native seed 193 (3/3 on real Qt 6.8.2, a default run's fuzz): C, detached from its segment of k left
     * nameless, owned k's set, which B's create of k removed; C attach k_1 → UnknownError.
     */
    static String givenKey(Worker w) {
        String key = w.qtKey();
        int nameless = key == null ? -1 : key.indexOf(NAMELESS);
        return nameless < 0 ? key : key.substring(0, nameless);
    }

    private static List<ModelState> semaphoreCleanHandleFailed(List<ModelState> bases, ModelOp op) {
        List<ModelState> out = new ArrayList<>();
        for (ModelState base : bases) {
            base = base.with(base.semaphores().withError(op.process(), "UnknownError")); // semaphoreErrorKept
            Worker w = base.worker(op.process());
            if ("create".equals(op.f()) && w.attached()) {
                // An attached object's create() runs initKey all the same, whose first step, the segment's cleanHandle,
                // cleared its handle: nothing derives it again before initKey fails, so its detach finds no segment to
                // remove (as after create(0): createOn). Fuzz qt68-sysv-safe seed 152001 (3/3): A create k; B create k →
                // AlreadyExists twice (B's Create mode removed A's set); A create k → UnknownError; A detach → true;
                // A attach k → true, the segment outlived its last detach.
                base = base.with(op.process(), w.withHandleDropped(true));
            }
            out.add(base.observe(op.f() + " by an object whose semaphore set another owner removed: false, UnknownError"
                    + " (Qt 6.8 System V QSystemSemaphore::cleanHandle: IPC_RMID fails with EINVAL)"));
        }
        return out;
    }

    /**
     * {@link Profile#retryRemovesOrphan()}: create() failed with AlreadyExists, and the object keeps its handle
     * to the segment whoever is attached to it now. Qt 6.8's QSharedMemorySystemV::create() (qsharedmemory_systemv.cpp)
     * sets unix_key through handle() before its shmget(IPC_CREAT | IPC_EXCL) fails with EEXIST and never clears it;
     * only the object's next cleanHandle() does (its next create/attach, through QSharedMemoryPrivate::initKey, or a
     * successful detach). What that cleanHandle does is decided by the segment's nattch at that later moment, not at the
     * failed create: fuzz qt68-sysv seed 19 (A create k; C create k → AlreadyExists; kill A; C create k → true, 3/3 on
     * qt68-sysv, -safe and -native), and with a peer still attached at the failed create that later dies too.
     * Where the key's segment had lost its key file, the handle may be another key's nameless segment's instead
     * ({@link #keptOnAnotherNamelessSegment}).
     */
    private static List<ModelState> markOrphanHandle(Profile profile, ModelState s, ModelOp op) {
        if (!profile.retryRemovesOrphan() || op.outcome() != Outcome.FAIL || !"AlreadyExists".equals(op.error())) {
            return List.of(s);
        }
        String key = KeySpaceRules.visibleKey(s, s.worker(op.process()).key());
        if (!s.segments().containsKey(key)) {
            return List.of(s);
        }
        List<ModelState> kept = new ArrayList<>(List.of(s.withOrphan(op.process(), key)));
        kept.addAll(keptOnAnotherNamelessSegment(profile, s, op.process(), key));
        return kept;
    }

    /**
     * The kept handle's segment is gone (its last attacher detached, whose own cleanHandle removed it) and the object
     * is asked again for the same key: Qt 6.8's cleanHandle() finds no segment (shmget fails, shmctl(-1, IPC_STAT)
     * gives EINVAL) and returns false, so initKey() and with it create()/attach() return false at once, error() still
     * the failed create's AlreadyExists; the handle is cleared, the semaphore not touched, and the call after it works.
     * Measured 3 times on qt68-sysv, -safe and -native: A create k; C create k → AlreadyExists; A detach;
     * C create k → AlreadyExists (C attach k → AlreadyExists); C create k → true. A different key goes through
     * setNativeKey, which ignores cleanHandle's answer: no failure then. Certain only while no segment lives in the
     * key space: a segment made since on the old key file's inode has the kept ftok key, and cleanHandle then finds
     * it attached and lets go (fuzz qt68-sysv-native seed 13202, 3/3: B create k; C create k → AlreadyExists; kill B;
     * A attach k; A create k-1 (its re-key removed k's segment and file, k-1's file took the inode); C create k →
     * true): {@link #keptHandleMayBeStale} then allows both. A keying placed apart from its call
     * ({@link SegmentModel#CREATE_KEYED}, {@link SegmentModel#ATTACH_KEYED}) cannot have happened here either: initKey
     * returns before setNativeKey when cleanHandle fails.
     */
    static boolean keptHandleIsStale(Profile profile, ModelState s, ModelOp op, Worker w) {
        String key = s.orphan(op.process());
        return profile.retryRemovesOrphan() && key != null && KeySpaceRules.modelKey(op).equals(w.key())
                && s.segments().keySet().stream().noneMatch(k -> ModelKey.sameSpace(k, key));
    }

    /**
     * The kept handle's segment was destroyed (ModelState.orphanDestroyed) and another segment lives in its key space
     * (under its key or another): the kept ftok key reaches it only if its key file took the old inode, so both the
     * stale failure and the documented outcome are legal. Fuzz qt68-sysv-native seed 76 (3/3 on
     * qt68-sysv-native and -safe): C create k; A create k → AlreadyExists; A create k_1 → AlreadyExists (its new key
     * file took the inode of k's, which A's re-key unlinked: A keeps a handle to k's segment); C detach (destroyed);
     * C create k → true (a new inode: k_1's file still holds the old one); A create k_1 → AlreadyExists (or A attach
     * k_1 → AlreadyExists), and A create k_1 → true after it. A segment re-made on the old inode is reached instead
     * (the kept handle finds it attached and lets go).
     */
    private static boolean keptHandleMayBeStale(Profile profile, ModelState s, ModelOp op, Worker w) {
        String key = s.orphan(op.process());
        return profile.retryRemovesOrphan() && key != null && KeySpaceRules.modelKey(op).equals(w.key())
                && (s.orphanDestroyed(op.process()) || !s.segments().containsKey(key));
    }

    private static Step staleHandleFails(ModelState s, ModelOp op) {
        String key = s.orphan(op.process());
        ModelState next = s.withOrphan(op.process(), null).observe(op.f() + " by the object whose failed create's segment"
                + " was destroyed since: false, error() still AlreadyExists (cleanHandle finds nothing)");
        return Expect.fail(next, op, "AlreadyExists", s.blame(key, Property.LAST_DETACH_DESTROYS),
                op.f() + " by an object whose failed create's segment was destroyed since (Qt 6.8 System V cleanHandle)");
    }

    /**
     * The kept handle may be stale ({@link #keptHandleMayBeStale}) and no segment lives under its own key, so no create
     * made that key's file again since its segment and file went (with a platformSafeKey or a native key the file is the
     * semaphore's too, which a keying may have made again: cleanHandle's unlink then succeeds and the call goes on as
     * {@link #cleanOrphanHandle} has it, which stays legal beside this). Another key's segment nobody is attached to,
     * whose key file took the freed inode, has the kept ftok value: cleanHandle (QSharedMemorySystemV::cleanHandle)
     * finds it with nattch 0 and removes it (IPC_RMID), as {@link #cleanOrphanHandle} does, but its last step,
     * {@code unlink(keyfile) == 0} on the object's own key's path, fails on the missing file: initKey returns false, and
     * create()/attach() with it, error() still the failed create's AlreadyExists. Fuzz qt68-sysv seed 471876 (3/3 on real
     * Qt 6.8.2): A create k; kill A;
     * C create k → AlreadyExists (C keeps the handle); C lock; B create k → AlreadyExists; B create k-1 (B's cleanHandle
     * removed A's segment and unlinked k's file, k-1's file took the inode); kill B; C unlock; C attach k →
     * AlreadyExists; C attach k-1 → NotFound (C's cleanHandle had removed B's segment). The same with a platformSafeKey,
     * fuzz qt68-sysv-safe seed 6452 (3/3, shrunk to 7 steps): A create k; C create k → AlreadyExists; A create k-1 (A's
     * re-key removed k's segment and unlinked k's file, k-1's file took the inode); kill A; C create k → AlreadyExists;
     * C attach k → NotFound; C attach k-1 → NotFound. The segments that may have been reached; empty where the rule does
     * not apply.
     */
    private static List<String> reachedOnTheFreedInodeWithoutItsKeyFile(ModelState s, ModelOp op) {
        String key = s.orphan(op.process());
        if (key == null || s.segments().containsKey(key)
                || op.outcome() != Outcome.FAIL || !"AlreadyExists".equals(op.error())) {
            return List.of();
        }
        return s.segments().entrySet().stream()
                .filter(e -> !e.getKey().equals(key) && e.getValue().attached().isEmpty() && ModelKey.sameSpace(e.getKey(), key))
                .map(Map.Entry::getKey).sorted().toList();
    }

    private static Step keptHandleRemovedAnotherKeysSegment(ModelState s, ModelOp op, String reached) {
        ModelState next = s.withOrphan(op.process(), null).withSegment(reached, null).withOrphanedSegmentDestroyed(reached)
                .because(reached, Property.CRASH_SURVIVES).observe(op.f() + " by the object whose failed create's segment"
                        + " was destroyed since: its cleanHandle removed another key's segment nobody is attached to (its"
                        + " key file took the freed inode), then failed to unlink its own missing key file: false,"
                        + " error() still AlreadyExists");
        return Expect.fail(next, op, "AlreadyExists", Property.CRASH_SURVIVES,
                op.f() + " by an object whose kept handle reached another key's segment (Qt 6.8 System V cleanHandle)");
    }

    /**
     * The kept handle's segment has nobody attached, so the object's next create/attach of the same key removes it in
     * cleanHandle ({@link #cleanOrphanHandle}), whose last step is {@code unlink(key file) == 0}; where another object
     * unlinked that key file ({@link LockRules#keyFileUnlinked}) cleanHandle returns false, and initKey with it: the
     * call fails with the failed create's AlreadyExists still in error(), the segment removed all the same. Fuzz
     * qt68-sysv-native seed 5237 (3/3): C create k; B create k → AlreadyExists; A create k → AlreadyExists; A create k_1
     * → AlreadyExists (A's re-key unlinked k's file); kill C; B create k → AlreadyExists. "May": the unlink succeeds
     * where the file was made again meanwhile.
     */
    private static boolean keptHandleMayMissItsKeyFile(Profile profile, ModelState s, ModelOp op, Worker w) {
        String key = s.orphan(op.process());
        Segment seg = key == null ? null : s.segments().get(key);
        return profile.lockSharesKeyFile() && seg != null && seg.attached().isEmpty() && s.keyFileMissing(key)
                && !s.orphanDestroyed(op.process()) && KeySpaceRules.modelKey(op).equals(w.key());
    }

    private static Step keptHandleMissedItsKeyFile(ModelState s, ModelOp op) {
        String key = s.orphan(op.process());
        ModelState next = s.withOrphan(op.process(), null).withSegment(key, null).withOrphanedSegmentDestroyed(key)
                .because(key, Property.CRASH_SURVIVES).observe(op.f() + " by the object whose failed create kept a handle to"
                        + " a segment nobody is attached to, whose key file another object unlinked: the segment removed,"
                        + " false, error() still AlreadyExists (cleanHandle's unlink fails)");
        return Expect.fail(next, op, "AlreadyExists", Property.CRASH_SURVIVES,
                op.f() + " by an object whose kept handle's key file was unlinked (Qt 6.8 System V cleanHandle)");
    }

    /**
     * {@link SegmentModel#HANDLE_CLEANED}: the cleanHandle that a create() or attach() runs first, taken apart from the rest
     * of the call. Fuzz qt68-sysv seed 189 (FLAKY 1/3 beside a verify): A create k; B create k → AlreadyExists (B keeps
     * the handle); B's next create k overlapped A's last detach and returned true: its cleanHandle found A still attached
     * and let go, A's detach then removed the segment, and B's shmget made a fresh one. Taken as one step the call is
     * either before A's detach (AlreadyExists) or after it (the stale handle: AlreadyExists). Only where the kept handle
     * still reaches a segment at that moment: where cleanHandle surely fails ({@link #keptHandleIsStale}) or may fail on
     * a missing key file ({@link #keptHandleMayMissItsKeyFile}), the call taken whole says what it may do. Where the
     * handle may be stale ({@link #keptHandleMayBeStale}: its own segment went, another lives) the part may let go, as
     * the call taken whole may too, only earlier: fuzz qt68-sysv seed 325164 (3/3): B create k; C, A create k →
     * AlreadyExists; kill B; C create k (a fresh segment on the old inode); C lock; A attach k waited behind C's lock
     * after its cleanHandle found C's segment attached; C detach; A attach k → NotFound. Nothing to place for an object
     * that keeps no handle.
     */
    static Step keptHandleCleanedFirst(Profile profile, ModelState s, ModelOp op, Worker w) {
        String key = s.orphan(op.process());
        if (!profile.retryRemovesOrphan() || key == null) {
            return Step.violates(Property.API_CONTRACT, op.process() + " keeps no handle to clean");
        }
        if (keptHandleIsStale(profile, s, op, w) || keptHandleMayMissItsKeyFile(profile, s, op, w)) {
            return Step.violates(Property.API_CONTRACT, op.process() + "'s cleanHandle may fail: the call answers for it whole");
        }
        return Step.to(cleanOrphanHandle(profile, s, op.process()));
    }

    /**
     * The next create() or attach() of that object cleans its handle first, and Qt 6.8's System V
     * cleanHandle (QSharedMemorySystemV::cleanHandle: shmctl IPC_STAT, nattch 0, IPC_RMID, unlink of the key file)
     * removes a segment with no attachment at that moment: the crashed holder's segment is gone, even when it was
     * still held when the create failed.
     */
    static List<ModelState> cleanOrphanHandle(Profile profile, ModelState s, String p) {
        String key = s.orphan(p);
        if (!profile.retryRemovesOrphan() || key == null) {
            return List.of(s);
        }
        boolean ownGone = s.orphanDestroyed(p);
        ModelState cleared = s.withOrphan(p, null);
        Segment seg = cleared.segments().get(key);
        List<ModelState> out = new ArrayList<>();
        if (seg != null && seg.attached().isEmpty()) {
            // Its last step unlinks the key file, as a last detach's does: with a platformSafeKey or a native key the
            // semaphore set's too, which lives on without a file (LockRules.keyFileGoneWithTheSegment), so the next attach
            // of the key by another object makes the file (createdFile) and its re-key unlinks whatever file is under the
            // name by then. Fuzz qt68-sysv-native seed 943925 (3/3): C create k; B attach k; C detach; C create k →
            // AlreadyExists (keeps the handle); kill B; C attach k → NotFound "QSharedMemory::handle: doesn't exist" (its
            // cleanHandle removed the segment and unlinked k's file, the ftok after it failed); A attach k → NotFound (A
            // made the file); C create k (unlinked A's file, made its own and a segment); A create k_1 → AlreadyExists (A's
            // re-key unlinked C's file, k_1's took its inode).
            out.add(LockRules.keyFileGoneWithTheSegment(profile, cleared.withSegment(key, null)
                    .withOrphanedSegmentDestroyed(key).because(key, Property.CRASH_SURVIVES)
                    .observe("crashed holder's segment: removed by the next create/attach of the object whose create()"
                            + " failed on it (cleanHandle)"), key));
        }
        // Where its own segment is gone, the key's segment now is one made since: on a new inode the kept ftok value is
        // not its key, and cleanHandle leaves it (or reaches another key's segment, below). Fuzz qt68-sysv-native seed
        // 202668 (3/3): B create k; C create k → AlreadyExists; B create j (k's segment and file go); A create k (a
        // fresh segment, on a new inode); kill A; C attach k → true.
        if (seg == null || !seg.attached().isEmpty() || ownGone) {
            out.add(cleared);
        }
        if (seg != null && !ownGone && cleared.isUnnamed(key)) {
            // The kept handle was taken on a key file made again under the key's live segment (its Create mode unlinked
            // and re-made it, LockRules.keyFileRemade): on a freed inode, maybe that of another key's unlinked file, whose
            // nameless segment has the kept ftok value; with nobody attached to it cleanHandle removes it, and then
            // unlinks the file at the key's path, under the key's own live segment. Fuzz qt68-sysv-safe seed 7629 (3/3,
            // shrunk to 9 steps): A create k; C create k_1; B create k → AlreadyExists; B create(0) k_1 (its re-key
            // unlinked k's file); B create k_1 → AlreadyExists (its Create mode re-made k_1's file on k's freed inode:
            // the kept handle is A's segment); C lock; kill A; B attach k_1 (its cleanHandle removed A's segment and
            // unlinked k_1's file) while C detach → false, NoError (its unlink found no file); B attach → NotFound.
            for (Map.Entry<String, Segment> other : cleared.segments().entrySet()) {
                String j = other.getKey();
                if (!j.equals(key) && other.getValue().attached().isEmpty() && ModelKey.sameSpace(j, key) && cleared.isUnnamed(j)) {
                    out.add(keyFileUnlinkedByItsPath(cleared.withSegment(j, null).withOrphanedSegmentDestroyed(j)
                            .because(j, Property.CRASH_SURVIVES).observe("a nameless segment nobody is attached to, removed"
                                    + " by the cleanHandle of a failed create's kept handle taken on a re-made key file"), key));
                }
            }
        }
        if (seg == null || ownGone) {
            // The kept handle is an ftok value: with its own segment gone, another key's segment whose key file was made
            // on the freed inode has that value, and with nobody attached cleanHandle removes it. Fuzz qt68-sysv-safe
            // seed 81698 (3/3): B create k; C create k → AlreadyExists (C keeps the handle); B create j (k's segment and
            // file go, j's file takes the inode); kill B; C attach j → UnknownError (its cleanHandle removed j's
            // segment); C create j → true.
            for (Map.Entry<String, Segment> other : cleared.segments().entrySet()) {
                String j = other.getKey();
                if (!j.equals(key) && other.getValue().attached().isEmpty() && ModelKey.sameSpace(j, key)) {
                    ModelState removed = cleared.withSegment(j, null).withOrphanedSegmentDestroyed(j)
                            .because(j, Property.CRASH_SURVIVES).observe("a segment nobody is attached to, removed by the"
                                    + " cleanHandle of a failed create's kept handle, whose key file's inode its key file may"
                                    + " have taken");
                    out.add(removed);
                    if (removed.segments().containsKey(key)) {
                        out.add(keyFileUnlinkedByItsPath(removed, key));
                    }
                }
            }
        }
        return out;
    }

    /**
     * cleanHandle's last step unlinks the key file by its path, the object's key's, not the removed segment's: a live
     * segment of that key loses its key file, whatever the key space (legacy keys too: the segment's own file), so its
     * last detach's unlink fails ({@link #lastDetachMayMissItsKeyFile}). Fuzz qt68-sysv seed 304499 (3/3): B create k;
     * A create k → AlreadyExists; B create k-1 (k's segment and file go, k-1's file takes the inode); C create k; kill B;
     * A create k → UnknownError (its cleanHandle removed k-1's segment and unlinked C's file of k); C detach → false.
     * Kept beside the state without the mark, as before it ("may": the model does not follow which file is at the path).
     */
    private static ModelState keyFileUnlinkedByItsPath(ModelState s, String key) {
        return s.withUnnamed(key, true).observe("the key file of a live segment unlinked by the cleanHandle of a failed"
                + " create's kept handle that reached another key's segment");
    }

    private static Step createOn(Profile profile, ModelState base, ModelOp op) {
        Worker w = base.worker(op.process());
        String key = w.key();
        if (op.outcome() == Outcome.FAIL && ("OutOfResources".equals(op.error()) || KeySpaceRules.longKeyRefused(op))) {
            return Step.to(base.observe(KeySpaceRules.longKeyRefused(op)
                    ? "key of " + op.realKeyLength() + " characters refused: " + op.error()
                    : "create(" + op.size() + "): OutOfResources"));
        }
        if (op.size() == null || op.size() <= 0) {
            Step refused = Expect.fail(base, op, "InvalidSize", Property.CREATE_SIZE, "create(" + op.size() + ")");
            if (refused.violated() != null || !w.attached() || !profile.lockIsASystemVSet()) {
                return refused;
            }
            // Fuzz qt68-sysv seed 13065, 3/3 on every System V Qt column and the Java sysv (B create k; B create k size 0
            // → InvalidSize; B detach → true; B attach k → true: the segment outlived its last detach).
            return Step.to(base.with(op.process(), w.withHandleDropped(true)).observe("create(" + op.size() + ") by an"
                    + " attached object: InvalidSize after initKey dropped its handle (cleanHandle)"));
        }
        if (w.handleDropped()) {
            base = base.with(op.process(), w.withHandleDropped(false)); // handle() derives it again before anything fails
            w = base.worker(op.process());
        }
        if (w.reachedThrough() != null && op.outcome() == Outcome.OK && base.isUnnamed(key)
                && !base.segments().containsKey(w.reachedThrough())) {
            // It reached its segment through its own key's file, which its create re-made (Create mode) and which
            // may now be on another inode: a fresh segment under its own key, attached again without a detach, its
            // mapping of the old one left in place (QSharedMemory::create calls the backend's attach). Fuzz
            // qt68-sysv-safe seed 24 (FLAKY 1/3 beside another run: mostly the old inode came back, AlreadyExists).
            key = w.reachedThrough();
            base = base.observe("create by an object that reached another key's segment: its re-made key file ftoks"
                    + " elsewhere, a fresh segment");
        }
        String visible = KeySpaceRules.visibleKey(base, key);
        // An object that reached its segment through another key's file creates through that file: its own segment.
        if (base.segments().containsKey(visible) && op.outcome() == Outcome.OK && base.isUnnamed(visible)
                && w.reachedThrough() == null) {
            base = leftNameless(base, visible);
        }
        if (base.segments().containsKey(visible)) {
            return Expect.fail(base, op, "AlreadyExists", base.blame(visible, Property.CREATE_EXISTS_FALLBACK),
                    "create on an existing key");
        }
        List<String> lost = reachedUnnamed(profile, base, key);
        if (!lost.isEmpty() && op.outcome() == Outcome.FAIL && "AlreadyExists".equals(op.error())) {
            // Its key file took the inode of the segment's unlinked one (LockRules.keyFileUnlinked); its handle stays on it.
            List<ModelState> kept = new ArrayList<>();
            for (String reached : lost) {
                kept.add(base.withOrphan(op.process(), reached).observe("create of a new key: AlreadyExists, its new key"
                        + " file ftoks to a segment whose key file was unlinked"));
            }
            return Step.to(kept);
        }
        if (op.outcome() != Outcome.OK) {
            return Step.violates(base.blame(key, Property.CREATE_SIZE),
                    "create(" + op.size() + ") of a new key returned " + Expect.describe(op));
        }
        base = base.withUnnamed(key, false);
        if (op.realKeyLength() > 30) {
            base = base.observe("key of " + op.realKeyLength() + " characters accepted (over 30: not portable to sandboxed Apple apps)");
        }
        base = mappingsLeftInPlace(base, op.process());
        Map<String, Boolean> attached = Map.of(op.process(), op.readOnly());
        Segment seg = new Segment(op.size(), new TreeMap<>(), attached, op.user());
        return Step.to(base.withSegment(key, seg).because(key, null)
                .with(op.process(), new Worker(key, true, op.readOnly(), w.locked(), false, op.size())));
    }

    /**
     * A create() that failed with AlreadyExists where the key's segment had lost its key file: its Create mode made the
     * file again, maybe on the freed inode of another key's nameless segment, which its shmget then met, so the handle it
     * keeps ({@link #markOrphanHandle}) may be that segment's and not the key's (empty where the key's file is there);
     * once that segment is gone, the next cleanHandle finds nothing and the key's segment stays. Fuzz qt68-sysv-safe
     * seed 5294 (3/3 on real Qt 6.8.2 in its campaign and in two replays, strace; later replays gave both last creates
     * true, as the inodes fell):
     * C create k; C create(0) k; B create k_1; C attach k_1 (its re-key's shmdt left k's segment at nattch 0, its
     * cleanHandle unlinked k's file); B create k → AlreadyExists (B's re-key had unlinked k_1's file, and k's new file
     * took that inode: k_1's segment); C detach (removes k_1's segment); B create k → AlreadyExists (its cleanHandle
     * found nothing); C create k_1 → AlreadyExists (k_1's new file took k's first inode).
     */
    private static List<ModelState> keptOnAnotherNamelessSegment(Profile profile, ModelState base, String p, String visible) {
        if (!base.isUnnamed(visible)) {
            return List.of();
        }
        return namelessOthers(profile, base, visible).stream().map(other -> base.withOrphan(p, other)
                .observe("create of a key whose segment lost its key file: AlreadyExists on another key's nameless segment,"
                        + " through the inode its re-made key file took")).toList();
    }

    /**
     * A create() that returns true by an object still mapping a segment (left nameless, or reached through its own key's
     * re-made file) attaches the new one without a shmdt of the old: initKey's cleanHandle found the old one attached and
     * only let go of its handle (Qt 6.8 qsharedmemory_systemv.cpp), and the new attach replaced the object's pointer. The
     * old mapping stays until the process ends, counted in the segment's nattch, so no later detach of the process's
     * object is that segment's last (fuzz qt68-sysv-native seed 10504, 3/3 on real Qt 6.8.2, strace: after B's create of k,
     * B's attach and detach of k-1 on the old segment left it at nattch 1, and B's next attach of k-1 found it). Every
     * segment that still names the process among its attachers is such a mapping: an object is attached to one segment.
     */
    private static ModelState mappingsLeftInPlace(ModelState s, String p) {
        ModelState next = s;
        for (Map.Entry<String, Segment> e : s.segments().entrySet()) {
            Map<String, Boolean> attached = e.getValue().attached();
            if (attached.containsKey(p)) {
                Map<String, Boolean> now = new TreeMap<>(attached);
                now.put(p + LEFT_MAPPED, now.remove(p));
                next = next.withSegment(e.getKey(), e.getValue().withAttached(now));
            }
        }
        return next;
    }

    /**
     * The key's segment lost its key file (LockRules.keyFileUnlinked): a create() of the key re-makes the key file, whose
     * new inode (the old one may be another key's file by now) ftoks to another key, so the create makes a fresh segment
     * and the old one stays in the kernel without a name. Fuzz qt68-sysv-safe and -native seed 95 (3/3): C create k;
     * A create k → AlreadyExists; A create k_1 → AlreadyExists (its re-key unlinked k's file, k_1's took the inode);
     * kill C; B create k → true. Seed 1059 (3/3, qt68-sysv-safe): the same with B, its creator, still attached. The
     * model keeps one segment per key: the old one moves to a name of its own ({@code <key> (nameless)}), and its
     * attachers with it, their objects still keyed {@code key} (Worker.reachedThrough: a create/attach of it is no
     * re-key for them). Nobody attached or not, a key file that took its old inode still reaches it (fuzz
     * qt68-sysv-safe seed 5049, 3/3: A's re-key to j unlinked k's file and j's took its inode; k's creator B was
     * killed; C create k → true; C create j → AlreadyExists). Their lock is the old set,
     * the creator's a fresh one: both locks are marked re-initialised (nothing about either can be ruled out).
     */
    private static ModelState leftNameless(ModelState s, String key) {
        Segment old = s.segments().get(key);
        ModelState next = s.withSegment(key, null);
        String away = key + NAMELESS + ")";
        for (int n = 2; next.segments().containsKey(away); n++) {
            away = key + NAMELESS + " " + n + ")";
        }
        // It has no key file of its own: a key file made since may have taken its old inode (fuzz qt68-sysv-safe seed 5049).
        next = next.withSegment(away, old).withUnnamed(away, true).withLock(key, Lock.REINITIALISED)
                .withLock(away, Lock.REINITIALISED);
        // An attacher whose handle a create refused for its size dropped keeps it dropped: its detach (or its re-key's) still
        // removes nothing, and the nameless segment outlives it. Fuzz qt68-sysv-safe seed 395663 (3/3): C create k; B create
        // k → AlreadyExists; B attach k_1 (its re-key unlinked k's file, k_1's took the inode: C's segment); B create(0)
        // k_1 (handle dropped, k_1's file re-made); C detach; C create k (a fresh segment, C's old one left nameless with
        // B attached); B create j → AlreadyExists: B's re-key detached without removing it, and j's file took the inode
        // of k_1's, which that re-key unlinked.
        for (String p : old.attached().keySet()) {
            if (p.endsWith(LEFT_MAPPED)) {
                continue; // a mapping with no object: nothing to move
            }
            Worker w = next.worker(p);
            next = next.with(p, new Worker(away, w.attached(), w.readOnly(), w.locked(), w.dead(), w.mapped(),
                    w.reachedThrough() != null ? w.reachedThrough() : key, w.handleDropped()));
        }
        // A failed create's kept handle is the ftok value of the old file: it names the old segment still (fuzz
        // qt68-sysv-native seed 335483, 3/3: C create(0) k; A create k; B create k → AlreadyExists; kill A; C create k
        // (a fresh segment, A's left nameless); kill C; B attach k: its cleanHandle removed A's segment, it attached C's).
        for (String p : next.workers().keySet()) {
            if (key.equals(next.orphan(p)) && !next.orphanDestroyed(p)) {
                next = next.withOrphan(p, away);
            }
        }
        return next.observe("create of a key whose key file was unlinked under its segment: its re-made key file ftoks"
                + " elsewhere, a fresh segment; the old one, still attached, is left nameless (the lock no longer excludes"
                + " across the two)");
    }

    /**
     * The segments of other keys whose key file was unlinked under them (LockRules.keyFileUnlinked) that a lookup of
     * {@code key}, which has no segment, may reach instead; empty when none. Any of them: the model does not follow inodes,
     * and ext4 gives a new file the lowest free inode of its group, which may have been any of theirs. Fuzz
     * qt68-sysv-native seed 1014355 (3/3 on real Qt 6.8.2, strace): C create k-1; B create k (200 bytes); A create k →
     * AlreadyExists; C detach (k-1's file gone); A create k (its kept handle's cleanHandle unlinked k's file under B's
     * segment, the new file took k-1's inode: a fresh 8-byte segment, B's left nameless); A create k → AlreadyExists (k's
     * file unlinked and re-made on its own inode again); C attach k-1 → true: k-1's new file took the inode of k's first
     * file, B's 200 bytes, not the 8 of the first nameless name in order. None is left out because a failed create's
     * kept handle of a third key's object seemed to show that key's file on its inode: with that rule real histories
     * were called FAIL (fuzz qt68-sysv-native seed 1031869, qt68-sysv-safe seed 1033619, both 3/3 on real Qt 6.8.2).
     * And, {@link Profile#lockSharesKeyFile()}, each one a failed create's kept handle shows the key's file is on: an object keyed {@code key} whose create() failed with
     * AlreadyExists on it (createOn) keeps its ftok value, which is the ftok of {@code key}'s file, and that file, made on
     * the segment's freed inode, is still there. Fuzz qt68-sysv-native seed 461957 (3/3 on real Qt 6.8.2): C create k;
     * A create(0) k (A owns k's set and file); A create k_1 → AlreadyExists (A's re-key unlinked k's file, k_1's took the
     * inode: A keeps a handle to C's segment); B create k (a new file, a fresh 64-byte segment, C's 8-byte one left
     * nameless); B create(0) k (its Create mode unlinked k's file and made it again); B attach k_1 → true, attached to
     * C's 8 bytes (a read at 14 fails), not to its own 64-byte segment, the first nameless one.
     */
    private static List<String> reachedUnnamed(Profile profile, ModelState s, String key) {
        return s.segments().containsKey(key) ? List.of() : namelessOthers(profile, s, key);
    }

    /** As {@link #reachedUnnamed}, whether or not {@code key} has a segment: the nameless segments of other keys. */
    private static List<String> namelessOthers(Profile profile, ModelState s, String key) {
        List<String> reached = new ArrayList<>();
        s.unnamed().stream().filter(u -> !u.equals(key) && ModelKey.sameSpace(u, key) && s.isUnnamed(u)).sorted()
                .forEach(reached::add);
        if (profile.lockSharesKeyFile()) {
            for (Map.Entry<String, Worker> e : new TreeMap<>(s.workers()).entrySet()) {
                String kept = s.orphan(e.getKey());
                if (kept != null && !s.orphanDestroyed(e.getKey()) && key.equals(e.getValue().qtKey()) && !kept.equals(key)
                        && ModelKey.sameSpace(kept, key) && s.isUnnamed(kept) && !reached.contains(kept)) {
                    reached.add(kept);
                }
            }
        }
        return reached;
    }

    static Step attach(Profile profile, ModelState s, ModelOp op, Worker w) {
        if (op.key().isEmpty()) {
            return Expect.fail(s, op, "KeyError", Property.API_CONTRACT, "attach with an empty key");
        }
        if (keptHandleIsStale(profile, s, op, w)) {
            return staleHandleFails(s, op);
        }
        Step documented = attachWithKeptHandle(profile, s, op, w);
        Step instead = whatAKeptHandleMayMakeOfIt(profile, s, op, w);
        if (instead == null && semaphoreErrorKept(s, op, w)) {
            instead = keptSemaphoreErrorFails(s, op);
        }
        if (instead == null
                && LockRules.keyFileMayGoUnderKeying(profile, s, op.process(), KeySpaceRules.modelKey(op), false)) {
            instead = keyFileWentUnderKeying(profile, s, op, w);
        }
        instead = orFtokMissedItsKeyFile(instead, profile, s, op, w);
        Step either = instead == null ? documented : Step.either(documented, instead);
        // Whatever its kept handle did first (initKey's cleanHandle), its locker may still meet its removed set: fuzz
        // qt68-sysv-native seed 302282 (once in a campaign, 0/3 in replays): A create k → AlreadyExists kept a handle
        // and made A an owner; B's last detach, then B's create k (its IPC_RMID of the set); C attach k; A attach k →
        // NotFound.
        if (lockerMayRemakeTheKeyFile(profile, s, op, w)) {
            return Step.either(either, keyFileRemadeByTheLocker(profile, s, op));
        }
        // An attach that found a segment after its locker re-made the key file: maybe on the freed inode of another
        // segment's unlinked file, which it then reached (fuzz qt68-sysv-native seed 32449, 3/3 on real Qt 6.8.2, and two
        // crafted replays: with and without the attach).
        return lockerMeetsItsRemovedSet(profile, s, op, w) && op.outcome() == Outcome.OK
                ? Step.either(either, attachWithKeptHandle(profile, s, op, w, true)) : either;
    }

    /**
     * Qt 6.8's System V with a key file shared by segment and semaphore ({@link Profile#lockSharesKeyFile()}): the object
     * owns the key's set, another owner removed it since ({@link Semaphores#removedUnder}), and it attaches the same key.
     * setNativeKey returns early in Open mode, so its locker's acquire meets the removed set (EINVAL), and
     * modifySemaphore's cleanHandle unlinks the key file the object made (createdFile) before handle() makes it again:
     * on another inode the segment's ftok key is not the file's any more and shmget finds nothing (NotFound), and the
     * segment has lost its name for everyone. Fuzz qt68-sysv-native seed 61544 (FLAKY 1/3 in a campaign, 0/3 in replays:
     * mostly the inode comes back): A create k; A detach; B create k (size 0: InvalidSize; Create mode, B opened A's set
     * through the re-made file); B create k → true (B's re-key removed A's set); A attach k → NotFound.
     */
    private static boolean lockerMayRemakeTheKeyFile(Profile profile, ModelState s, ModelOp op, Worker w) {
        return lockerMeetsItsRemovedSet(profile, s, op, w) && op.outcome() == Outcome.FAIL && "NotFound".equals(op.error());
    }

    /**
     * Where an attach's locker may meet the object's removed set (as {@link #lockerMayRemakeTheKeyFile}), whatever the
     * attach returned: the owner attaches the same key it has, another owner removed its set since, and the key's segment
     * lives. Its locker's modifySemaphore then unlinks the segment's key file (createdFile) and makes it again, maybe on
     * another inode, before it acquires (or waits): the segment may lose its name.
     */
    private static boolean lockerMeetsItsRemovedSet(Profile profile, ModelState s, ModelOp op, Worker w) {
        return KeySpaceRules.modelKey(op).equals(w.key()) && ownsASetRemovedUnderIt(profile, s, op.process(), w.key());
    }

    /**
     * Qt 6.8's System V with a key file shared by segment and semaphore: {@code p}'s object owns {@code key}'s set,
     * another owner removed it since, and the key's segment lives. A locker of that object meets the removed set.
     */
    private static boolean ownsASetRemovedUnderIt(Profile profile, ModelState s, String p, String key) {
        return ownsARemovedSet(profile, s, p, key) && s.segments().containsKey(key);
    }

    /** As {@link #ownsASetRemovedUnderIt}, whether or not the key has a segment (without one the file is the set's alone). */
    private static boolean ownsARemovedSet(Profile profile, ModelState s, String p, String key) {
        return profile.lockSharesKeyFile() && profile.retryRemovesOrphan() && key != null && s.semaphores().owns(p, key)
                && s.semaphores().removedUnder(p, key);
    }

    /**
     * The locker met the object's removed set: modifySemaphore's cleanHandle unlinked the key file (createdFile) and
     * handle() made it again, maybe on another inode, with a fresh set of the object's own ({@link Semaphores#rekeyedBy}).
     */
    private static ModelState keyFileRemadeByItsLocker(Profile profile, ModelState s, String p, String key, String why) {
        return LockRules.keyFileRemade(profile, s.with(s.semaphores().rekeyedBy(p)), key).observe(why);
    }

    /**
     * The keying part of an attach that never returned ({@link SegmentModel#ATTACH_KEYED}: blocked in its locker, or
     * ended by a kill), after its kept handle was cleaned: where its locker meets the object's removed set
     * ({@link #lockerMeetsItsRemovedSet}), modifySemaphore's cleanHandle unlinks the segment's key file and handle()
     * makes it again before the acquire that waits, and the new file may be on another inode (the freed inode of another
     * key's file whose set lives on, whose holder it then waits behind): the segment loses its name, and a key file made
     * since may take its freed inode and reach it. Fuzz qt68-sysv-native seed 474301 (3/3): C create k_1; A create k;
     * B create(0) k (B owns A's set and k's file); A detach; A create k (removed that set); C detach; C lock; B attach k
     * never returned (its locker re-made k's file on k_1's freed inode and waited on C's set) until B was killed;
     * C create k_1 → AlreadyExists (k_1's new file took the inode of A's unlinked file: A's segment). Also the state
     * without it (the locker has not run yet, or met the set's inode again).
     */
    static List<ModelState> keyedAttachMayRemakeTheKeyFile(Profile profile, ModelState s, ModelOp op) {
        if (!lockerMeetsItsRemovedSet(profile, s, op, s.worker(op.process()))) {
            return List.of(s);
        }
        return List.of(s, keyFileRemadeByItsLocker(profile, s, op.process(), s.worker(op.process()).key(),
                "attach by the owner of a set removed under it, which never returned: its locker re-made the key file, maybe"
                        + " on another inode, before it waited"));
    }

    /**
     * A lock or unlock that runs QSystemSemaphore's modifySemaphore ({@link LockRules#runsModifySemaphore}) by an object
     * that owns its key's set, which another owner removed since ({@link #ownsASetRemovedUnderIt}), as an attach's
     * locker does ({@link #lockerMayRemakeTheKeyFile}): its semop meets EINVAL or EIDRM, cleanHandle unlinks the key file
     * the object made or keyed in Create mode (createdFile), and handle() makes it again, maybe on another inode: the
     * segment may lose its name, and a key file made since may take its freed inode. Fuzz qt68-sysv-native seed 4102241
     * (once in a campaign, 0/3 in replays: the inode mostly comes back): B create k; B detach (k's file goes, B keeps its
     * set); C create k_1 (its file on k's freed inode, B's set opened in Create mode); B create k (removed that set); B
     * detach; C lock; C unlock; kill C; A create k → AlreadyExists: k's new file took the inode of C's first file of k_1.
     * Also the state without it: the marks say only that the set may be gone. Where the key has no segment, the new file
     * may take another key's freed inode and its set ({@link LockRules#semopRemadeTheSetsFile}).
     */
    static List<ModelState> semopMayRemakeTheKeyFile(Profile profile, ModelState s, ModelOp op, Worker w) {
        String key = w.qtKey();
        if (!LockRules.runsModifySemaphore(op, w) || !ownsARemovedSet(profile, s, op.process(), key)) {
            return List.of(s);
        }
        if (!s.segments().containsKey(key)) {
            return List.of(s, LockRules.semopRemadeTheSetsFile(s.with(s.semaphores().rekeyedBy(op.process())), key,
                    op.process(), op.f() + " by the owner of a set removed under it"));
        }
        return List.of(s, keyFileRemadeByItsLocker(profile, s, op.process(), key, op.f() + " by the owner of a set removed"
                + " under it: its semop re-made the key file, maybe on another inode, under the segment"));
    }

    private static Step keyFileRemadeByTheLocker(Profile profile, ModelState s, ModelOp op) {
        String key = s.worker(op.process()).key();
        List<ModelState> next = new ArrayList<>();
        // initKey cleans a failed create's kept handle before the locker runs.
        for (ModelState cleaned : cleanOrphanHandle(profile, s, op.process())) {
            next.add(keyFileRemadeByItsLocker(profile, cleaned, op.process(), key, "attach by the owner of a set removed"
                    + " under it: its locker re-made the key file, on another inode: NotFound, the segment left without its name"));
        }
        return Step.to(next);
    }

    /**
     * The initKey of an attach, or of a create (Qt 6.4's QSharedMemory::create calls initKey, which keys the lock in Open
     * mode, before it re-keys it in Create mode), failed with KeyError because another owner of the lock's semaphore
     * unlinked the key file its handle() had just made ({@link LockRules#keyFileMayGoUnderKeying}): nothing made or
     * attached, the key set, the lock as after an Open-mode keying by an owner, and then some
     * ({@link LockRules#keyFileTakenUnderKeying}). The create case measured on the qt column: fuzz qt seed 100, schedule
     * 319 (a mutant): C create j; A create j → AlreadyExists (A owns since); B attach j; B lock; C detach (waits behind
     * B); A create j → KeyError "QSharedMemoryPrivate::initKey: unable to set key on lock"; C's detach returned when
     * the schedule killed B. Qt 6.8's System V (retryRemovesOrphan) keeps the failed ftok's error in the object's
     * QSystemSemaphore ({@link #semaphoreErrorKept}: KeyError); Qt 6.4 re-keys through an empty key first, which clears it.
     */
    private static Step keyFileWentUnderKeying(Profile profile, ModelState s, ModelOp op, Worker w) {
        List<ModelState> bases = new ArrayList<>();
        // Qt 6.8's initKey cleans a failed create's kept handle before it keys the lock (nothing to clean on Qt 6.4).
        for (ModelState cleaned : cleanOrphanHandle(profile, s, op.process())) {
            for (ModelState keyed : KeySpaceRules.rekey(profile, cleaned, op, w)) {
                for (ModelState base : LockRules.keyedByAttach(profile, keyed, op, w.locked(), w.qtKey())) {
                    bases.addAll(afterTheKeyFileWent(profile,
                            LockRules.keyFileTakenUnderKeying(base, op.process(), keyed.worker(op.process()).key()), op));
                }
            }
        }
        Property blamed = "create".equals(op.f()) ? Property.CREATE_SIZE : Property.ATTACH_EXISTING;
        return Step.anyOf(bases, base -> Expect.fail(base, op, "KeyError", blamed,
                op.f() + " by an owner of the lock's semaphore while another owner may re-key it"));
    }

    /**
     * The readings of {@link #keyFileWentUnderKeying} once its key file was taken: Qt 6.8's System V keeps the failed
     * ftok's KeyError in the object's QSystemSemaphore, and its Create mode's cleanHandle before that handle() removed the
     * set (what the waiting owner met) under its other owners too ({@link LockRules#removedUnderOthers}), which may have
     * reached it through a key file on a freed inode as well: a "may", beside the reading without it. Fuzz
     * qt68-sysv-native seed 20181 (1/3 on Qt 6.8.2, `--workers 4 --length 24`): A create k; A detach; C create k; ...;
     * B create k; B lock; C create k → KeyError while D's lock met the removal; A create j → UnknownError.
     */
    private static List<ModelState> afterTheKeyFileWent(Profile profile, ModelState taken, ModelOp op) {
        if (!profile.retryRemovesOrphan()) {
            return List.of(taken);
        }
        ModelState kept = taken.with(taken.semaphores().withError(op.process(), "KeyError"));
        return "create".equals(op.f())
                ? List.of(kept, LockRules.removedUnderOthers(profile, kept, op.process(), KeySpaceRules.modelKey(op), false))
                : List.of(kept);
    }

    /** {@code instead}, or also {@link #ftokMissedItsKeyFile} where {@link #ftokMayMissItsKeyFile} (a create's or an attach's). */
    private static Step orFtokMissedItsKeyFile(Step instead, Profile profile, ModelState s, ModelOp op, Worker w) {
        if (!ftokMayMissItsKeyFile(profile, s, op, w)) {
            return instead;
        }
        Step missed = ftokMissedItsKeyFile(profile, s, op, w);
        return instead == null ? missed : Step.either(instead, missed);
    }

    /**
     * Qt 6.8's System V: the call's QSystemSemaphore handle() made or found the key file ({@link SegmentModel#KEY_FILE_MADE},
     * placed in the call's interval) and another object unlinked that file before its ftok
     * ({@link LockRules#unlinksTheKeyFile}, an op placed between the two, so overlapping the call in real time): ftok fails
     * with ENOENT, and handle() sets KeyError "QSystemSemaphore::handle:: ftok failed", which QSharedMemoryPrivate::initKey
     * returns as KeyError ("unable to set key on lock"). handle() runs in setNativeKey for a create (Create mode: its
     * cleanHandle and handle() run for the same key too) and for an attach of a new key by an object not attached (an
     * attached object's attach() returns before initKey; the same key in Open mode returns early in setNativeKey, whose
     * kept error {@link #semaphoreErrorKept} answers for). Fuzz qt68-sysv-native seed 484555 (FLAKY 1/3, the message in
     * the history): C create k; C detach; C create k; B attach k; C detach; A attach k; B detach; B lock; A detach (the
     * last: it removed the segment and unlinked k's file, which native keys share with the set) while C create k →
     * KeyError; C attach k → KeyError (the kept error). Without such an op in between the ftok finds the file.
     */
    static boolean ftokMayMissItsKeyFile(Profile profile, ModelState s, ModelOp op, Worker w) {
        ModelState.Ftok made = s.ftoks().get(op.process());
        if (made == null || !made.unlinked() || op.outcome() != Outcome.FAIL || !"KeyError".equals(op.error())
                || op.key() == null || op.key().isEmpty()) {
            return false;
        }
        String key = KeySpaceRules.modelKey(op);
        return made.key().equals(key) && ("create".equals(op.f()) || !w.attached() && !key.equals(w.qtKey()));
    }

    /**
     * {@link #ftokMayMissItsKeyFile}: nothing made or attached, the key set, the lock keyed as the call keys it up to its
     * handle() (an attach's Open mode; a create's Create mode, whose cleanHandle removed a set the object owned, or, read as
     * the older rule reads it, Open mode), and then {@link LockRules#keyFileUnlinkedBeforeItsFtok}; the object's
     * QSystemSemaphore keeps the KeyError ({@link #semaphoreErrorKept}).
     */
    private static Step ftokMissedItsKeyFile(Profile profile, ModelState s, ModelOp op, Worker w) {
        List<ModelState> bases = new ArrayList<>();
        for (ModelState cleaned : cleanOrphanHandle(profile, s, op.process())) {
            for (ModelState keyed : KeySpaceRules.rekey(profile, cleaned, op, w)) {
                List<ModelState> keyings = new ArrayList<>(LockRules.keyedByAttach(profile, keyed, op, w.locked(), w.qtKey()));
                if ("create".equals(op.f())) {
                    keyings.add(LockRules.keyedByCreate(profile, semaphoreErrorCleared(keyed, op.process()), op, w.locked()));
                }
                for (ModelState base : keyings) {
                    ModelState lost = LockRules.keyFileUnlinkedBeforeItsFtok(base, op.process(),
                            keyed.worker(op.process()).key());
                    bases.add(lost.with(lost.semaphores().withError(op.process(), "KeyError")));
                }
            }
        }
        Property blamed = "create".equals(op.f()) ? Property.CREATE_SIZE : Property.ATTACH_EXISTING;
        return Step.anyOf(bases, base -> Expect.fail(base, op, "KeyError", blamed,
                op.f() + " whose key file another object unlinked before its ftok"));
    }

    /**
     * The object's QSystemSemaphore still carries the error of the failed IPC_RMID that made its last create/attach
     * fail with UnknownError ({@link #semaphoreRemovedUnder}), and this attach keys the same key: setNativeKey returns
     * early for the same key in Open mode (qsystemsemaphore.cpp), before it clears the error, so initKey fails on it
     * again. Measured 3/3 on qt68-sysv and -native (fuzz qt68-sysv-native seed 5041: B create j; B detach; A create k;
     * A attach k_1 → NotFound; B create j → UnknownError; B attach j → UnknownError, and again; also after seed 90's
     * C create k → UnknownError). A create (Create mode), an attach of another key, or a lock or unlock
     * (modifySemaphore) clears it: the attach after them went as documented. "May", as the failure before it.
     * The same for the error of a failed ftok ({@link #keyFileWentUnderKeying}: QSystemSemaphore::handle sets KeyError,
     * "QSystemSemaphore::handle:: ftok failed", and leaves unix_key at -1): the attach of the same key fails with KeyError
     * again. Fuzz qt68-sysv-native seed 387745 (A create k → KeyError while B's detach met the removed set; A attach k →
     * KeyError) and qt68-sysv seeds 341321 and 343860 (B create k → KeyError while C's lock re-opened the set; kill C;
     * B attach k → KeyError; B lock → true, its modifySemaphore's handle() keyed afresh).
     */
    private static boolean semaphoreErrorKept(ModelState s, ModelOp op, Worker w) {
        return s.semaphores().erred(op.process()) && w.key() != null && KeySpaceRules.modelKey(op).equals(w.key());
    }

    private static Step keptSemaphoreErrorFails(ModelState s, ModelOp op) {
        String error = s.semaphores().error(op.process());
        String failed = "KeyError".equals(error) ? "ftok" : "cleanHandle";
        return Expect.fail(s.observe("attach of the same key by an object whose semaphore kept a failed " + failed + "'s error:"
                + " false, " + error + " again (setNativeKey returns early in Open mode)"), op, error, Property.ATTACH_EXISTING,
                "attach of the same key after its semaphore's " + failed + " failed");
    }

    /** The object's QSystemSemaphore error is cleared (a create, an attach of another key, a lock or unlock, its death). */
    static ModelState semaphoreErrorCleared(ModelState s, String p) {
        return s.semaphores().erred(p) ? s.with(s.semaphores().withError(p, null)) : s;
    }

    private static Step attachWithKeptHandle(Profile profile, ModelState s, ModelOp op, Worker w) {
        return attachWithKeptHandle(profile, s, op, w, false);
    }

    /**
     * As above; {@code lockerRemade}: its locker met the object's removed set ({@link #lockerMeetsItsRemovedSet}) and
     * re-made the key file before the attach looked the key up, so the key's segment may have lost its name and the
     * lookup may reach another nameless segment through the new file ({@link #attachOn}).
     */
    private static Step attachWithKeptHandle(Profile profile, ModelState s, ModelOp op, Worker w, boolean lockerRemade) {
        s = semaphoreErrorCleared(s, op.process());
        boolean semaphoreGone = semaphoreRemovedUnder(profile, s, op, w); // the orphan's cleanHandle touches no semaphore
        List<ModelState> bases = new ArrayList<>();
        for (ModelState cleaned : cleanOrphanHandle(profile, s, op.process())) {
            for (ModelState keyed : KeySpaceRules.rekey(profile, cleaned, op, w)) {
                for (ModelState base : LockRules.keyedByAttach(profile, keyed, op, w.locked(), w.qtKey())) {
                    bases.addAll(semaphoreGone ? List.of(base) : LockRules.lockerMayRelease(base, op.process(), "attach"));
                }
            }
        }
        if (semaphoreGone) {
            return Step.to(semaphoreCleanHandleFailed(bases, op));
        }
        if (lockerRemade) {
            bases = bases.stream().map(base -> keyFileRemadeByItsLocker(profile, base, op.process(), w.key(), "attach by the"
                    + " owner of a set removed under it: its locker re-made the key file before the lookup")).toList();
        }
        return Step.anyOf(bases, base -> attachOn(profile, base, op));
    }

    private static Step attachOn(Profile profile, ModelState base, ModelOp op) {
        Worker w = base.worker(op.process());
        if (op.outcome() == Outcome.FAIL && KeySpaceRules.longKeyRefused(op)) {
            return Step.to(base.observe("key of " + op.realKeyLength() + " characters refused: " + op.error()));
        }
        if (w.attached()) {
            return Expect.fail(base, op, null, Property.API_CONTRACT, "attach while already attached");
        }
        String visible = KeySpaceRules.visibleKey(base, w.key());
        if (base.isUnnamed(visible) && op.outcome() == Outcome.FAIL && "NotFound".equals(op.error())) {
            return Step.to(base.observe("attach to a segment whose key file was unlinked: NotFound (its re-made key file"
                    + " ftoks elsewhere)"));
        }
        // Its own key's segment may have lost its key file too: the key file made again may take that segment's freed
        // inode or another nameless segment's (fuzz qt68-sysv-safe seed 4102369, 3/3 on real Qt 6.8.2, strace: B create
        // k; B detach; C create k-1 (on k's freed inode); A create k (a new inode); B create(0) k-1 (B's re-key unlinked
        // A's file of k); B attach k → true, its re-key unlinked C's file of k-1 and k's new file took that inode: C's 8
        // bytes, not A's 200).
        boolean ownToo = base.isUnnamed(visible);
        List<String> lost = ownToo ? namelessOthers(profile, base, visible) : reachedUnnamed(profile, base, visible);
        if (lost.isEmpty() || op.outcome() != Outcome.OK) {
            return attachReaching(base, op, visible, null);
        }
        // Its key file is on the inode of the segment's unlinked one (LockRules.keyFileUnlinked); the object keeps its key:
        // a create/attach of it later is no re-key (fuzz qt68-sysv-safe seed 24).
        ModelState reaching = base.observe(ownToo ? "attach of a key whose segment lost its key file reached another"
                + " segment whose key file was unlinked" : "attach of a new key reached a segment whose key file was unlinked");
        Step reached = Step.anyOf(lost, r -> attachReaching(reaching, op, r, reaching.worker(op.process()).key()));
        return ownToo ? Step.either(attachReaching(base, op, visible, null), reached) : reached;
    }

    /** The attach of the segment under {@code visible}, reached through {@code through}'s key file (null: its own). */
    private static Step attachReaching(ModelState base, ModelOp op, String visible, String through) {
        Worker w = base.worker(op.process());
        if (!visible.equals(w.key())) {
            base = base.with(op.process(), new Worker(visible, false, false, w.locked(), false, 0, through));
            w = base.worker(op.process());
        }
        Segment seg = base.segments().get(w.key());
        if (seg == null) {
            Property p = KeySpaceRules.otherSpace(base, op);
            return Expect.fail(base, op, "NotFound", p, "attach to a key that does not exist in this key space");
        }
        if (!KeySpaceRules.sameUser(seg.creatorUser(), op.user())) {
            return Expect.fail(base, op, null, Property.NOT_WORLD_ACCESSIBLE,
                    "attach by " + KeySpaceRules.user(op.user()) + " to a segment made by " + KeySpaceRules.user(seg.creatorUser()));
        }
        if (seg.size() == 0) {
            // A peer truncated the object to nothing: attach's fstat finds 0 bytes and mmap of 0 bytes is EINVAL.
            return Expect.fail(base.observe("attach to an object truncated to 0 bytes: refused"), op, null,
                    Property.TRUNCATION_CRASHES, "attach to an object a peer truncated to 0 bytes");
        }
        if (op.outcome() != Outcome.OK) {
            return Step.violates(base.blame(w.key(), Property.ATTACH_EXISTING),
                    "attach to an existing segment returned " + Expect.describe(op));
        }
        Map<String, Boolean> attached = new TreeMap<>(seg.attached());
        attached.put(op.process(), op.readOnly());
        // attach maps the object's length now (fstat), which a peer's ftruncate may have changed since create.
        return Step.to(base.withSegment(w.key(), seg.withAttached(attached)).because(w.key(), null)
                .with(op.process(), new Worker(w.key(), true, op.readOnly(), w.locked(), false, seg.size(), w.reachedThrough())));
    }

    static Step detach(Profile profile, ModelState s, ModelOp op, Worker w) {
        if (!w.attached()) {
            return Expect.fail(s, op, null, Property.API_CONTRACT, "detach when not attached");
        }
        boolean keyFileMissed = op.outcome() != Outcome.OK && lastDetachMayMissItsKeyFile(profile, s, op, w);
        if (op.outcome() != Outcome.OK && !keyFileMissed) {
            return Step.violates(Property.API_CONTRACT, "detach of an attached object returned " + Expect.describe(op));
        }
        Step documented = detachAttached(profile, s, op, w, keyFileMissed);
        if (!lockerMayRemakeTheKeyFileUnderOthers(profile, s, op, w)) {
            return documented;
        }
        ModelState remade = keyFileRemadeByItsLocker(profile, s, op.process(), w.key(), "detach by the owner of a set"
                + " removed under it: its locker re-made the key file, maybe on another inode, under the segment the others"
                + " stay attached to");
        return Step.either(documented, detachAttached(profile, remade, op, w, keyFileMissed));
    }

    /**
     * As {@link #lockerMayRemakeTheKeyFile}, for a detach that leaves others attached: QSharedMemory::detach's locker
     * acquires the object's set first, and where another owner removed it (QSystemSemaphoreSystemV::modifySemaphore
     * meets EINVAL or EIDRM) its cleanHandle unlinks the key file the object made or keyed in Create mode (createdFile)
     * and handle() makes the file again, maybe on another inode; the segment's own cleanHandle then finds the others
     * attached (through its kept ftok value) and keeps it, without its name from now on. Fuzz qt68-sysv-native seed
     * 395002 (3/3): A create(0) k; B create k-1; B detach (k-1's file goes, B keeps its set); C create j (j's file on
     * k-1's freed inode: C opens B's set in Create mode); A attach j; B attach j (B's re-key from k-1 removed that set,
     * C's j set, and B made a fresh one); B detach; C detach → true (its locker met the removed set and re-made j's file);
     * B attach j → NotFound while A is still attached.
     */
    private static boolean lockerMayRemakeTheKeyFileUnderOthers(Profile profile, ModelState s, ModelOp op, Worker w) {
        String key = w.key();
        return op.outcome() == Outcome.OK && ownsASetRemovedUnderIt(profile, s, op.process(), key) && key.equals(w.qtKey())
                && s.segments().get(key).attached().keySet().stream().anyMatch(q -> !q.equals(op.process()));
    }

    /** The detach of an attached object, its outcome checked. */
    private static Step detachAttached(Profile profile, ModelState s, ModelOp op, Worker w, boolean keyFileMissed) {
        if (w.handleDropped()) {
            return detachWithoutHandle(s, op, w);
        }
        List<ModelState> next = new ArrayList<>();
        // Qt 6.8's System V detach ends in cleanHandle() too: a handle kept by an earlier failed create goes with it.
        s = s.withOrphan(op.process(), null);
        for (ModelState left : leave(profile, Departure.LAST_DETACH, s, op.process(), w.key())) {
            if (keyFileMissed && left.segments().containsKey(w.key())) {
                continue; // only a last detach, which removed the segment, reaches the unlink
            }
            ModelState after = LockRules.keyFileGoneWithTheSegment(profile, left, w.key());
            if (w.reachedThrough() != null && !after.segments().containsKey(w.key())) {
                // Its cleanHandle unlinked the key file it reached the segment through: another segment's file by now,
                // or, where no segment has that key, the file of the set its object and that key's others still have
                // open, which lives on without a name (LockRules.keyFileGoneWithTheSegment). Fuzz qt68-sysv-safe seed
                // 31860 (3/3): C create k; A create(0) k (A's object keyed k in Create mode: it owns k's file); kill C;
                // A create k-1 → AlreadyExists (its re-key unlinked k's file, k-1's took the inode: C's segment); A2
                // attach k-1 (C's segment); A2 detach (k-1's file goes); A2 lock; A lock waits; B create k, whose new
                // file takes that inode: its Create mode's SETVAL gives A the lock A2 holds.
                String through = w.reachedThrough();
                after = after.segments().containsKey(through) ? LockRules.keyFileUnlinked(profile, after, through)
                        : LockRules.keyFileGoneWithTheSegment(profile, after, through);
            }
            if (keyFileMissed) {
                after = after.observe("last detach of a segment whose key file was unlinked: false (cleanHandle's unlink"
                        + " fails; the segment is removed and the object detached)");
            }
            Worker now = w.detached();
            if (w.locked()) {
                // Qt's detach() takes the lock itself and its locker unlocks on return: the documentation is silent.
                next.add(after.with(op.process(), now).observe("detach while holding the lock: lock kept"));
                next.add(LockRules.release(after, LockRules.lockId(after, op.process())).with(op.process(), now.locked(false))
                        .observe("detach while holding the lock: lock released"));
            } else {
                next.add(after.with(op.process(), now));
            }
        }
        return Step.to(next);
    }

    /**
     * The object's detach when its handle was dropped ({@link ModelState.Worker#handleDropped}): shmdt, then nothing, for
     * shmget(0) finds no segment to count: whoever was last, the segment stays. Its detach() and the detach() a re-key
     * runs (KeySpaceRules.rekey) alike.
     */
    static ModelState detachedWithoutHandle(ModelState s, String p, String key) {
        Segment seg = s.segments().get(key);
        if (seg == null) {
            return s;
        }
        Map<String, Boolean> attached = new TreeMap<>(seg.attached());
        attached.remove(p);
        return s.withSegment(key, seg.withAttached(attached));
    }

    /**
     * The detach of an object whose handle a refused create dropped ({@link Worker#withHandleDropped}): shmdt unmaps it,
     * then shmget of key 0 finds nothing and detach() returns true without removing the segment, however many are left
     * attached to it (none: it outlives its last detach). Its lock, if it holds it, is kept or released as any detach's.
     */
    private static Step detachWithoutHandle(ModelState s, ModelOp op, Worker w) {
        if (op.outcome() != Outcome.OK) {
            return Step.violates(Property.API_CONTRACT, "detach of an attached object returned " + Expect.describe(op));
        }
        ModelState after = detachedWithoutHandle(s, op.process(), w.key())
                .observe("detach after a create refused for its size dropped the handle: true, the segment stays");
        Worker now = w.detached();
        if (!w.locked()) {
            return Step.to(after.with(op.process(), now));
        }
        return Step.to(List.of(after.with(op.process(), now).observe("detach while holding the lock: lock kept"),
                LockRules.release(after, LockRules.lockId(after, op.process())).with(op.process(), now.locked(false))
                        .observe("detach while holding the lock: lock released")));
    }

    /**
     * Qt 6.8's System V detach returns cleanHandle's answer, and after the IPC_RMID of a segment with nobody attached
     * that is {@code unlink(key file) == 0} (qsharedmemory_systemv.cpp): where another object unlinked the key file
     * ({@link LockRules#keyFileUnlinked}, or {@link #keyFileUnlinkedByItsPath} with any key space), the last detach
     * returns false with NoError, the object detached and the
     * segment removed all the same. Fuzz qt68-sysv-safe seed 200 (3/3): C create k; A attach k; C create k-1 →
     * AlreadyExists (C's re-key unlinked k's file, k-1's took its inode); B create k (a new file, a fresh segment);
     * A detach (A's segment, now nameless, goes, and A unlinks k's file: B's); B detach → false, NoError. error() is
     * whatever the object's last call left there, since a failed unlink sets none (seed 13036, 3/3: C create k;
     * C detach; B create k; B create k → AlreadyExists; C create j → UnknownError, its re-key unlinked k's file;
     * B detach → false, AlreadyExists). Only "may":
     * a detach that first meets its removed semaphore set re-makes the key file in modifySemaphore (fuzz seed 76's
     * C detach → true).
     */
    private static boolean lastDetachMayMissItsKeyFile(Profile profile, ModelState s, ModelOp op, Worker w) {
        Segment seg = s.segments().get(w.key());
        // The file its cleanHandle unlinks is that of the key it was given (qtKey): another key's where it reached the
        // segment through a file of its own (LockRules.reachedThroughItUnlinked: fuzz qt68-sysv-safe seed 7734). The
        // segment's own key's missing file still allows it too, as before that seed: a "may" is not narrowed here.
        return profile.retryRemovesOrphan() && op.outcome() == Outcome.FAIL
                && (s.keyFileGone(w.qtKey()) || s.keyFileMissing(w.key())) && seg != null
                && seg.attached().keySet().equals(Set.of(op.process()));
    }

    /**
     * The worker died (SIGKILL or a crash): the kernel detaches it and undoes or keeps every lock it
     * held (also one held through an object it has dropped since).
     */
    static Step death(Profile profile, ModelState s, String p) {
        Worker w = s.worker(p);
        List<ModelState> afterDetach = w.attached() ? leave(profile, Departure.CRASH, s, p, w.key()) : List.of(s);
        afterDetach = mappingsLeftInPlaceEnd(profile, afterDetach, p);
        List<ModelState> next = new ArrayList<>();
        for (ModelState after : afterDetach) {
            next.add(semaphoreErrorCleared(after, p).with(p, new Worker(w.key(), false, false, false, true, 0)));
        }
        return Step.to(LockRules.afterHolderDeath(profile, s, p, next));
    }

    /** The process's end takes its mappings left in place ({@link #mappingsLeftInPlace}), as a crash takes any mapping. */
    private static List<ModelState> mappingsLeftInPlaceEnd(Profile profile, List<ModelState> states, String p) {
        String left = p + LEFT_MAPPED;
        List<ModelState> out = new ArrayList<>();
        for (ModelState state : states) {
            List<ModelState> now = List.of(state);
            for (String key : state.segments().entrySet().stream().filter(e -> e.getValue().attached().containsKey(left))
                    .map(Map.Entry::getKey).toList()) {
                now = now.stream().flatMap(each -> leave(profile, Departure.CRASH, each, left, key).stream()).toList();
            }
            out.addAll(now);
        }
        return out;
    }

    /**
     * Removes p from the segment's attachers; if it was the last one, the segment meets each fate the
     * profile allows for {@code how} (recorded, and remembered as the property a later surprise breaks).
     */
    static List<ModelState> leave(Profile profile, Departure how, ModelState s, String p, String key) {
        Segment seg = s.segments().get(key);
        if (seg == null) {
            return List.of(s);
        }
        Map<String, Boolean> attached = new TreeMap<>(seg.attached());
        attached.remove(p);
        if (!attached.isEmpty()) {
            return List.of(s.withSegment(key, seg.withAttached(attached)));
        }
        List<ModelState> next = new ArrayList<>();
        for (Fate fate : Promises.lastLeaves(profile, how)) {
            ModelState after = fate == Fate.DESTROYED ? s.withSegment(key, null).withOrphanedSegmentDestroyed(key)
                    : s.withSegment(key, seg.withAttached(attached));
            after = after.because(key, how.decides).observe(how.what + ": " + fate.observed);
            next.addAll(fate == Fate.DESTROYED ? LockRules.segmentDestroyed(profile, after, key) : List.of(after));
        }
        return next;
    }
}
