package org.shmconform.fuzz;

import org.shmconform.schedule.Step;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.shmconform.spi.BackendSemantics;

/**
 * The generator's tiny guess of what the backend's state will be after each step, under the
 * backend's declared semantics. It only steers the generator toward meaningful steps (attach after
 * a create, unlock by the holder, reads within the size) and keeps every schedule runnable: it
 * knows which steps may block on a key's lock (they are issued {@code async}, and their worker gets
 * no further step until the shadow thinks the lock was let go), and which locks might be held by
 * someone it cannot name (they are let go at the end). It never judges anything: the checker's
 * model does, on the real history. A wrong guess costs a less interesting step, never a hang: the
 * engine confirms from the kernel whether an op is blocked.
 */
final class ShadowState {
    /**
     * A segment that should exist: its size, who is attached, the last write (to read it back), and, once a peer's
     * ftruncate resized it, its object's length and the length each attached worker mapped (an attach maps the
     * object's length then; a mapping keeps its length).
     */
    static final class Segment {
        final long size;
        final Set<String> attached = new TreeSet<>();
        long lastWriteOffset = -1;
        int lastWriteLength;
        /** The object's length now: its size, until a truncate. */
        long objectSize;
        /** The longest the object was: no mapping of it is longer, whenever its worker attached. */
        long longest;
        private final Map<String, Long> mapped = new HashMap<>();

        Segment(long size) {
            this.size = size;
            this.objectSize = size;
            this.longest = size;
        }

        /** The length w mapped: the size it was made with, unless w attached after a truncate. */
        long mapped(String w) {
            return mapped.getOrDefault(w, size);
        }

        void attach(String w) {
            attached.add(w);
            mapped.put(w, objectSize);
        }

        /**
         * Whether an access of {@code length} bytes at {@code offset} by w touches memory (within its mapping: the
         * worker's range check refuses the rest) on an object truncated to nothing: SIGBUS, for the segments made here
         * (at most a page, so every byte lies in the first page, which is past the end).
         */
        boolean crashes(String w, long offset, long length) {
            return attached.contains(w) && objectSize == 0 && length > 0 && offset >= 0 && offset + length <= mapped(w);
        }
    }

    private final BackendSemantics semantics;
    /** Each worker's object's key now (a create or attach with another key re-keys it). */
    final Map<String, String> keyOf = new LinkedHashMap<>();
    final Map<String, Segment> segments = new HashMap<>();
    /** lock ({@link #lockOf}) → the worker holding it (alive). */
    final Map<String, String> holder = new HashMap<>();
    /** worker → the key its object had when it took the lock it holds (a re-keyed holder no longer holds it through its object). */
    private final Map<String, String> heldThrough = new HashMap<>();
    /** lock → the one worker blocked in lock() on it. At most one, so the shadow knows who gets it next. */
    final Map<String, String> waiter = new HashMap<>();
    /** Workers whose create/attach/detach waits on a busy lock (Qt's locker): it completes when the lock is let go. */
    final Map<String, Step> pending = new LinkedHashMap<>();
    /** Workers that may hold their key's lock without the shadow knowing (lock by a detached object, a re-initialised lock). */
    final Set<String> maybeHolders = new HashSet<>();
    /** Workers that have issued a create or attach (their object has a key). */
    final Set<String> keyed = new HashSet<>();
    final Set<String> readOnly = new HashSet<>();
    final Set<String> dead = new HashSet<>();
    /** Blocked forever (their lock's holder died and the backend keeps the lock): they take no more steps. */
    final Set<String> stuck = new HashSet<>();
    /** Locks that stay held by a dead worker: every lock, create, attach or detach on them would block forever. */
    final Set<String> stuckKeys = new HashSet<>();
    /**
     * worker → key: its pending create/attach/detach was let through when the lock was let go, but it may
     * still be asleep in the kernel (the engine does not wait for it before the next worker's step): a lock
     * taken now may barge ahead of it (a futex or a semaphore promises no order), and then it waits for that.
     */
    final Map<String, String> settling = new HashMap<>();
    /** worker → key: an op counted as done that may wait behind the lock someone took meanwhile, until it is let go. */
    final Map<String, String> behind = new HashMap<>();

