package org.shmconform.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.shmconform.model.ModelOp.Outcome;
import org.shmconform.model.ModelState.Worker;
import org.shmconform.model.SegmentModel.Step;
import org.shmconform.spi.NativeName;

/**
 * Native keys (seeds N17, N18): an object given the native name another key space uses
 * ({@link NativeName}, {@code native-name:qt-posix:k}) reaches that key space's segment, so a Qt object
 * set with setNativeKey and a non-Qt program share the bytes. Its lock is another matter.
 * <ul>
 * <li>Documented: "When using native keys, shared memory is not protected against multiple accesses on
 * it (for example, unable to lock)": lock() of such an object returns false (Qt's own words for a failed
 * lock() are "QSharedMemory::lock: unable to lock").</li>
 * <li>Declared (every column that can take a native name is a Qt 6.8 one): Qt 6.8 gives a native key a
 * semaphore named after the native key itself, where a non-Qt program of the Qt-legacy scheme (the Java
 * backends, Qt 6.4) names its semaphore after the legacy key ({@code qipc_systemsem_...}). So lock() works
 * and excludes only objects with the same native name: its lock is "its own key space's lock of that
 * name", a different model lock from the one the non-Qt program takes (measured in Qt68RootTest).</li>
 * </ul>
 * Where the object names its own key space's object, the name is that object's and so is the lock.
 * Not modelled (no scenario does it): a native-named object that detaches, re-keys or creates while
 * holding its lock lets go of the segment key's lock in {@link LifecycleRules}, not of its own.
 */
final class NativeKeyRules {
    private NativeKeyRules() {
    }

    /**
     * The model key a native name reaches from the worker's space: the named key space's key, in the
     * namespace the worker's visibility gives it ("qt-posix@&lt;shm ns&gt;|k" for a POSIX worker).
     */
    static Optional<String> reached(ModelOp op) {
        return NativeName.in(op.key()).map(n -> ModelKey.of(op.space(), n.key()).inKeySpace(n.keySpace()).toString());
    }

    /** Whether the worker's object met another key space's segment through a native name. */
    static boolean tookNativeName(ModelOp op, Worker w) {
        // A key of the worker's own space is never a native name's, whatever the space's spelling.
        return w.key() != null && !ModelKey.parse(w.key()).space().equals(op.space())
                && !ModelKey.keySpaceOf(w.key()).equals(ModelKey.keySpaceOf(op.space()));
    }

    /** The lock a native-named object takes: its own key space's semaphore of that native name. */
    static String ownLock(ModelOp op, Worker w) {
        ModelKey taken = ModelKey.parse(w.key());
        return ModelKey.of(op.space(), NativeName.of(taken.keySpace(), taken.key())).toString();
    }

    /** create(): as any; a segment made through a native name is what a non-Qt program's attach must find (N17). */
    static Step create(Profile profile, ModelState s, ModelOp op, Worker w) {
        Step made = LifecycleRules.create(profile, s, op, w);
        Optional<String> key = reached(op);
        if (key.isPresent() && profile.keyingSplitsLock()) {
            made = ownSemaphore(s, op, made, true);
        }
        if (key.isEmpty() || !made.legal() || op.outcome() != Outcome.OK) {
            return made;
        }
        List<ModelState> next = new ArrayList<>();
        for (ModelState n : made.next()) {
            next.add(n.segments().containsKey(key.get()) ? n.because(key.get(), Property.NATIVE_KEY_INTEROP) : n);
        }
        return Step.to(next);
    }

    /** attach(): as any; a native-named object opens its own key space's semaphore of that name (see {@link #ownSemaphore}). */
    static Step attach(Profile profile, ModelState s, ModelOp op, Worker w) {
        Step met = LifecycleRules.attach(profile, s, op, w);
        return reached(op).isPresent() && profile.keyingSplitsLock() ? ownSemaphore(s, op, met, false) : met;
    }

    /**
     * Where semaphores are tracked by generation (keying splits the lock), the one a native-named object
     * opens at create()/attach() is named after the native key, not after the segment's legacy key the
     * lifecycle rules opened: redo the open on the object's own lock, from the semaphores before the step.
     */
    private static Step ownSemaphore(ModelState before, ModelOp op, Step st, boolean createMode) {
        if (!st.legal()) {
            return st;
        }
        List<ModelState> next = new ArrayList<>();
        for (ModelState n : st.next()) {
            Worker now = n.worker(op.process());
            next.add(now == null || now.key() == null ? n
                    : n.with(before.semaphores().closedBy(op.process()).openedBy(op.process(), ownLock(op, now), createMode)));
        }
        return Step.to(next);
    }

