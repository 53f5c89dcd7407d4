package org.shmconform.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.shmconform.spi.BackendSemantics.LockOnHolderDeath;
import org.shmconform.spi.BackendSemantics.Resize;
import org.shmconform.model.ModelOp.Outcome;
import org.shmconform.model.ModelState.Segment;
import org.shmconform.model.ModelState.Worker;

/**
 * The executable model of the documented semantics: a pure step function. Given a state and one
 * completed operation it returns every state the operation may lead to (several where the profile
 * leaves a choice open), or the property the operation contradicts.
 */
public final class SegmentModel {
    /** Keys longer than this may be refused by a backend (file name limits); below it they must work. */
    public static final int SAFE_KEY_LENGTH = 100;
    private static final int PAGE = 4096;
    private static final java.util.HexFormat HEX = java.util.HexFormat.of();

    private SegmentModel() {
    }

    /** The result of one step: next states, or the contradiction. */
    public record Step(List<ModelState> next, Property violated, String why) {
        static Step to(ModelState... states) {
            return new Step(List.of(states), null, null);
        }

        static Step to(List<ModelState> states) {
            return new Step(states, null, null);
        }

        static Step violates(Property p, String why) {
            return new Step(List.of(), p, why);
        }

        public boolean legal() {
            return !next.isEmpty();
        }
    }

    public static Step step(Profile profile, ModelState s, ModelOp op) {
        Worker w = s.worker(op.process());
        if (w.dead()) {
            // A kill of a worker that already died (of a crash) changes nothing; anything else is a contradiction.
            return op.f().equals("kill") ? Step.to(s) : Step.violates(Property.API_CONTRACT, op.process() + " acted after it died");
        }
        if (op.outcome() == Outcome.BLOCKED && !op.f().equals("lock")) {
            return blockedInternally(s, op, w);
        }
        return switch (op.f()) {
            case "create" -> create(profile, s, op, w);
            case "attach" -> attach(profile, s, op, w);
            case "detach" -> detach(profile, s, op, w);
            case "lock" -> lock(s, op, w);
            case "unlock" -> unlock(s, op, w);
            case "read", "write", "rawWrite" -> access(s, op, w);
            case "truncate" -> truncate(profile, s, op, w);
            // The length this object mapped: a peer's later ftruncate does not change it, an attach after one maps the new length.
            case "size" -> expectValue(s, op, Long.toString(w.attached() ? w.mapped() : 0), Property.CREATE_SIZE);
            case "isAttached" -> expectValue(s, op, Boolean.toString(w.attached()), Property.API_CONTRACT);
            case "kill" -> death(profile, s, op.process());
            default -> op.outcome() == Outcome.CRASH ? crashed(s, op) : Step.to(s); // sleep, error, nativeKey
        };
    }

    /**
     * A non-lock op the kernel saw blocked in a lock wait. Qt 6.4's create, attach and detach take the
     * segment's lock internally, so they may wait while another process holds that key's lock; blocked
     * while nobody else holds it (or an op that takes no lock) is a hang, not a wait.
     */
    private static Step blockedInternally(ModelState s, ModelOp op, Worker w) {
        String key = op.key() == null ? w.key() : op.space() + "|" + op.key();
        String holder = key == null ? null : s.lockHolders().get(key);
        boolean takesLock = op.f().equals("create") || op.f().equals("attach") || op.f().equals("detach");
        if (takesLock && (RESET.equals(holder) || holder != null && !holder.equals(op.process()))) {
            return Step.to(s.observe(op.f() + "() waited on the lock held by another process"));
        }
        return Step.violates(takesLock ? Property.LOCK_EXCLUSIVE : Property.API_CONTRACT,
                op.f() + "() never returned although no other process held the lock");
    }

    private static Step create(Profile profile, ModelState s, ModelOp op, Worker w) {
        if (op.key().isEmpty()) {
            return expectFail(s, op, "KeyError", Property.API_CONTRACT, "create with an empty key");
        }
        s = cleanOrphanHandle(profile, s, op.process());
        List<ModelState> bases = new ArrayList<>();
        for (ModelState keyed : rekey(profile, s, op, w)) {
            ModelState base = keyed;
            if (profile.keyingResetsLock()) {
                String key = base.worker(op.process()).key();
                // create() opens the semaphore in Create mode: it re-initialises it and this object owns it from now on.
                base = ownSemaphore(resetLock(base, key, op.process(), "create()"), op.process(), key);
            }
            bases.addAll(lockerMayRelease(base, op.process(), "create"));
        }
        return each(bases, base -> createOn(markOrphanHandle(profile, base, op), op));
    }