    /**
     * Locks whose holder died holding them, released by the backend as declared, that nobody has taken since: the first
     * lock() after a holder's death is where the lock-holder-death rule is checked (the lock must come free, ownerDied
     * reported where promised), so the generator offers it more (FaultBudgetReachTest, fault-nosemundo).
     */
    final Set<String> freedByADeath = new HashSet<>();

    /**
     * Whether w holds or may hold a lock: its key's, one it took before a re-key (still held, though no longer through
     * its object), or one the shadow cannot tell about. Such a worker is given no step expected to crash it.
     */
    boolean mayHoldALock(String w) {
        return matesOf(w).stream().anyMatch(o -> holds(o) || maybeHolders.contains(o) || holder.containsValue(o));
    }

    /**
     * The objects that live in one worker process (A and its second object, ScheduleGenerator.SECOND_OBJECT): a crash or
     * kill of any is the death of all, and a step expected to crash one may not be given while another holds a lock.
     */
    final Set<String> oneProcess = new HashSet<>();

    /** {@code w} and the other objects of its process. */
    private Set<String> matesOf(String w) {
        return oneProcess.contains(w) ? oneProcess : Set.of(w);
    }

    /** Whether another live worker's object has w's key, so that it can call lock() once w's lock is let go. */
    boolean anotherMayTakeIt(String w) {
        String lock = lockOf(key(w));
        return keyOf.entrySet().stream().anyMatch(e -> !e.getKey().equals(w) && keyed.contains(e.getKey())
                && !dead.contains(e.getKey()) && !unborn.contains(e.getKey()) && lock.equals(lockOf(e.getValue())));
    }

    /** Hand-over socket name → the worker serving its segment's descriptor there (serveFd), while it stays attached and alive. */
    final Map<String, String> servers = new HashMap<>();
    /** Declared workers a spawnChild step has not started yet (they take no step before it). */
    final Set<String> unborn = new TreeSet<>();
    /**
     * key → workers whose object keyed it in Create mode (any create, whatever it returned), or by an attach that may
     * have made the set ({@link #mayMakeTheSet}): Qt's owners of its semaphore.
     */
    private final Map<String, Set<String>> ownersOf = new HashMap<>();
    /**
     * An owner re-keyed away from a key others still had while another owner may have re-made its set: the set may live
     * on with its key file unlinked, and another key's new file may reach it (LockRules.droppedByRekey; fuzz qt seed 3241,
     * sysv seed 60). From then on a lock or a keying may wait on a lock held under another key: the shadow cannot tell.
     */
    private boolean namelessSetPossible;
    /**
     * A create failed on a key whose segment lives, on a column whose lock shares the segment's key file (Qt 6.8's System
     * V with platformSafe or native keys): Qt's clean-up after it may unlink that key file while the segment lives on, and
     * a later key file on the freed inode then attaches to it. From then on where an object is attached, and how (read-only
     * or not), is not known (fuzz qt68-sysv-safe seed 32803, a mutant, UNKNOWN 3/3 in the host's namespace as in a lane's:
     * A2's failed create of k left B's segment nameless, A2's attach of k-1 and its read-only attach later reached it,
     * A2's rawWrite, which the shadow offered on a read-write 64-byte segment of its own, ended its process with SIGSEGV,
     * and A's later steps were not performed). {@link #attachmentsUncertain}.
     */
    private boolean namelessSegmentPossible;
    /** The model's word on whether the lock has a key file of its own that an owner unlinks (Profile). */
    private final boolean lockKeyFileMayBeReused;
    /** The model's word on whether create() gives its object a fresh semaphore under the lock's name (Qt's POSIX build). */
    private final boolean keyingSplitsLock;
    /**
     * Locks split by a create ({@link #keyingSplitsLock}): a create (failed or not) of a key another live object had
     * open gave its object a fresh semaphore, and those who open the name after it share that one, while the earlier
     * openers keep the old. From then on a lock() while the shadow sees the lock busy may be granted at once (another
     * semaphore) or wait: the shadow cannot tell, so that worker takes no further step (fuzz qt68-posix seed 61632 and
     * qt68-posix-safe seed 61433: B create k → AlreadyExists or InvalidSize; C attach k; A lock; B lock → true at once;
     * B killed holding it; C's detach or lock then waited for ever, and the engine could not run C's later steps: UNKNOWN).
     */
    private final Set<String> splitLocks = new HashSet<>();

