package org.shmconform.model;

import java.util.ArrayList;
import java.util.List;
import org.shmconform.model.ModelState.Worker;
import org.shmconform.model.Promises.Departure;

/**
 * Keys and what reaches them: a worker's object takes a key (a re-key drops the old object), a key
 * is "space|key" where the space is the backend's key space plus the namespace identity its
 * visibility follows, nested namespaces see their descendants' keys, and a key over the safe length
 * may be refused.
 */
final class KeySpaceRules {
    private KeySpaceRules() {
    }

    /**
     * The model's key for the op's key: "space|key"; for a native name ({@code native-name:<keySpace>:<key>},
     * seed N17) the named key space's key, which is the object a non-Qt program of that scheme uses.
     */
    static String modelKey(ModelOp op) {
        return NativeKeyRules.reached(op).orElse(ModelKey.of(op.space(), op.key()).toString());
    }

    /**
     * Like the worker's re-key (a new object for a different key): the old object's destructor
     * detaches it (a Qt-style detach lets go of a held lock on the way out; an OFD lock goes with the
     * descriptor) and cleans its semaphore handle. A lock held without an attachment stays held by
     * the dropped object, unless its semaphore goes with it.
     */
    static List<ModelState> rekey(Profile profile, ModelState s, ModelOp op, Worker w) {
        String key = modelKey(op);
        if (key.equals(w.qtKey())) {
            // Qt's setNativeKey returns early for the key the object has (the one it reached another segment through).
            return List.of(s);
        }
        String p = op.process();
        // The semaphore cleanHandle goes by the key the object was given, also where its segment was left nameless.
        ModelState base = LockRules.droppedByRekey(profile, s, p, LifecycleRules.givenKey(w), LockRules.failedOnARemovedSet(op));
        List<ModelState> out = new ArrayList<>();
        if (w.attached()) {
            // Where its handle went with a create refused for its size (or failed in initKey), the re-key's detach()
            // removes nothing. Fuzz qt68-sysv-native seed 223709 (3/3): A create k; A create(0) k → InvalidSize (its
            // Create mode re-made k's file); A create k_1 → AlreadyExists (k_1's file on the inode of k's first one).
            List<ModelState> left = w.handleDropped() ? List.of(LifecycleRules.detachedWithoutHandle(base, p, w.key()))
                    : LifecycleRules.leave(profile, Departure.RE_KEY, base, p, w.key());
            for (ModelState after : left) {
                out.add(w.locked() ? LockRules.release(after, LockRules.lockId(after, p)) : after);
            }
        } else if (w.locked()) {
            out.add(LockRules.release(base, LockRules.lockId(base, p)).observe("re-key while holding the lock: released"));
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
     * Which segment a worker in {@code space} reaches for a key: its own space's, or, where namespaces
     * nest (a pid namespace sees its children's processes), a descendant's. Spaces are
     * "keySpace@namespace" and a child namespace is written "parent/child".
     */
    static String visibleKey(ModelState s, String modelKey) {
        if (s.segments().containsKey(modelKey)) {
            return modelKey;
        }
        ModelKey wanted = ModelKey.parse(modelKey);
        return s.segments().keySet().stream()
                .filter(k -> ModelKey.parse(k).key().equals(wanted.key()) && ModelKey.parse(k).space().startsWith(wanted.space() + "/"))
                .findFirst().orElse(modelKey);
    }

    /** Why a key is missing here: made by another backend family, or in a namespace this worker cannot see. */
    static Property otherSpace(ModelState s, ModelOp op) {
        if (NativeKeyRules.reached(op).isPresent()) {
            // A native name that finds nothing: the meeting the platform notes promise did not happen.
            return s.blame(modelKey(op), Property.NATIVE_KEY_INTEROP);
        }
        String keySpace = ModelKey.keySpaceOf(op.space());
        String withoutTmpdir = op.space().replaceFirst("#[^|]*$", "");
        for (String k : s.segments().keySet()) {
            ModelKey other = ModelKey.parse(k);
            if (other.key().equals(op.key()) && !other.space().equals(op.space())) {
                if (!other.keySpace().equals(keySpace)) {
                    return Property.BACKENDS_SEPARATE;
                }
                return other.space().startsWith(withoutTmpdir + "#") ? Property.KEY_FILE_IN_TMPDIR : Property.NAMESPACE_VISIBILITY;
            }
        }
        return s.blame(ModelKey.of(op.space(), op.key()).toString(), Property.ATTACH_EXISTING);
    }

    /** A key over the safe length that the backend refused (file name limits): legal. */
    static boolean longKeyRefused(ModelOp op) {
        return op.realKeyLength() > SegmentModel.SAFE_KEY_LENGTH && op.error() != null && !"NoError".equals(op.error());
    }

    static boolean sameUser(String a, String b) {
        return a == null ? b == null : a.equals(b);
    }

    static String user(String u) {
        return u == null ? "the harness's user" : u;
    }
}