    /** cause() entries "orphan-handle|process|key": the object's failed create() kept a handle to an unattached segment. */
    private static final String ORPHAN_HANDLE = "orphan-handle|";

    /**
     * {@link Profile#retryRemovesOrphan()}: create() failed with AlreadyExists on a segment nobody is
     * attached to (its last holder crashed); the object keeps its handle to it.
     */
    private static ModelState markOrphanHandle(Profile profile, ModelState s, ModelOp op) {
        if (!profile.retryRemovesOrphan() || op.outcome() != Outcome.FAIL || !"AlreadyExists".equals(op.error())) {
            return s;
        }
        String key = visibleKey(s, s.worker(op.process()).key());
        Segment seg = s.segments().get(key);
        return seg != null && seg.attached().isEmpty() ? s.because(ORPHAN_HANDLE + op.process() + "|" + key, Property.CRASH_SURVIVES) : s;
    }

    /**
     * The next create() or attach() of that object cleans its handle first, and Qt 6.8's System V
     * cleanHandle removes a segment with no attachment (and its key file): the crashed holder's segment is gone.
     */
    private static ModelState cleanOrphanHandle(Profile profile, ModelState s, String p) {
        if (!profile.retryRemovesOrphan()) {
            return s;
        }
        String mark = ORPHAN_HANDLE + p + "|";
        for (String c : s.cause().keySet()) {
            if (c.startsWith(mark)) {
                String key = c.substring(mark.length());
                ModelState next = s.because(c, null);
                Segment seg = next.segments().get(key);
                if (seg != null && seg.attached().isEmpty()) {
                    next = next.withSegment(key, null).because(key, Property.CRASH_SURVIVES).observe("crashed holder's segment:"
                            + " removed by the next create/attach of the object whose create() failed on it (cleanHandle)");
                }
                return next;
            }
        }
        return s;
    }

    private static Step createOn(ModelState base, ModelOp op) {
        Worker w = base.worker(op.process());
        String key = w.key();
        if (op.outcome() == Outcome.FAIL && ("OutOfResources".equals(op.error()) || longKeyRefused(op))) {
            return Step.to(base.observe(op.outcome() == Outcome.FAIL && longKeyRefused(op)
                    ? "key of " + op.realKeyLength() + " characters refused: " + op.error()
                    : "create(" + op.size() + "): OutOfResources"));
        }
        if (op.size() == null || op.size() <= 0) {
            return expectFail(base, op, "InvalidSize", Property.CREATE_SIZE, "create(" + op.size() + ")");
        }
        String visible = visibleKey(base, key);
        if (base.segments().containsKey(visible)) {
            return expectFail(base, op, "AlreadyExists", base.blame(visible, Property.CREATE_EXISTS_FALLBACK), "create on an existing key");
        }
        if (op.outcome() != Outcome.OK) {
            return Step.violates(base.blame(key, Property.CREATE_SIZE), "create(" + op.size() + ") of a new key returned " + describe(op));
        }
        if (op.realKeyLength() > 30) {
            base = base.observe("key of " + op.realKeyLength() + " characters accepted (over 30: not portable to sandboxed Apple apps)");
        }
        Map<String, Boolean> attached = Map.of(op.process(), op.readOnly());
        Segment seg = new Segment(op.size(), new java.util.TreeMap<>(), attached, op.user());
        return Step.to(base.withSegment(key, seg).because(key, null)
                .with(op.process(), new Worker(key, true, op.readOnly(), w.locked(), false, op.size())));
    }

    private static Step attach(Profile profile, ModelState s, ModelOp op, Worker w) {
        if (op.key().isEmpty()) {
            return expectFail(s, op, "KeyError", Property.API_CONTRACT, "attach with an empty key");
        }
        s = cleanOrphanHandle(profile, s, op.process());
        List<ModelState> bases = new ArrayList<>();
        for (ModelState keyed : rekey(profile, s, op, w)) {
            ModelState base = keyed;
            String mine = base.worker(op.process()).key();
            if (profile.keyingResetsLock()) {
                // initKey: an object that owns the semaphore removes it and makes a fresh one (value 1); one that
                // finds none makes it and owns it from now on.
                if (base.cause().containsKey(SEM_OWNER + op.process() + "|" + mine)) {
                    base = resetLock(base, mine, op.process(), "attach() by the object that owns the lock's semaphore");
                }
                if (!base.cause().containsKey(SEM_PRESENT + mine)) {
                    base = ownSemaphore(base, op.process(), mine);
                }
            }
            bases.addAll(lockerMayRelease(base, op.process(), "attach"));
        }
        return each(bases, base -> attachOn(base, op));
    }