    ShadowState(BackendSemantics semantics) {
        this.semantics = semantics;
        org.shmconform.model.Profile profile = org.shmconform.model.Profile.declared(semantics.keySpace(), semantics);
        this.lockKeyFileMayBeReused = profile.lockKeyFileMayBeReused();
        this.keyingSplitsLock = profile.keyingSplitsLock();
    }

    /** Whether a peer can resize the object (ftruncate) as the column declares: a truncate is offered only there. */
    boolean resizable() {
        return semantics.resize() == BackendSemantics.Resize.SHRINKABLE;
    }

    /** Whether the column hands a segment over as a descriptor (serveFd, attachFd, spawnChild work). */
    boolean handsOver() {
        return semantics.handsOverDescriptor();
    }

    boolean serving(String w) {
        return servers.containsValue(w);
    }

    String key(String w) {
        return keyOf.get(w);
    }

    /**
     * The lock a key's objects meet: the key's own, or, where the declaration says the semaphore set is ftok'd from the
     * segment's key file ({@link BackendSemantics#lockSharesKeyFile()}, Qt 6.8's System V with platformSafe or native
     * keys), one lock for every key: a key file made on the freed inode of another key's file leads to that key's set,
     * so a lock of j may be the lock k's objects wait on (fuzz qt68-sysv-safe seed 8: B create j, B lock, C lock on k
     * blocked, and the engine killed C at its next step). Treating them as one only makes more steps wait.
     */
    String lockOf(String key) {
        return key != null && semantics.lockSharesKeyFile() ? "*" : key;
    }

    /**
     * Whether a segment may live on without its key file ({@link #namelessSegmentPossible}), so that what any object is
     * attached to, and whether read-only, is not known: a step that crashes or not by that (a rawWrite) must not be given.
     */
    boolean attachmentsUncertain() {
        return namelessSegmentPossible;
    }

    /** Someone waits in lock() on the key's lock. */
    boolean hasWaiter(String key) {
        return waiter.containsKey(lockOf(key));
    }

    /** The key's lock stays held by a dead worker. */
    boolean lockLost(String key) {
        return stuckKeys.contains(lockOf(key));
    }

    Segment segment(String w) {
        return segments.get(key(w));
    }

    boolean attached(String w) {
        Segment s = segment(w);
        return s != null && s.attached.contains(w);
    }

    boolean holds(String w) {
        return w.equals(holder.get(lockOf(key(w)))) && java.util.Objects.equals(key(w), heldThrough.get(w));
    }

    /** Whether create()/attach() re-initialise the lock instead of waiting for it (Qt 6.4). */
    boolean keyingResetsLock() {
        return semantics.keyingResetsLock();
    }

    /** Someone holds, waits for or may hold the key's lock: create/attach/detach may block on it (Qt's locker). */
    boolean lockBusy(String key) {
        String lock = lockOf(key);
        return holder.containsKey(lock) || waiter.containsKey(lock) || stuckKeys.contains(lock)
                || pending.values().stream().anyMatch(p -> lock.equals(lockOf(p.key() != null ? p.key() : key(p.worker()))))
                || maybeHolders.stream().anyMatch(m -> lock.equals(lockOf(key(m))));
    }

    /** Can be given a step now: alive, and not waiting in lock() or behind a lock. */
    boolean canAct(String w) {
        return !dead.contains(w) && !stuck.contains(w) && !waiter.containsValue(w) && !pending.containsKey(w)
                && !behind.containsKey(w);
    }

    /** Alive and waiting (in lock() or behind a lock): a kill may end the wait. */
    boolean waiting(String w) {
        return !dead.contains(w) && (waiter.containsValue(w) || pending.containsKey(w) || stuck.contains(w)
                || behind.containsKey(w));
    }

