package org.shmconform.model;

import java.util.HashSet;
import java.util.Set;

/**
 * Qt 6.4's lock semaphores, tracked only where a profile's keying resets the lock: whose object owns
 * each key's semaphore (made it, or opened it in Create mode: it removes it at its next
 * create/attach or re-key), and for which keys a semaphore surely exists.
 *
 * @param owned   (process, space|key) pairs
 * @param present space|key of every key whose semaphore surely exists
 */
public record Semaphores(Set<Owner> owned, Set<String> present) {
    public static final Semaphores NONE = new Semaphores(Set.of(), Set.of());

    public Semaphores {
        owned = Set.copyOf(owned);
        present = Set.copyOf(present);
    }

    /** This process's object owns the key's semaphore. */
    public record Owner(String process, String key) {
    }

    public boolean owns(String process, String key) {
        return owned.contains(new Owner(process, key));
    }

    public boolean present(String key) {
        return present.contains(key);
    }

    /** The process's object made the key's semaphore, or opened it in Create mode. */
    Semaphores own(String process, String key) {
        Set<Owner> o = new HashSet<>(owned);
        o.add(new Owner(process, key));
        Set<String> p = new HashSet<>(present);
        p.add(key);
        return new Semaphores(o, p);
    }

    /** The owner's object let go of the key (cleanHandle removed the semaphore): the next opener makes a fresh one. */
    Semaphores removedBy(String process, String key) {
        Set<Owner> o = new HashSet<>(owned);
        o.remove(new Owner(process, key));
        Set<String> p = new HashSet<>(present);
        p.remove(key);
        return new Semaphores(o, p);
    }
}