    private static Step attachOn(ModelState base, ModelOp op) {
        Worker w = base.worker(op.process());
        if (op.outcome() == Outcome.FAIL && longKeyRefused(op)) {
            return Step.to(base.observe("key of " + op.realKeyLength() + " characters refused: " + op.error()));
        }
        if (w.attached()) {
            return expectFail(base, op, null, Property.API_CONTRACT, "attach while already attached");
        }
        String visible = visibleKey(base, w.key());
        if (!visible.equals(w.key())) {
            base = base.with(op.process(), new Worker(visible, false, false, w.locked(), false, 0));
            w = base.worker(op.process());
        }
        Segment seg = base.segments().get(w.key());
        if (seg == null) {
            Property p = otherSpace(base, op);
            return expectFail(base, op, "NotFound", p, "attach to a key that does not exist in this key space");
        }
        if (!sameUser(seg.creatorUser(), op.user())) {
            return expectFail(base, op, null, Property.NOT_WORLD_ACCESSIBLE,
                    "attach by " + user(op.user()) + " to a segment made by " + user(seg.creatorUser()));
        }
        if (seg.size() == 0) {
            // A peer truncated the object to nothing: attach's fstat finds 0 bytes and mmap of 0 bytes is EINVAL.
            return expectFail(base.observe("attach to an object truncated to 0 bytes: refused"), op, null, Property.TRUNCATION_CRASHES,
                    "attach to an object a peer truncated to 0 bytes");
        }
        if (op.outcome() != Outcome.OK) {
            return Step.violates(base.blame(w.key(), Property.ATTACH_EXISTING), "attach to an existing segment returned " + describe(op));
        }
        Map<String, Boolean> attached = new TreeMap<>(seg.attached());
        attached.put(op.process(), op.readOnly());
        // attach maps the object's length now (fstat), which a peer's ftruncate may have changed since create.
        return Step.to(base.withSegment(w.key(), seg.withAttached(attached)).because(w.key(), null)
                .with(op.process(), new Worker(w.key(), true, op.readOnly(), w.locked(), false, seg.size())));
    }

    private static Step detach(Profile profile, ModelState s, ModelOp op, Worker w) {
        if (!w.attached()) {
            return expectFail(s, op, null, Property.API_CONTRACT, "detach when not attached");
        }
        if (op.outcome() != Outcome.OK) {
            return Step.violates(Property.API_CONTRACT, "detach of an attached object returned " + describe(op));
        }
        List<ModelState> next = new ArrayList<>();
        for (ModelState after : leave(profile.lastDetachDestroys(), s, op.process(), w.key(), "last detach")) {
            Worker now = w.detached();
            if (w.locked()) {
                // Qt's detach() takes the lock itself and its locker unlocks on return: the documentation is silent.
                next.add(after.with(op.process(), now).observe("detach while holding the lock: lock kept"));
                next.add(release(after, w.key()).with(op.process(), now.locked(false))
                        .observe("detach while holding the lock: lock released"));
            } else {
                next.add(after.with(op.process(), now));
            }
        }
        return Step.to(next);
    }