    /**
     * Whether this step may wait on a lock, so the generator issues it {@code async} (and its worker
     * gets no step until the lock is let go: a step for a worker still blocked in the kernel makes the
     * engine kill it, and every later step of that worker is UNKNOWN).
     * <ul>
     * <li>create where keying re-initialises the lock (Qt 6.4's System V, semctl SETVAL 1): the value it
     * sets wakes a worker blocked in lock(), which takes the lock, and the create's own locker then waits
     * for it. Without a waiter the create goes straight through.</li>
     * <li>attach: its locker waits whenever the lock is busy, keying or not. (Qt 6.4 opens the semaphore
     * in Open mode; an owner that re-makes it wakes the waiters with EIDRM, they retry on the new one and
     * take it first.)</li>
     * </ul>
     */
    boolean mayBlock(Step step) {
        String w = step.worker();
        return switch (step.op()) {
            case "create" -> (keyingResetsLock() ? hasWaiter(step.key()) : lockBusy(step.key())) || mayMeetANamelessSet(step)
                    || mayWaitOnItsOldKeysLock(step);
            case "attach" -> lockBusy(step.key()) || mayMeetANamelessSet(step) || mayWaitOnItsOldKeysLock(step);
            case "detach" -> keyed.contains(w) && (lockBusy(key(w)) || mayMeetANamelessSet(step));
            case "lock" -> keyed.contains(w) && (lockBusy(key(w)) || mayMeetANamelessSet(step)) && !holds(w);
            default -> false;
        };
    }

    /**
     * Whether the step may wait on a lock held under another key through a nameless set ({@link #namelessSetPossible},
     * or a create/attach that is itself such a re-key): only where the lock has a key file of its own that an owner
     * unlinks, and only while another live worker holds a lock, may hold one or waits in lock(). Such a step is issued
     * async and its worker takes no further step (the shadow cannot know when it is let through).
     */
    private boolean mayMeetANamelessSet(Step step) {
        String w = step.worker();
        boolean keys = "create".equals(step.op()) || "attach".equals(step.op());
        boolean risk = namelessSetPossible || (keys && rekeyMayLeaveSetNameless(w, step.key()));
        // A worker that may hold a lock counts too (a detached object's lock: fuzz qt seed 211 in a run beside a verify,
        // C detach; C lock; A lock of j waited on it, and the engine killed A with steps left), and so does one waiting in
        // lock(): an unlock under another key may have let it through the set they share (fuzz qt68-sysv seed 11407, a
        // 64-step campaign: C waited on k, B's unlock of k_1 let C in, and B's next lock of k_1 waited behind C's).
        return risk && java.util.stream.Stream.of(holder.values(), maybeHolders, waiter.values())
                .flatMap(java.util.Collection::stream).anyMatch(h -> !h.equals(w) && !dead.contains(h));
    }

    /**
     * Whether a create/attach re-keys an object whose old key's lock another worker holds or may hold. Qt's setKey
     * detaches an attached object first, and that detach's locker waits on the old key's lock. The generator offers a
     * create/attach only to an object the shadow thinks detached, but the shadow may be wrong where an async op it took
     * for waiting went through (fuzz qt68-sysv-native seeds 243381, 243930 and 244267, mutants, UNKNOWN: C's async
     * detach of k returned at once, so A's create k made a fresh segment instead of failing; C locked, and A's create j
     * then waited in its detach of k, and the engine killed A at its next step). Such a step is issued async and its
     * worker takes no further step.
     */
    private boolean mayWaitOnItsOldKeysLock(Step step) {
        String w = step.worker();
        String old = keyOf.get(w);
        return keyed.contains(w) && old != null && !old.equals(step.key()) && lockBusy(old) && !holds(w);
    }

    /**
     * Whether w's attach may be the first keying of a key no other live object has keyed (the generator's starting keys
     * are no keying): Qt's handle() then makes the set in Open mode too (semget with IPC_EXCL succeeds) and owns it and
     * its key file. Fuzz qt68-sysv seeds 373004 and 382134 (UNKNOWN): B's attach of k found no segment but made k's set;
     * C's create and A's attach shared it; B's create of k_1 unlinked k's re-made file, k_1's took its inode, and B's
     * lock waited behind A's through it, so C's lock waited on B and the engine killed C.
     */
    private boolean mayMakeTheSet(String w, String key) {
        return !(keyed.contains(w) && key.equals(keyOf.get(w))) && keyOf.entrySet().stream().noneMatch(e -> !e.getKey().equals(w)
                && key.equals(e.getValue()) && keyed.contains(e.getKey()) && !dead.contains(e.getKey()));
    }