    static Step lock(Profile profile, ModelState s, ModelOp op, Worker w) {
        if (!tookNativeName(op, w)) {
            return LockRules.lock(s, op, w);
        }
        if (documented(profile)) {
            return Expect.fail(s, op, null, Property.NATIVE_KEY_UNPROTECTED,
                    "lock() of an object with a native key (the platform notes: \"unable to lock\")");
        }
        Worker own = rekeyed(w, ownLock(op, w));
        return onOwnLock(op, w, LockRules.lock(s.with(op.process(), own), op, own));
    }

    static Step unlock(Profile profile, ModelState s, ModelOp op, Worker w) {
        if (!tookNativeName(op, w) || documented(profile)) {
            return LockRules.unlock(s, op, w); // documented: it never locked, so unlock() returns false
        }
        Worker own = rekeyed(w, ownLock(op, w));
        return onOwnLock(op, w, LockRules.unlock(s.with(op.process(), own), op, own));
    }

    /**
     * nativeKey() (seed N16: "QSharedMemory changes the key in a Qt-specific way, unless otherwise specified").
     * An object given a native name was told otherwise: Qt must keep that name, a Qt-legacy
     * {@code qipc_sharedmemory_<letters><sha1>} name, and not change it again (under every profile: the
     * meeting depends on it). An object given a plain key: as documented its native key is not the key
     * itself (the run's letters-only prefix and the key); what each column makes of it is recorded, since
     * no declaration says how a column names its objects.
     */
    static Step nativeKey(Profile profile, ModelState s, ModelOp op, Worker w) {
        if (op.outcome() == Outcome.CRASH) {
            return Expect.crashed(s, op);
        }
        if (op.outcome() != Outcome.OK || w.key() == null || op.value() == null) {
            return Step.to(s);
        }
        String logical = ModelKey.parse(w.key()).key();
        String name = op.value().substring(op.value().lastIndexOf('/') + 1);
        if (tookNativeName(op, w)) {
            boolean kept = name.matches("qipc_sharedmemory_[A-Za-z]*[0-9a-f]{40}") && !name.contains("qipcsharedmemory");
            return kept ? Step.to(s.observe("nativeKey() of an object given a native name: the name as given"))
                    : Step.violates(Property.KEY_CHANGED_BY_QT, "nativeKey() returned " + op.value()
                    + ": not the native name the object was given (" + NativeName.of(ModelKey.keySpaceOf(w.key()), logical) + ")");
        }
        boolean unchanged = op.value().matches("[A-Za-z]*" + Pattern.quote(logical));
        if (unchanged && documented(profile)) {
            return Step.violates(Property.KEY_CHANGED_BY_QT, "nativeKey() returned " + op.value()
                    + ": the key itself, not changed in a Qt-specific way");
        }
        return Step.to(s.observe("nativeKey() of a plain key: " + (unchanged ? "the key itself" : "changed (" + shape(op.value(), logical) + ")")));
    }

    /** The form of a native key without the run's letters and the hash: the same for every run, as the matrix shows it. */
    static String shape(String value, String logical) {
        String name = value.substring(value.lastIndexOf('/') + 1);
        String where = value.equals(name) ? "" : value.lastIndexOf('/') == 0 ? "/" : "<dir>/";
        String letters = logical.replaceAll("[^A-Za-z]", "");
        String n = name.replaceAll("[0-9a-f]{40}", "<sha1>")
                .replaceFirst("[a-z]*" + Pattern.quote(letters) + "(?=<sha1>)", "<letters>")
                .replaceFirst("[a-z]*" + Pattern.quote(logical) + "$", "<key>");
        return where + n;
    }

    private static boolean documented(Profile profile) {
        return Profile.DOCUMENTED.name().equals(profile.name());
    }

    /** The lock rules ran on the object's own lock: its object keeps the segment's key. */
    private static Step onOwnLock(ModelOp op, Worker w, Step st) {
        if (!st.legal()) {
            return st;
        }
        List<ModelState> next = new ArrayList<>();
        for (ModelState n : st.next()) {
            next.add(n.with(op.process(), rekeyed(n.worker(op.process()), w.key())));
        }
        return Step.to(next);
    }

    private static Worker rekeyed(Worker w, String key) {
        return new Worker(key, w.attached(), w.readOnly(), w.locked(), w.dead(), w.mapped());
    }
}