    private static Step lock(ModelState s, ModelOp op, Worker w) {
        if (w.key() == null) {
            return expectFail(s, op, "LockError", Property.API_CONTRACT, "lock before any create/attach");
        }
        String holder = s.lockHolders().get(w.key());
        if (RESET.equals(holder)) {
            // The semaphore was re-initialised under a holder: no outcome of lock() can be ruled out any more.
            return Step.to(op.outcome() == Outcome.OK ? s.with(op.process(), w.locked(true)) : s);
        }
        // Held by another process, or by this process through an object it has since dropped (a re-key): this object waits.
        boolean heldByOther = holder != null && (!holder.equals(op.process()) || !w.locked());
        if (op.outcome() == Outcome.BLOCKED) {
            return heldByOther ? Step.to(s) : Step.violates(holder == null ? Property.LOCK_HOLDER_DEATH : Property.LOCK_EXCLUSIVE,
                    "lock() never returned although nobody held the lock");
        }
        if (op.outcome() == Outcome.FAIL && "LockError".equals(op.error()) && !w.attached()) {
            return Step.to(s.observe("lock() needs an attached segment"));
        }
        if (w.locked()) {
            return expectOk(s, op, Property.API_CONTRACT, "lock() twice on one object returns true");
        }
        if (heldByOther) {
            return Step.violates(Property.LOCK_EXCLUSIVE, op.process() + " acquired the lock while " + holder + " held it");
        }
        if (op.outcome() != Outcome.OK) {
            return Step.violates(Property.LOCK_EXCLUSIVE, "lock() of a free lock returned " + describe(op));
        }
        return Step.to(s.withLock(w.key(), op.process()).with(op.process(), w.locked(true)));
    }

    private static Step unlock(ModelState s, ModelOp op, Worker w) {
        if (!w.locked()) {
            return expectFail(s, op, null, Property.API_CONTRACT, "unlock() without holding the lock returns false");
        }
        if (op.outcome() != Outcome.OK) {
            return Step.violates(Property.LOCK_EXCLUSIVE, "unlock() by the holder returned " + describe(op));
        }
        if (RESET.equals(s.lockHolders().get(w.key()))) {
            return Step.to(s.with(op.process(), w.locked(false)));
        }
        return Step.to(s.withLock(w.key(), null).with(op.process(), w.locked(false)));
    }

    /**
     * read, write and rawWrite: the bytes, the read-only rule and truncation. Bounds are the length this
     * object mapped; a peer's ftruncate since then moves the object's end, and a touch of a whole page
     * past that end is SIGBUS.
     */
    private static Step access(ModelState s, ModelOp op, Worker w) {
        boolean raw = op.f().equals("rawWrite");
        if (!w.attached()) {
            return expectFail(s, op, null, Property.API_CONTRACT, op.f() + " when not attached");
        }
        Segment seg = s.segments().get(w.key());
        long offset = op.offset() == null ? 0 : op.offset();
        long len = op.f().equals("read") ? (op.length() == null ? 0 : op.length()) : op.dataHex().length() / 2;
        boolean writes = !op.f().equals("read");
        if (offset < 0 || offset + len > w.mapped()) {
            if (raw) {
                // A raw store past the mapping: unchecked memory. It may fault, or land in the mapping's last page.
                return Step.to(s, s.withSegment(w.key(), seg.write(offset, HEX.parseHex(op.dataHex()))));
            }
            return expectFail(s, op, "InvalidSize", Property.API_CONTRACT, op.f() + " outside the segment");
        }
        if (writes && w.readOnly()) {
            if (raw) {
                return op.outcome() == Outcome.CRASH ? crashed(s, op)
                        : Step.violates(Property.READ_ONLY, "a raw store into a read-only mapping did not crash the writer ("
                        + describe(op) + ")");
            }
            return expectFail(s, op, "PermissionDenied", Property.READ_ONLY, "write through a read-only attach");
        }
        if (len > 0 && offset + len > seg.size()) {
            long firstPageBeyond = (seg.size() + PAGE - 1) / PAGE * PAGE;
            boolean mustCrash = offset + len > firstPageBeyond;
            if (op.outcome() == Outcome.CRASH) {
                ModelState crashed = s.observe("access past a truncated end: SIGBUS");
                if (writes && offset < firstPageBeyond) {
                    // The copy stored what lay before the first missing page, or (copied backwards) nothing.
                    byte[] data = HEX.parseHex(op.dataHex());
                    byte[] stored = java.util.Arrays.copyOf(data, (int) (firstPageBeyond - offset));
                    return Step.to(crashed.observe(op.f() + " crashed the worker as expected"),
                            crashed.withSegment(w.key(), seg.write(offset, stored)).observe(op.f() + " crashed the worker as expected"));
                }
                return crashed(crashed, op);
            }
            if (mustCrash) {
                return Step.violates(Property.TRUNCATION_CRASHES,
                        op.f() + " of whole pages past the truncated end (" + seg.size() + ") did not crash: " + describe(op));
            }
        }
        if (op.outcome() == Outcome.CRASH) {
            return Step.violates(Property.DATA_SHARED, op.f() + " crashed the worker (exit " + op.value() + ")");
        }
        if (op.outcome() != Outcome.OK) {
            return Step.violates(Property.DATA_SHARED, op.f() + " within the segment returned " + describe(op));
        }
        if (writes) {
            return Step.to(s.withSegment(w.key(), seg.write(offset, HEX.parseHex(op.dataHex()))));
        }
        if (op.dataHex() == null) {
            return Step.to(s); // a read that never replied (its worker was killed): it saw nothing and changed nothing
        }
        String expected = HEX.formatHex(seg.read(offset, (int) len));
        if (!expected.equals(op.dataHex())) {
            return Step.violates(Property.DATA_SHARED, "read " + text(op.dataHex()) + " where the last write left " + text(expected));
        }
        return Step.to(s);
    }

