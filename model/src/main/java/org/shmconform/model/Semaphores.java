package org.shmconform.model;

import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The lock semaphores of Qt-style backends, tracked only where a profile's keying changes them.
 * <ul>
 * <li>Keying resets the lock (Qt 6.4's System V): whose object owns each key's semaphore (made it, or
 * opened it in Create mode: it removes it at its next create/attach or re-key), and for which keys a
 * semaphore surely exists.</li>
 * <li>Keying splits the lock (Qt's POSIX named semaphores): each generation of a key's semaphore is a
 * lock of its own, named {@code space|key#n}. {@code names} says which generation the name
 * {@code /qipc_systemsem_...} leads to now (none: nothing under the name, the next opener makes one),
 * {@code handles} which generation each process's object has open; {@code owned} marks the objects
 * that made theirs (Qt's createdSemaphore: they sem_unlink the name when they let go of it).</li>
 * </ul>
 *
 * @param owned   (process, space|key) pairs
 * @param present space|key of every key whose semaphore surely exists (keying resets the lock)
 * @param names   space|key → the generation its name leads to (keying splits the lock)
 * @param handles process → the lock id ({@code space|key#n}) of the generation its object has open
 * @param made    generations made so far (the next one is numbered {@code made})
 * @param removed owners whose semaphore set another owner's object has removed since they took it (keying resets
 *                the lock, profiles with {@link Profile#retryRemovesOrphan()}: Qt 6.8's System V reports the failed
 *                IPC_RMID of their next cleanHandle, see {@link LockRules#removedUnderOthers}; Qt 6.4's, by another
 *                owner's create or attach that made the set again, whose file their next cleanHandle unlinks, see
 *                {@link LockRules#removedSetsFileUnlinked})
 * @param erred   process → the error its object's QSystemSemaphore still carries, as QSharedMemoryPrivate::initKey
 *                reports it (Qt 6.8's System V: an attach of the same key returns early from setNativeKey in Open mode and
 *                fails on it again; LifecycleRules.semaphoreErrorKept): UnknownError after that failed IPC_RMID, KeyError
 *                after a failed ftok (LifecycleRules.keyFileWentUnderKeying)
 * @param fileGone space|key whose semaphore key file ({@code qipc_systemsem_*}, a file of its own) an owner's cleanHandle
 *                unlinked while other objects still had the key: the set they have open may live on without a name, and
 *                a key file made since may take its inode (Qt 6.4 and legacy keys; {@link LockRules#droppedByRekey})
 * @param lost    objects that do not own the set they have open for the key, which an owner's cleanHandle removed since
 *                (profiles with {@link Profile#retryRemovesOrphan()}): their next semop meets the removed set, and
 *                modifySemaphore's handle() may find no set yet and make one, which they then own
 *                ({@link LockRules#lockerMayMakeTheSet})
 * @param unlinkedBy space|key → the object whose cleanHandle last unlinked the key's semaphore file while it owned a set
 *                another owner had removed under it ({@code removed}, Qt 6.4): the set that file named, which that other
 *                owner made again, lives on for the key's other objects and may lose its name, the unlinker's own handle()
 *                re-opening the name ({@link LockRules#removedSetsFileUnlinked})
 * @param reopened owners whose semop met the set another owner's remake removed under them, and whose modifySemaphore
 *                unlinked its file and opened the name again (Qt 6.4, {@link LockRules#lockerMetARemovedSet}): the set
 *                they have open now is that owner's (createdFile only: their next cleanHandle removes nothing of it) or
 *                one of their own, until their next keying in Create mode
 * @param reached space|key → the keys of the space whose set an object owned while its key file was gone when this
 *                key's file was made: the file may have taken the inode of theirs and ftok'd to their set, so an owner
 *                of one key that removes its set may remove the other's, even after their files were made again
 *                ({@code LockRules.mayBeTheSameSet})
 */
public record Semaphores(Set<Owner> owned, Set<String> present, Map<String, Integer> names, Map<String, String> handles,
                         int made, Set<Owner> removed, Map<String, String> erred, Set<String> fileGone, Set<Owner> lost,
                         Map<String, String> unlinkedBy, Set<Owner> reopened, Map<String, Set<String>> reached) {
    public static final Semaphores NONE = new Semaphores(Set.of(), Set.of());

    public Semaphores {
        owned = Set.copyOf(owned);
        present = Set.copyOf(present);
        names = Map.copyOf(names);
        handles = Map.copyOf(handles);
        removed = Set.copyOf(removed);
        erred = Map.copyOf(erred);
        fileGone = Set.copyOf(fileGone);
        lost = Set.copyOf(lost);
        unlinkedBy = Map.copyOf(unlinkedBy);
        reopened = Set.copyOf(reopened);
        Map<String, Set<String>> r = new TreeMap<>();
        reached.forEach((k, v) -> r.put(k, Set.copyOf(v)));
        reached = Map.copyOf(r);
    }

    /** No semaphore file unlinked by an owner of a removed set. */
    public Semaphores(Set<Owner> owned, Set<String> present, Map<String, Integer> names, Map<String, String> handles,
                      int made, Set<Owner> removed, Map<String, String> erred, Set<String> fileGone, Set<Owner> lost) {
        this(owned, present, names, handles, made, removed, erred, fileGone, lost, Map.of(), Set.of(), Map.of());
    }

    /** No key's semaphore file gone under its set, no object's set lost. */
    public Semaphores(Set<Owner> owned, Set<String> present, Map<String, Integer> names, Map<String, String> handles,
                      int made, Set<Owner> removed, Map<String, String> erred) {
        this(owned, present, names, handles, made, removed, erred, Set.of(), Set.of());
    }

    /** With no object carrying a semaphore error. */
    public Semaphores(Set<Owner> owned, Set<String> present, Map<String, Integer> names, Map<String, String> handles,
                      int made, Set<Owner> removed) {
        this(owned, present, names, handles, made, removed, Map.of());
    }

    /** Without owners whose set was removed under them. */
    public Semaphores(Set<Owner> owned, Set<String> present, Map<String, Integer> names, Map<String, String> handles, int made) {
        this(owned, present, names, handles, made, Set.of());
    }

    /** Ownership only (keying resets the lock), as before semaphores could split. */
    public Semaphores(Set<Owner> owned, Set<String> present) {
        this(owned, present, Map.of(), Map.of(), 0);
    }

    /** This process's object owns the key's semaphore. */
    public record Owner(String process, String key) {
    }

    public boolean owns(String process, String key) {
        return owned.contains(new Owner(process, key));
    }

    /** Another owner's object removed the set this process's object owns for the key (its own IPC_RMID will fail). */
    public boolean removedUnder(String process, String key) {
        return removed.contains(new Owner(process, key));
    }

    /** Every other owner of the key, or of one of {@code mayBeTheSameSet}, now owns a (possibly) removed set. */
    Semaphores removedUnderOthers(String process, String key, Set<String> mayBeTheSameSet) {
        Set<Owner> r = new HashSet<>(removed);
        owned.stream().filter(o -> (o.key().equals(key) || mayBeTheSameSet.contains(o.key())) && !o.process().equals(process))
                .forEach(r::add);
        return new Semaphores(owned, present, names, handles, made, r, erred, fileGone, lost, unlinkedBy, reopened, reached);
    }

    /** Whether the process's object's QSystemSemaphore still carries an error (a failed cleanHandle's, or ftok's). */
    public boolean erred(String process) {
        return erred.containsKey(process);
    }

    /** The error initKey reports for the one the process's object's QSystemSemaphore still carries, or null. */
    public String error(String process) {
        return erred.get(process);
    }

    /** The process's object's QSystemSemaphore carries an error, which initKey reports as {@code kept}; null: cleared. */
    Semaphores withError(String process, String kept) {
        if (Objects.equals(erred.get(process), kept)) {
            return this;
        }
        Map<String, String> e = new TreeMap<>(erred);
        if (kept != null) {
            e.put(process, kept);
        } else {
            e.remove(process);
        }
        return new Semaphores(owned, present, names, handles, made, removed, e, fileGone, lost, unlinkedBy, reopened, reached);
    }

    /** The process's object keyed its semaphore again (or used it, which re-opens a removed set): nothing stale left. */
    Semaphores rekeyedBy(String process) {
        Set<Owner> r = new HashSet<>(removed);
        r.removeIf(o -> o.process().equals(process));
        Set<Owner> l = new HashSet<>(lost);
        l.removeIf(o -> o.process().equals(process));
        return new Semaphores(owned, present, names, handles, made, r, erred, fileGone, l, unlinkedBy, reopened, reached);
    }

    /** The set the process's object has open for the key, which it does not own, was removed under it ({@code lost}). */
    public boolean lost(String process, String key) {
        return lost.contains(new Owner(process, key));
    }

    /** These objects, which do not own the set they have open, had it removed under them ({@code lost}). */
    Semaphores withLost(Set<Owner> more) {
        if (lost.containsAll(more)) {
            return this;
        }
        Set<Owner> l = new HashSet<>(lost);
        l.addAll(more);
        return new Semaphores(owned, present, names, handles, made, removed, erred, fileGone, l, unlinkedBy, reopened, reached);
    }

    /** The key's semaphore file was unlinked while objects still had the key ({@code fileGone}). */
    Semaphores withFileGone(String key) {
        if (fileGone.contains(key)) {
            return this;
        }
        Set<String> g = new HashSet<>(fileGone);
        g.add(key);
        return new Semaphores(owned, present, names, handles, made, removed, erred, g, lost, unlinkedBy, reopened, reached);
    }

    /** Keys whose set {@code key}'s file may have reached when it was made ({@code reached}). */
    Set<String> reached(String key) {
        return reached.getOrDefault(key, Set.of());
    }

    /**
     * The other keys whose set {@code key}'s file may have reached when it was made, or whose file, when made, may have
     * reached {@code key}'s set ({@code reached}, read both ways).
     */
    Set<String> reachedEitherWay(String key) {
        Set<String> keys = new HashSet<>(reached(key));
        reached.forEach((other, itsReached) -> {
            if (itsReached.contains(key)) {
                keys.add(other);
            }
        });
        keys.remove(key);
        return keys;
    }

    /** {@code key}'s file was made while {@code keys}' files were gone under their sets ({@code reached}). */
    Semaphores withReached(String key, Set<String> keys) {
        if (keys.isEmpty() || reached(key).containsAll(keys)) {
            return this;
        }
        Map<String, Set<String>> r = new TreeMap<>(reached);
        Set<String> all = new java.util.TreeSet<>(reached(key));
        all.addAll(keys);
        r.put(key, all);
        return new Semaphores(owned, present, names, handles, made, removed, erred, fileGone, lost, unlinkedBy, reopened, r);
    }

    /** {@code process}'s cleanHandle unlinked the key's semaphore file under a set others have open ({@code unlinkedBy}). */
    Semaphores withUnlinkedBy(String key, String process) {
        if (process.equals(unlinkedBy.get(key))) {
            return this;
        }
        Map<String, String> u = new TreeMap<>(unlinkedBy);
        u.put(key, process);
        return new Semaphores(owned, present, names, handles, made, removed, erred, fileGone, lost, u, reopened, reached);
    }

    /** Whether the object re-opened the key's name after its set was removed under it ({@code reopened}). */
    public boolean reopened(String process, String key) {
        return reopened.contains(new Owner(process, key));
    }

    /** The object re-opened the key's name ({@code reopened}), or, with {@code now} false, keyed it since. */
    Semaphores withReopened(String process, String key, boolean now) {
        Owner o = new Owner(process, key);
        if (reopened.contains(o) == now) {
            return this;
        }
        Set<Owner> r = new HashSet<>(reopened);
        if (now) {
            r.add(o);
        } else {
            r.remove(o);
        }
        return new Semaphores(owned, present, names, handles, made, removed, erred, fileGone, lost, unlinkedBy, r, reached);
    }

    public boolean present(String key) {
        return present.contains(key);
    }

    /** The lock id of the generation the process's object has open, or null (keying does not split, or none open). */
    public String handle(String process) {
        return handles.get(process);
    }

    /** The lock id an opener of {@code key} gets now, or null when nothing is under the name. */
    public String named(String key) {
        Integer gen = names.get(key);
        return gen == null ? null : lockId(key, gen);
    }

    /** The key (space|key) a lock id belongs to. */
    static String keyOf(String lockId) {
        int hash = lockId.lastIndexOf('#');
        return hash < 0 ? lockId : lockId.substring(0, hash);
    }

    private static String lockId(String key, int gen) {
        return key + "#" + gen;
    }

    /** The process's object made the key's semaphore, or opened it in Create mode. */
    Semaphores own(String process, String key) {
        Set<Owner> o = new HashSet<>(owned);
        o.add(new Owner(process, key));
        Set<String> p = new HashSet<>(present);
        p.add(key);
        return new Semaphores(o, p, names, handles, made, removed, erred, fileGone, lost, unlinkedBy, reopened, reached);
    }

    /** The owner's object let go of the key (cleanHandle removed the semaphore): the next opener makes a fresh one. */
    Semaphores removedBy(String process, String key) {
        Set<Owner> o = new HashSet<>(owned);
        o.remove(new Owner(process, key));
        Set<String> p = new HashSet<>(present);
        p.remove(key);
        return new Semaphores(o, p, names, handles, made, removed, erred, fileGone, lost, unlinkedBy, reopened, reached);
    }

    /**
     * QSystemSemaphore::cleanHandle: the object closes the generation it has open, and sem_unlinks the
     * name of its key if it made its semaphore (whichever generation the name leads to by now).
     */
    Semaphores closedBy(String process) {
        String held = handles.get(process);
        if (held == null) {
            return this;
        }
        String key = keyOf(held);
        Map<String, Integer> n = new TreeMap<>(names);
        Set<Owner> o = new HashSet<>(owned);
        if (o.remove(new Owner(process, key))) {
            n.remove(key);
        }
        Map<String, String> h = new TreeMap<>(handles);
        h.remove(process);
        return new Semaphores(o, present, n, h, made, removed, erred, fileGone, lost, unlinkedBy, reopened, reached);
    }

    /**
     * sem_open(O_CREAT|O_EXCL), then, if the name exists: in Create mode sem_unlink it and make a fresh
     * generation; in Open mode open the one the name leads to. A fresh generation is the object's own.
     */
    Semaphores openedBy(String process, String key, boolean createMode) {
        Map<String, String> h = new TreeMap<>(handles);
        Integer existing = names.get(key);
        if (existing != null && !createMode) {
            h.put(process, lockId(key, existing));
            return new Semaphores(owned, present, names, h, made, removed, erred, fileGone, lost, unlinkedBy, reopened, reached);
        }
        Map<String, Integer> n = new TreeMap<>(names);
        n.put(key, made);
        h.put(process, lockId(key, made));
        Set<Owner> o = new HashSet<>(owned);
        o.add(new Owner(process, key));
        return new Semaphores(o, present, n, h, made + 1, removed, erred, fileGone, lost, unlinkedBy, reopened, reached);
    }

    /** The process's object has its key's semaphore closed and no other open (its key was refused). */
    Semaphores withoutHandle(String process) {
        Map<String, String> h = new TreeMap<>(handles);
        h.remove(process);
        return new Semaphores(owned, present, names, h, made, removed, erred, fileGone, lost, unlinkedBy, reopened, reached);
    }
}