    /** Whether w's object, an owner of its key's semaphore, re-keys away while others have the key and another owner exists. */
    private boolean rekeyMayLeaveSetNameless(String w, String newKey) {
        String old = keyOf.get(w);
        if (!lockKeyFileMayBeReused || old == null || old.equals(newKey)) {
            return false;
        }
        Set<String> owners = ownersOf.getOrDefault(old, Set.of());
        return owners.contains(w) && owners.stream().anyMatch(o -> !o.equals(w))
                && keyOf.entrySet().stream().anyMatch(e -> !e.getKey().equals(w) && old.equals(e.getValue()) && !dead.contains(e.getKey()));
    }

    /**
     * Whether w's create is an owner's second create of the key its object has while other live objects have it: Qt
     * re-opens the set in Create mode, and the clean-up before it unlinks the key file, which handle() makes again,
     * maybe on another inode, so the set the others have open may live on without its name (the model's rule:
     * Qt68ProfilesTest, seed 25182). Fuzz qt68-sysv seed 9607 (a 64-step campaign, UNKNOWN: A's second create of k;
     * C's create of j took the old inode, and C's lock of j waited behind A's lock of k; and on sysv, Qt 6.4's, seed
     * 8237 in a 45 s campaign: A's second create of k, C's re-key to k_1, C's lock of k_1, and A's detach of k waited
     * behind it). It costs the Qt 6.4 column's fresh schedules a little of their reach of lock-survives-failed-create
     * (FailedCreateUnderHeldLockTest).
     */
    private boolean ownerRemakesTheKeyFile(String w, String key) {
        return lockKeyFileMayBeReused && keyed.contains(w) && key.equals(keyOf.get(w))
                && ownersOf.getOrDefault(key, Set.of()).contains(w)
                && keyOf.entrySet().stream().anyMatch(e -> !e.getKey().equals(w) && key.equals(e.getValue()) && !dead.contains(e.getKey()));
    }

    /**
     * Whether the step is expected to crash its worker, ending its process as a kill would: a store into a read-only
     * mapping (a rawWrite: SIGSEGV), or a read or store that touches an object truncated to nothing (SIGBUS); an access
     * the worker's range check refuses touches nothing.
     */
    boolean expectsCrash(Step step) {
        String w = step.worker();
        Segment s = segment(w);
        if (s == null || !attached(w)) {
            return false;
        }
        return switch (step.op()) {
            case "write", "rawWrite" -> step.offset() + step.data().length() <= s.mapped(w)
                    && ("rawWrite".equals(step.op()) && readOnly.contains(w)
                    || !readOnly.contains(w) && s.crashes(w, step.offset(), step.data().length()));
            case "read" -> s.crashes(w, step.offset(), step.length());
            default -> false;
        };
    }

    /** Applies the effect the step should have on a conforming backend. */
    void apply(Step step) {
        applyStep(step);
        // A server stops when its holder detaches, re-keys, exits or dies.
        servers.values().removeIf(v -> dead.contains(v) || !attached(v));
    }