    /**
     * ftruncate by a peer, as an untrusted process could do: shrinks or grows the object; the
     * mappings keep their length. Through a ReadOnly attach it depends on the descriptor (the Java
     * backends open it read-write, Qt's POSIX build read-only), so both outcomes are legal there.
     */
    private static Step truncate(Profile profile, ModelState s, ModelOp op, Worker w) {
        if (!w.attached()) {
            return expectFail(s, op, null, Property.API_CONTRACT, "truncate when not attached");
        }
        Segment seg = s.segments().get(w.key());
        List<ModelState> next = new ArrayList<>();
        Resize r = profile.resize();
        long to = op.length() == null ? -1 : op.length();
        boolean resizable = (r == null || r == Resize.SHRINKABLE) && to >= 0;
        if (op.outcome() == Outcome.OK && resizable) {
            String what = "truncate: the object was " + (to < seg.size() ? "shrunk" : to > seg.size() ? "grown" : "left at its length");
            next.add(s.withSegment(w.key(), seg.truncate(to)).observe(what));
            if (to > seg.size() && !seg.written().subMap(seg.size(), to).isEmpty()) {
                // Bytes a mapping stored past the old end (in its last page) may be zeroed by the growth or kept.
                next.add(s.withSegment(w.key(), seg.dropTail(seg.size()).truncate(to)).observe(what));
            }
        }
        if (op.outcome() == Outcome.FAIL && (!resizable || r != Resize.SHRINKABLE || w.readOnly())) {
            next.add(s.observe(r == Resize.SEALED || r == null ? "truncate: refused (" + op.error() + ")" : "truncate: not resizable"));
        }
        if (next.isEmpty()) {
            Property p = r == Resize.SEALED ? Property.MEMFD_SEALED : Property.TRUNCATION_CRASHES;
            return Step.violates(p, "truncate(" + to + ") returned " + describe(op) + " where the backend promises " + r);
        }
        return Step.to(next);
    }

    /**
     * The worker died (SIGKILL or a crash): the kernel detaches it and undoes or keeps every lock it
     * held (also one held through an object it has dropped since).
     */
    private static Step death(Profile profile, ModelState s, String p) {
        Worker w = s.worker(p);
        List<ModelState> afterDetach = w.attached()
                ? leave(profile.survivesCrash() == null ? null : !profile.survivesCrash(), s, p, w.key(), "crash of the last holder")
                : List.of(s);
        List<ModelState> next = new ArrayList<>();
        for (ModelState after : afterDetach) {
            next.add(after.with(p, new Worker(w.key(), false, false, false, true, 0)));
        }
        LockOnHolderDeath rule = profile.lockOnHolderDeath();
        for (Map.Entry<String, String> held : s.lockHolders().entrySet()) {
            if (!held.getValue().equals(p)) {
                continue;
            }
            List<ModelState> expanded = new ArrayList<>();
            for (ModelState dead : next) {
                if (rule == null || rule == LockOnHolderDeath.RELEASED) {
                    expanded.add(release(dead, held.getKey()).observe("lock after its holder died: released"));
                }
                if (rule == null || rule == LockOnHolderDeath.STAYS_HELD) {
                    expanded.add(dead.observe("lock after its holder died: stays held"));
                }
            }
            next = expanded;
        }
        return Step.to(next);
    }

    private static Step crashed(ModelState s, ModelOp op) {
        return Step.to(s.observe(op.f() + " crashed the worker as expected"));
    }

