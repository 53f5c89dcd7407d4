package org.shmconform.model;

import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The model's state: immutable, compared by value (the checker memoises on it).
 *
 * @param segments     existing segments by space|key
 * @param locks        space|key → who holds that key's lock (a dead process can hold it); no entry: free
 * @param workers      per process: its object's key, attachment and lock flag
 * @param cause        space|key → the property that decided the key's last fate (destroyed by a last detach,
 *                     survived a crash): a later contradiction is blamed on that property
 * @param semaphores   Qt 6.4's semaphore ownership, for profiles whose keying resets the lock
 * @param orphans      process → the handle its object's failed create() kept (to the segment of a space|key, or to
 *                     one destroyed since), until its next create/attach/detach cleans it (profiles whose retry removes the orphan: Qt 6.8's System V
 *                     cleanHandle, which removes the segment if nobody is attached by then)
 * @param observations which branch the documentation left open was taken (e.g. "lock after holder death: released")
 * @param servers      hand-over socket name → who serves which segment there (serveFd, until it detaches or dies)
 * @param unnamed      space|key of live segments whose key file an owner of the key's semaphore unlinked (profiles
 *                     whose retry removes the orphan: Qt 6.8's System V, where a platformSafeKey or native key names
 *                     one file for segment and semaphore), so that a key file made since may ftok to theirs; see
 *                     {@link LockRules#keyFileUnlinked}; or that a failed create's kept handle unlinked by its path,
 *                     legacy keys too (LifecycleRules.keyFileUnlinkedByItsPath)
 * @param remade       those of {@code unnamed} whose key file its unlinker made again at once (an owner's create in
 *                     Create mode, LockRules.keyedByCreate): a file is there, maybe on another inode
 * @param ftoks        process → the key whose file the QSystemSemaphore handle() of its create/attach in flight made or
 *                     found and has not ftok'd yet ({@link SegmentModel#KEY_FILE_MADE}), and whether another object
 *                     unlinked that file since (LockRules.unlinksTheKeyFile): consumed by the call itself
 */
public record ModelState(Map<String, Segment> segments, Map<String, Lock> locks, Map<String, Worker> workers,
                         Map<String, Property> cause, Semaphores semaphores, Map<String, Orphan> orphans,
                         SortedSet<String> observations, Map<String, Server> servers, Set<String> unnamed,
                         Set<String> remade, Map<String, Ftok> ftoks) {

    public ModelState {
        unnamed = Set.copyOf(unnamed);
        remade = Set.copyOf(remade);
        ftoks = Map.copyOf(ftoks);
    }

    /** No create/attach in flight between its key file and its ftok. */
    public ModelState(Map<String, Segment> segments, Map<String, Lock> locks, Map<String, Worker> workers,
                      Map<String, Property> cause, Semaphores semaphores, Map<String, Orphan> orphans,
                      SortedSet<String> observations, Map<String, Server> servers, Set<String> unnamed,
                      Set<String> remade) {
        this(segments, locks, workers, cause, semaphores, orphans, observations, servers, unnamed, remade, Map.of());
    }

    /** No segment lost its key file. */
    public ModelState(Map<String, Segment> segments, Map<String, Lock> locks, Map<String, Worker> workers,
                      Map<String, Property> cause, Semaphores semaphores, Map<String, Orphan> orphans,
                      SortedSet<String> observations, Map<String, Server> servers) {
        this(segments, locks, workers, cause, semaphores, orphans, observations, servers, Set.of(), Set.of());
    }

    /** Without hand-over servers. */
    public ModelState(Map<String, Segment> segments, Map<String, Lock> locks, Map<String, Worker> workers,
                      Map<String, Property> cause, Semaphores semaphores, SortedSet<String> observations) {
        this(segments, locks, workers, cause, semaphores, Map.of(), observations, Map.of());
    }

    /**
     * A segment served as a descriptor (serveFd): by {@code process}, whose object is attached to
     * {@code key}; {@code user} is the server's user, {@code peer} the one other user it hands the
     * descriptor to (null: none).
     */
    public record Server(String process, String key, String user, String peer) {
        /** Whether a process of {@code receiver} gets the descriptor. */
        boolean serves(String receiver) {
            return KeySpaceRules.sameUser(user, receiver) || (peer != null && peer.equals(receiver));
        }
    }

    /**
     * A segment: the object's current length ({@code size}: what create made it, until a peer's
     * ftruncate changes it; each attacher keeps the length it mapped, see {@link Worker#mapped}), the
     * bytes written into it (offset → byte; every other byte is zero, as a new segment is, so a 96 MiB
     * segment costs nothing), who is attached (process → read-only?), who made it.
     */
    public record Segment(long size, SortedMap<Long, Byte> written, Map<String, Boolean> attached, String creatorUser) {
        Segment withAttached(Map<String, Boolean> a) {
            return new Segment(size, written, a, creatorUser);
        }

        Segment write(long offset, byte[] data) {
            TreeMap<Long, Byte> w = new TreeMap<>(written);
            for (int i = 0; i < data.length; i++) {
                if (data[i] == 0) {
                    w.remove(offset + i);
                } else {
                    w.put(offset + i, data[i]);
                }
            }
            return new Segment(size, w, attached, creatorUser);
        }

        byte[] read(long offset, int length) {
            byte[] out = new byte[length];
            written.subMap(offset, offset + length).forEach((at, b) -> out[(int) (at - offset)] = b);
            return out;
        }

        /** ftruncate by a peer: the new length; bytes past it read as zero from then on (the kernel zeroes the partial page). */
        Segment truncate(long to) {
            return new Segment(to, new TreeMap<>(written.headMap(Math.max(0, to))), attached, creatorUser);
        }

        /**
         * ftruncate to a greater length: nothing is zeroed, so what a mapping stored past the old end in its last page
         * stays, past the new end too (Linux tmpfs: fuzz posix seed 1134, create(16), truncate(1), write "wAs10" at 6,
         * truncate(8): a read of 0..12 gave "wAs10" whole, 3/3).
         */
        Segment grow(long to) {
            return new Segment(to, new TreeMap<>(written), attached, creatorUser);
        }

        /** Grown past {@code from}: the bytes a mapping left past the old end in its last page are dropped. */
        Segment dropTail(long from) {
            return new Segment(size, new TreeMap<>(written.headMap(from)), attached, creatorUser);
        }
    }

    /**
     * A worker's one segment object. {@code key} is space|key once it has had a key, else null;
     * {@code mapped} is the length it mapped when it attached (0 when not attached): what size()
     * returns and where read/write bounds lie, whatever a peer's ftruncate did to the object since.
     */
    public record Worker(String key, boolean attached, boolean readOnly, boolean locked, boolean dead, long mapped,
                         String reachedThrough, boolean handleDropped) {
        static final Worker FRESH = new Worker(null, false, false, false, false, 0);

        /** An object whose key is the segment's. */
        public Worker(String key, boolean attached, boolean readOnly, boolean locked, boolean dead, long mapped) {
            this(key, attached, readOnly, locked, dead, mapped, null);
        }

        /** An object with its handle (any keying but a create refused for its size re-derives it). */
        public Worker(String key, boolean attached, boolean readOnly, boolean locked, boolean dead, long mapped,
                      String reachedThrough) {
            this(key, attached, readOnly, locked, dead, mapped, reachedThrough, false);
        }

        Worker locked(boolean nowLocked) {
            return new Worker(key, attached, readOnly, nowLocked, dead, mapped, reachedThrough, handleDropped);
        }

        /**
         * Its handle to the segment dropped, or re-derived: a System V create() by an attached object runs initKey's
         * cleanHandle (unix_key = 0) before it refuses a size &lt;= 0, so its later detach() finds no segment (shmget of
         * key 0) and returns true without removing it (LifecycleRules.detach).
         */
        Worker withHandleDropped(boolean dropped) {
            return new Worker(key, attached, readOnly, locked, dead, mapped, reachedThrough, dropped);
        }

        /**
         * The key the object was given, which Qt's setNativeKey compares a new key with: the key it reached its segment
         * through ({@code reachedThrough}: its new key file ftok'd to a segment whose key file was unlinked, see
         * LifecycleRules.attachOn, or its segment was left nameless, LifecycleRules.leftNameless), else its segment's.
         * The object keeps that key until it is keyed anew. Fuzz qt68-sysv-native seed 9164 (3/3): B, attached to k's
         * segment through k-1, attaches k: a re-key (Qt detaches, keys k and attaches), not an attach while attached.
         */
        String qtKey() {
            return reachedThrough != null ? reachedThrough : key;
        }

        /**
         * Not attached any more (detach, re-key, death): nothing mapped, and keyed by the key it was given
         * ({@link #qtKey}), which it keeps until it is keyed anew: the key its QSystemSemaphore is keyed by, which its
         * lock, its next re-key's cleanHandle and Qt's setNativeKey go by. Fuzz qt68-sysv-safe seed 4598 (3/3, a mutant
         * of a 64-step campaign): A attach k → NotFound (A owns k's set and file); B create k; A attach j (its re-key
         * unlinked k's file and removed k's set, j's file took the inode: B's segment; A owns j's fresh set); A detach;
         * C create(0) j; C create j → AlreadyExists (its Create mode removed A's set of j); A create k → UnknownError, the
         * IPC_RMID of the set of j, its given key, failing. Keyed by the segment's key k after its detach, A owned no
         * removed set and only AlreadyExists was allowed.
         */
        Worker detached() {
            return new Worker(qtKey(), false, false, locked, dead, 0);
        }
    }

    public static ModelState initial() {
        return new ModelState(Map.of(), Map.of(), Map.of(), Map.of(), Semaphores.NONE, Map.of(), new TreeSet<>(), Map.of());
    }

    public Worker worker(String p) {
        return workers.getOrDefault(p, Worker.FRESH);
    }

    ModelState with(String p, Worker w) {
        TreeMap<String, Worker> m = new TreeMap<>(workers);
        m.put(p, w);
        return new ModelState(segments, locks, m, cause, semaphores, orphans, observations, servers, unnamed, remade, ftoks);
    }

    ModelState withSegment(String key, Segment s) {
        TreeMap<String, Segment> m = new TreeMap<>(segments);
        Set<String> u = unnamed;
        Set<String> r = remade;
        if (s == null) {
            m.remove(key);
            u = new TreeSet<>(unnamed);
            u.remove(key);
            r = new TreeSet<>(remade);
            r.remove(key);
        } else {
            m.put(key, s);
        }
        return new ModelState(m, locks, workers, cause, semaphores, orphans, observations, servers, u, r, ftoks);
    }

    /** Whether the key's segment lost its key file (and with it its name) under a live attachment. */
    boolean isUnnamed(String key) {
        return unnamed.contains(key) && segments.containsKey(key);
    }

    /** The key's segment lost its key file (true), or a new segment was made under the key (false). */
    ModelState withUnnamed(String key, boolean lost) {
        TreeSet<String> u = new TreeSet<>(unnamed);
        if (lost) {
            u.add(key);
        } else {
            u.remove(key);
        }
        TreeSet<String> r = new TreeSet<>(remade);
        r.remove(key);
        return new ModelState(segments, locks, workers, cause, semaphores, orphans, observations, servers, u, r, ftoks);
    }

    /** The key's segment lost its key file, which its unlinker made again at once (maybe on another inode). */
    ModelState withKeyFileRemade(String key) {
        ModelState lost = withUnnamed(key, true);
        TreeSet<String> r = new TreeSet<>(remade);
        r.add(key);
        return new ModelState(segments, locks, workers, cause, semaphores, orphans, observations, servers, lost.unnamed, r, ftoks);
    }

    /** Whether the key's live segment lost its key file and no file is under that name now (its unlink would fail). */
    boolean keyFileMissing(String key) {
        return isUnnamed(key) && !remade.contains(key);
    }

    /**
     * Whether no file is under the key's name now, whether or not a segment of the key lives: its file went
     * ({@code unnamed}: with its segment, or under another key's segment an object reached through it) and nobody made
     * it again. {@link #keyFileMissing} where the key's segment lives.
     */
    boolean keyFileGone(String key) {
        return unnamed.contains(key) && !remade.contains(key);
    }

    /**
     * The key file of {@code key} that a create/attach in flight made or found in its QSystemSemaphore handle(), before
     * its ftok; {@code unlinked} once another object unlinked that file (LockRules.unlinksTheKeyFile).
     */
    public record Ftok(String key, boolean unlinked) {
    }

    /** The process's call in flight made or found {@code ftok}'s key file and has not ftok'd it yet (null: no such call). */
    ModelState withFtok(String p, Ftok ftok) {
        TreeMap<String, Ftok> m = new TreeMap<>(ftoks);
        if (ftok == null) {
            m.remove(p);
        } else {
            m.put(p, ftok);
        }
        return new ModelState(segments, locks, workers, cause, semaphores, orphans, observations, servers, unnamed, remade, m);
    }

    /** The key's lock, or null when nobody holds it. */
    public Lock lock(String key) {
        return locks.get(key);
    }

    /**
     * The lock {@code process} would act on for {@code key}: where keying splits the lock (Qt's POSIX
     * semaphore), the generation its object has open for that key, else the one the name leads to;
     * otherwise the key's one lock. Null when nobody holds it.
     */
    public Lock lockSeenBy(String process, String key) {
        String handle = semaphores.handle(process);
        if (handle != null && Semaphores.keyOf(handle).equals(key)) {
            return locks.get(handle);
        }
        String named = semaphores.named(key);
        return locks.get(named != null ? named : key);
    }

    ModelState withLock(String key, Lock lock) {
        TreeMap<String, Lock> m = new TreeMap<>(locks);
        if (lock == null) {
            m.remove(key);
        } else {
            m.put(key, lock);
        }
        return new ModelState(segments, m, workers, cause, semaphores, orphans, observations, servers, unnamed, remade, ftoks);
    }

    ModelState with(Semaphores now) {
        return new ModelState(segments, locks, workers, cause, now, orphans, observations, servers, unnamed, remade, ftoks);
    }

    ModelState because(String key, Property p) {
        TreeMap<String, Property> m = new TreeMap<>(cause);
        if (p == null) {
            m.remove(key);
        } else {
            m.put(key, p);
        }
        return new ModelState(segments, locks, workers, m, semaphores, orphans, observations, servers, unnamed, remade, ftoks);
    }

    /** The property to blame when the key's existence turns out other than the model says. */
    Property blame(String key, Property otherwise) {
        return cause.getOrDefault(key, otherwise);
    }

    ModelState withServer(String name, Server server) {
        TreeMap<String, Server> m = new TreeMap<>(servers);
        if (server == null) {
            m.remove(name);
        } else {
            m.put(name, server);
        }
        return new ModelState(segments, locks, workers, cause, semaphores, orphans, observations, m, unnamed, remade, ftoks);
    }

    /** Every server of {@code process} stopped (it detached, re-keyed or died). */
    ModelState withoutServersOf(String process) {
        if (servers.values().stream().noneMatch(v -> v.process().equals(process))) {
            return this;
        }
        TreeMap<String, Server> m = new TreeMap<>(servers);
        m.values().removeIf(v -> v.process().equals(process));
        return new ModelState(segments, locks, workers, cause, semaphores, orphans, observations, m, unnamed, remade, ftoks);
    }

    ModelState observe(String observation) {
        TreeSet<String> o = new TreeSet<>(observations);
        o.add(observation);
        return new ModelState(segments, locks, workers, cause, semaphores, orphans, o, servers, unnamed, remade, ftoks);
    }

    /**
     * A failed create's handle (Qt 6.8's System V unix_key) that an object keeps: to the segment of {@code key}, or,
     * {@code destroyed}, to one destroyed since. A segment made under that key later is another kernel object, which
     * the kept ftok key may or may not reach (a re-made key file may take another inode): LifecycleRules.keptHandleIsStale.
     */
    public record Orphan(String key, boolean destroyed) {
    }

    /** The orphaned segment (space|key) the process's object keeps a handle to, or null. */
    String orphan(String p) {
        Orphan kept = orphans.get(p);
        return kept == null ? null : kept.key();
    }

    /** Whether the segment the process's object keeps a failed create's handle to was destroyed since. */
    boolean orphanDestroyed(String p) {
        Orphan kept = orphans.get(p);
        return kept != null && kept.destroyed();
    }

    /** The segment of {@code key} was destroyed: every failed create's handle kept to it is stale from now on. */
    ModelState withOrphanedSegmentDestroyed(String key) {
        if (!orphans.containsValue(new Orphan(key, false))) {
            return this;
        }
        TreeMap<String, Orphan> m = new TreeMap<>(orphans);
        m.replaceAll((p, kept) -> kept.key().equals(key) ? new Orphan(key, true) : kept);
        return new ModelState(segments, locks, workers, cause, semaphores, m, observations, servers, unnamed, remade, ftoks);
    }

    ModelState withOrphan(String p, String key) {
        TreeMap<String, Orphan> m = new TreeMap<>(orphans);
        if (key == null) {
            m.remove(p);
        } else {
            m.put(p, new Orphan(key, false));
        }
        return new ModelState(segments, locks, workers, cause, semaphores, m, observations, servers, unnamed, remade, ftoks);
    }
}