    private void applyStep(Step step) {
        String w = step.worker();
        // The engine waits for the worker's op in flight before its next step: whatever it was, it is over now.
        settling.remove(w);
        switch (step.op()) {
            case "serveFd" -> {
                if (handsOver() && attached(w) && !serving(w) && !servers.containsKey(step.path())) {
                    servers.put(step.path(), w);
                }
            }
            case "attachFd" -> attachFd(step);
            case "spawnChild" -> spawnChild(w, step.child());
            case "create", "attach" -> {
                boolean nameless = mayMeetANamelessSet(step) || mayWaitOnItsOldKeysLock(step);
                if ("create".equals(step.op()) && ownerRemakesTheKeyFile(w, step.key())) {
                    namelessSetPossible = true;
                }
                if (rekeyMayLeaveSetNameless(w, step.key())) {
                    namelessSetPossible = true;
                    ownersOf.get(keyOf.get(w)).remove(w); // there: rekeyMayLeaveSetNameless saw w among its owners
                }
                boolean create = "create".equals(step.op());
                if (create || mayMakeTheSet(w, step.key())) {
                    ownersOf.computeIfAbsent(step.key(), k -> new HashSet<>()).add(w);
                }
                if (create) {
                    if (keyingSplitsLock && keyOf.entrySet().stream().anyMatch(e -> !e.getKey().equals(w)
                            && step.key().equals(e.getValue()) && !dead.contains(e.getKey()))) {
                        splitLocks.add(lockOf(step.key()));
                    }
                }
                if (nameless) {
                    keyOrAttach(step);
                    stuck.add(w); // keyed or still waiting: it takes no further step
                    return;
                }
                if (mayBlock(step)) {
                    keyOf.put(w, step.key());
                    pending.put(w, step);
                    return;
                }
                // Qt 6.4's create re-initialises the lock instead of waiting: the shadow goes on as if it still excluded
                // (a lock() that then returns at once is issued async all the same, and its worker waits for the holder).
                keyOrAttach(step);
            }
            case "detach" -> {
                if (keyed.contains(w) && lockBusy(key(w)) && !holds(w)) {
                    pending.put(w, step);
                    return;
                }
                // Its locker may wait on another key's holder through a nameless set (fuzz qt68-sysv seed 233668, a
                // mutant, UNKNOWN: "step 28 (create by C) not performed: C was already gone (blocked by the engine)":
                // A's re-key to k-1 left k's set nameless, k-1's file took its inode, A locked it, and C's detach of k
                // waited): detached or still waiting, it takes no further step.
                boolean mayWait = keyed.contains(w) && !holds(w) && mayMeetANamelessSet(step);
                leave(w, semantics.lastDetachDestroys());
                if (mayWait) {
                    stuck.add(w);
                }
            }
            case "lock" -> {
                String key = key(w);
                String lock = lockOf(key);
                if (!keyed.contains(w) || holds(w)) {
                    return; // refused, or a no-op second lock
                }
                if (!lockBusy(key) && mayMeetANamelessSet(step)) {
                    maybeHolders.add(w); // taken, or waiting on another key's holder: it takes no further step
                    stuck.add(w);
                    return;
                }
                if (!attached(w) && !lockBusy(key)) {
                    maybeHolders.add(w); // a detached object's lock: refused or taken, the shadow cannot tell
                    settleBehind(lock);
                    return;
                }
                if (stuckKeys.contains(lock)) {
                    stuck.add(w);
                } else if (lockBusy(key) && splitLocks.contains(lock)) {
                    maybeHolders.add(w); // granted at once through a split semaphore, or waiting: the shadow cannot tell
                    stuck.add(w);
                } else if (lockBusy(key)) {
                    waiter.put(lock, w); // the generator offers it only when nobody else waits in lock()
                } else {
                    take(lock, w);
                    settleBehind(lock);
                }
            }
            case "unlock" -> {
                if (holds(w)) {
                    release(lockOf(key(w)));
                } else if (maybeHolders.remove(w) && !holder.containsKey(lockOf(key(w)))) {
                    release(lockOf(key(w)));
                }
            }
            case "write", "rawWrite" -> {
                Segment s = segment(w);
                if (s == null || !attached(w) || step.offset() + step.data().length() > s.mapped(w)) {
                    return; // refused by the range check: nothing touched
                }
                if (expectsCrash(step)) {
                    die(w); // a store into a read-only mapping (SIGSEGV), or past a truncated end (SIGBUS): a crash
                } else if (!readOnly.contains(w)) {
                    s.lastWriteOffset = step.offset();
                    s.lastWriteLength = step.data().length();
                }
            }
            case "read" -> {
                if (expectsCrash(step)) {
                    die(w); // SIGBUS
                }
            }
            case "truncate" -> {
                Segment s = segment(w);
                if (s != null && step.length() != null) {
                    s.longest = Math.max(s.longest, step.length()); // whether or not the shadow thinks it went through
                }
                if (s != null && attached(w) && !readOnly.contains(w) && semantics.resize() == BackendSemantics.Resize.SHRINKABLE
                        && step.length() != null && step.length() >= 0) {
                    s.objectSize = step.length();
                    if (s.lastWriteOffset + s.lastWriteLength > s.objectSize) {
                        s.lastWriteOffset = -1; // bytes past the new end are gone (or, in the last page, may be): not read back
                    }
                }
            }
            case "kill" -> die(w);
            default -> {
                // size, isAttached, nativeKey: no effect
            }
        }
    }