    /**
     * Removes p from the segment's attachers; if it was the last one, the segment is destroyed
     * when {@code destroys} is true, kept when false, and either (recorded) when null.
     */
    private static List<ModelState> leave(Boolean destroys, ModelState s, String p, String key, String what) {
        Segment seg = s.segments().get(key);
        if (seg == null) {
            return List.of(s);
        }
        Map<String, Boolean> attached = new TreeMap<>(seg.attached());
        attached.remove(p);
        if (!attached.isEmpty()) {
            return List.of(s.withSegment(key, seg.withAttached(attached)));
        }
        Property decided = what.startsWith("crash") ? Property.CRASH_SURVIVES : Property.LAST_DETACH_DESTROYS;
        List<ModelState> next = new ArrayList<>();
        if (destroys == null || destroys) {
            next.add(s.withSegment(key, null).because(key, decided).observe(what + ": segment destroyed"));
        }
        if (destroys == null || !destroys) {
            next.add(s.withSegment(key, seg.withAttached(attached)).because(key, decided).observe(what + ": segment survives"));
        }
        return next;
    }

    /** Marks a lock whose semaphore a profile lets create()/attach() re-initialise while it is held. */
    private static final String RESET = "*re-initialised*";
    /**
     * cause() entries "sem-owner|process|key": whose object owns (and so removes at its next
     * create/attach or re-key) the key's semaphore; "sem-present|key": a semaphore surely exists.
     */
    private static final String SEM_OWNER = "sem-owner|";
    private static final String SEM_PRESENT = "sem-present|";

    /** The holder lets go; a re-initialised lock stays unknowable. */
    private static ModelState release(ModelState s, String key) {
        return RESET.equals(s.lockHolders().get(key)) ? s : s.withLock(key, null);
    }

    private static ModelState resetLock(ModelState s, String key, String by, String what) {
        String holder = s.lockHolders().get(key);
        if (holder == null || RESET.equals(holder)) {
            return s;
        }
        return s.withLock(key, RESET).observe(what + " by " + by + " re-initialised the lock " + holder
                + " held: it no longer excludes (Qt 6.4)");
    }

    /**
     * Like the worker's re-key (a new object for a different key): the old object's destructor
     * detaches it (a Qt-style detach lets go of a held lock on the way out; an OFD lock goes with the
     * descriptor) and cleans its semaphore handle. A lock held without an attachment stays held by
     * the dropped object, unless its semaphore goes with it.
     */
    private static List<ModelState> rekey(Profile profile, ModelState s, ModelOp op, Worker w) {
        String key = op.space() + "|" + op.key();
        if (key.equals(w.key())) {
            return List.of(s);
        }
        String p = op.process();
        ModelState base = s;
        if (w.key() != null && profile.keyingResetsLock() && base.cause().containsKey(SEM_OWNER + p + "|" + w.key())) {
            // cleanHandle removes the semaphore this object owns: the next opener makes a fresh one.
            base = resetLock(base, w.key(), p, "re-key of the object that owned the lock's semaphore")
                    .because(SEM_OWNER + p + "|" + w.key(), null).because(SEM_PRESENT + w.key(), null);
        }
        List<ModelState> out = new ArrayList<>();
        if (w.attached()) {
            for (ModelState after : leave(profile.lastDetachDestroys(), base, p, w.key(), "re-key")) {
                out.add(w.locked() ? release(after, w.key()) : after);
            }
        } else if (w.locked()) {
            out.add(release(base, w.key()).observe("re-key while holding the lock: released"));
            out.add(base.observe("re-key while holding the lock: stays held by the dropped object"));
        } else {
            out.add(base);
        }
        List<ModelState> keyed = new ArrayList<>();
        for (ModelState o : out) {
            keyed.add(o.with(p, new Worker(key, false, false, false, false, 0)));
        }
        return keyed;
    }

    /**
     * Qt-style create/attach run under QSharedMemoryLocker, which lets go of the lock when the step
     * ends even if the caller held it before; a backend without that locker keeps it. Both are legal.
     */
    private static List<ModelState> lockerMayRelease(ModelState s, String p, String what) {
        Worker w = s.worker(p);
        if (!w.locked()) {
            return List.of(s);
        }
        return List.of(s, release(s, w.key()).with(p, w.locked(false)).observe(what + " while holding the lock: lock released"));
    }