    /** attachFd: the object takes the key; it attaches if someone serves that key's segment at the path. */
    private void attachFd(Step step) {
        String w = step.worker();
        boolean wasAttached = attached(w);
        if (!step.key().equals(key(w)) && wasAttached) {
            leave(w, semantics.lastDetachDestroys()); // a re-key detaches first, as setKey does
            wasAttached = false;
        }
        keyOf.put(w, step.key());
        keyed.add(w);
        String server = servers.get(step.path());
        if (!handsOver() || wasAttached || server == null || !step.key().equals(key(server)) || segment(server) == null) {
            return;
        }
        segment(server).attach(w);
        readOnly.remove(w);
    }

    /** spawnChild: the child exists from now on; attached to the parent's segment if the parent could hand it over. */
    private void spawnChild(String parent, String child) {
        unborn.remove(child);
        if (!handsOver() || !attached(parent)) {
            return; // started without the descriptor: a fresh object
        }
        keyOf.put(child, key(parent));
        keyed.add(child);
        segment(parent).attach(child);
        if (readOnly.contains(parent)) {
            readOnly.add(child);
        }
    }

    private void keyOrAttach(Step step) {
        String w = step.worker();
        keyOf.put(w, step.key());
        keyed.add(w);
        if (attached(w)) {
            return; // a second create/attach on an attached object is refused
        }
        Segment s = segments.get(step.key());
        if ("create".equals(step.op())) {
            if (s != null && semantics.lockSharesKeyFile()) {
                namelessSegmentPossible = true;
            }
            if (step.size() != null && step.size() > 0 && s == null) {
                s = new Segment(step.size());
                s.attach(w);
                segments.put(step.key(), s);
                readOnly.remove(w);
            }
        } else if (s != null && s.objectSize > 0) { // an object truncated to nothing: attach's mmap of 0 bytes fails
            s.attach(w);
            if ("ReadOnly".equals(step.mode())) {
                readOnly.add(w);
            } else {
                readOnly.remove(w);
            }
        }
    }

    private void die(String w) {
        String key = lockOf(key(w));
        boolean held = key != null && w.equals(holder.get(key));
        boolean maybe = maybeHolders.remove(w);
        pending.remove(w);
        settling.remove(w);
        behind.remove(w);
        if (key != null) {
            waiter.remove(key, w);
        }
        leave(w, !semantics.survivesCrash());
        dead.add(w);
        if (held || maybe) {
            if (semantics.lockOnHolderDeath().releases()) {
                if (held || !holder.containsKey(key)) {
                    release(key);
                    if (!holder.containsKey(key)) {
                        freedByADeath.add(key);
                    }
                }
            } else {
                String blocked = waiter.remove(key);
                if (blocked != null) {
                    stuck.add(blocked);
                }
                if (held) {
                    holder.remove(key); // nobody alive holds it, but nobody can take it: the key's lock is lost
                }
                stuckKeys.add(key);
                for (String p : new java.util.ArrayList<>(pending.keySet())) {
                    if (key.equals(lockOf(key(p)))) {
                        pending.remove(p);
                        stuck.add(p);
                    }
                }
                for (String p : new java.util.ArrayList<>(behind.keySet())) {
                    if (key.equals(behind.get(p))) {
                        behind.remove(p);
                        stuck.add(p);
                    }
                }
            }
        }
        // One process: its other objects die with it (a crash of A2 by a rawWrite ends A's process too).
        for (String mate : matesOf(w)) {
            if (!dead.contains(mate)) {
                die(mate);
            }
        }
    }

    /**
     * The lock was let go. Without a worker blocked in lock(), the creates, attaches and detaches
     * waiting on it all complete (each one's locker lets go again at its end). With one, the kernel
     * picks who gets it first: the waiter may take it and keep it, and then every pending op waits
     * for its unlock. So the waiter holds it from now on and the pending ops stay pending; if someone
     * else may hold the lock, the waiter may still be asleep, and stays a waiter.
     */
    private void release(String key) {
        holder.remove(key);
        String next = waiter.remove(key);
        if (next == null) {
            completePending(key);
        } else if (stuckKeys.contains(key) || maybeHolders.stream().anyMatch(m -> key.equals(lockOf(key(m))))
                || mayBeTakenThroughANamelessSet(key)) {
            waiter.put(key, next);
        } else {
            take(key, next);
            settleBehind(key);
        }
    }

    /**
     * Whether those waiting on a lock let go may stay asleep, through a nameless set: a worker whose lock may have met one
     * holds or waits where the shadow cannot tell ({@link #mayMeetANamelessSet}), or one holding another key's lock may
     * hold the set they wait on ({@link #heldUnderAnotherKey}) (fuzz qt68-sysv seeds 319426 and 319963, mutants, UNKNOWN: "step
     * 18 (unlock by C) not performed: C was already gone (blocked by the engine)": B's lock of k-1 met k's set through a
     * key file on the inode of k's, waited beside C's lock of k, and took it when A unlocked).
     */
    private boolean mayBeTakenThroughANamelessSet(String key) {
        return namelessSetPossible && (maybeHolders.stream().anyMatch(m -> stuck.contains(m) && !dead.contains(m))
                || heldUnderAnotherKey(key));
    }

    /**
     * Whether a live worker holds a lock other than {@code key}'s: once a set may live on without its name, that lock may
     * be the very set those waiting on {@code key}'s wait for, reached through a key file on the freed inode (fuzz
     * qt68-sysv seed 32040, a mutant, UNKNOWN 3/3 on Qt 6.8.2: "step 21 (lock by A) not performed: A was already gone
     * (blocked by the engine)": A's second create of k removed the set and made its own; B, an owner of the old one,
     * re-keyed to k-1, whose new file took the inode of k's, which B's cleanHandle had just unlinked, so B's lock of k-1
     * was A's set; C's lock of k and A's detach then waited, and C's kill let B's holding stand).
     */
    private boolean heldUnderAnotherKey(String key) {
        return holder.entrySet().stream().anyMatch(e -> !e.getKey().equals(key) && !dead.contains(e.getValue()));
    }

    /** {@code w} holds the lock, through the key its object has now. */
    private void take(String lock, String w) {
        freedByADeath.remove(lock);
        holder.put(lock, w);
        heldThrough.put(w, key(w));
    }

    /** Someone (may have) taken the key's lock: every op still settling on it may be asleep behind them now. */
    private void settleBehind(String key) {
        settling.entrySet().removeIf(e -> {
            if (key.equals(e.getValue())) {
                behind.put(e.getKey(), key);
                return true;
            }
            return false;
        });
    }

    /** The lock was let go: the creates, attaches and detaches waiting on it get their turn (in issue order, a guess). */
    private void completePending(String key) {
        if (holder.containsKey(key) || stuckKeys.contains(key) || maybeHolders.stream().anyMatch(m -> key.equals(lockOf(key(m))))
                || mayBeTakenThroughANamelessSet(key)) {
            return;
        }
        behind.entrySet().removeIf(e -> {
            if (key.equals(e.getValue())) {
                settling.put(e.getKey(), key);
                return true;
            }
            return false;
        });
        for (Map.Entry<String, Step> p : new java.util.ArrayList<>(pending.entrySet())) {
            if (key.equals(lockOf(key(p.getKey())))) {
                pending.remove(p.getKey());
                settling.put(p.getKey(), key);
                Step step = p.getValue();
                if ("detach".equals(step.op())) {
                    leave(step.worker(), semantics.lastDetachDestroys());
                } else {
                    keyOrAttach(step);
                }
            }
        }
    }

    private void leave(String w, boolean destroyIfLast) {
        Segment s = segment(w);
        if (s == null || !s.attached.remove(w)) {
            return;
        }
        s.mapped.remove(w);
        readOnly.remove(w);
        if (s.attached.isEmpty() && destroyIfLast) {
            segments.remove(key(w));
        }
    }
}