    /** This process's object owns the key's semaphore (made it, or opened it in Create mode). */
    private static ModelState ownSemaphore(ModelState s, String p, String key) {
        return s.because(SEM_OWNER + p + "|" + key, Property.LOCK_EXCLUSIVE).because(SEM_PRESENT + key, Property.LOCK_EXCLUSIVE);
    }

    /** Every state any base leads to, or the first base's contradiction when none leads anywhere. */
    private static Step each(List<ModelState> bases, java.util.function.Function<ModelState, Step> f) {
        java.util.LinkedHashSet<ModelState> next = new java.util.LinkedHashSet<>();
        Step first = null;
        for (ModelState b : bases) {
            Step st = f.apply(b);
            if (st.legal()) {
                next.addAll(st.next());
            } else if (first == null) {
                first = st;
            }
        }
        return next.isEmpty() ? first : Step.to(new ArrayList<>(next));
    }

    /**
     * Which segment a worker in {@code space} reaches for a key: its own space's, or, where namespaces
     * nest (a pid namespace sees its children's processes), a descendant's. Spaces are
     * "keySpace@namespace" and a child namespace is written "parent/child".
     */
    private static String visibleKey(ModelState s, String modelKey) {
        if (s.segments().containsKey(modelKey)) {
            return modelKey;
        }
        int bar = modelKey.lastIndexOf('|');
        String space = modelKey.substring(0, bar);
        String key = modelKey.substring(bar);
        return s.segments().keySet().stream()
                .filter(k -> k.endsWith(key) && k.substring(0, k.length() - key.length()).startsWith(space + "/"))
                .findFirst().orElse(modelKey);
    }

    /** Why a key is missing here: made by another backend family, or in a namespace this worker cannot see. */
    private static Property otherSpace(ModelState s, ModelOp op) {
        String suffix = "|" + op.key();
        String keySpace = op.space().substring(0, op.space().indexOf('@'));
        String withoutTmpdir = op.space().replaceFirst("#[^|]*$", "");
        for (String k : s.segments().keySet()) {
            if (k.endsWith(suffix) && !k.equals(op.space() + suffix)) {
                if (!k.startsWith(keySpace + "@")) {
                    return Property.BACKENDS_SEPARATE;
                }
                return k.startsWith(withoutTmpdir + "#") ? Property.KEY_FILE_IN_TMPDIR : Property.NAMESPACE_VISIBILITY;
            }
        }
        return s.blame(op.space() + suffix, Property.ATTACH_EXISTING);
    }

    private static boolean longKeyRefused(ModelOp op) {
        return op.realKeyLength() > SAFE_KEY_LENGTH && op.error() != null && !"NoError".equals(op.error());
    }

    private static boolean sameUser(String a, String b) {
        return a == null ? b == null : a.equals(b);
    }

    private static String user(String u) {
        return u == null ? "the harness's user" : u;
    }

    private static Step expectFail(ModelState s, ModelOp op, String error, Property p, String what) {
        if (op.outcome() == Outcome.FAIL && (error == null || error.equals(op.error()))) {
            return Step.to(s);
        }
        return Step.violates(p, what + ": expected false" + (error == null ? "" : " with " + error) + ", got " + describe(op));
    }

    private static Step expectOk(ModelState s, ModelOp op, Property p, String what) {
        return op.outcome() == Outcome.OK ? Step.to(s) : Step.violates(p, what + ": got " + describe(op));
    }

    private static Step expectValue(ModelState s, ModelOp op, String expected, Property p) {
        return op.outcome() != Outcome.OK || expected.equals(op.value()) ? Step.to(s)
                : Step.violates(p, op.f() + "() returned " + op.value() + ", expected " + expected);
    }

    static String describe(ModelOp op) {
        return switch (op.outcome()) {
            case OK -> "true";
            case FAIL -> "false (" + op.error() + ")";
            case CRASH -> "a crash (" + op.value() + ")";
            case BLOCKED -> "no reply (blocked)";
            case DEATH -> "death";
        };
    }

    /** Hex shown as text where printable, for messages. */
    public static String text(String hex) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i + 1 < hex.length(); i += 2) {
            int c = Integer.parseInt(hex.substring(i, i + 2), 16);
            b.append(c >= 32 && c < 127 ? String.valueOf((char) c) : c == 0 ? "\\0" : String.format("\\x%02x", c));
        }
        return b.append('"').toString();
    }
}
