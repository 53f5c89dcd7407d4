package org.shmconform.model;

/**
 * Who holds a key's lock, as far as the model can tell (a key nobody holds has no entry).
 */
public sealed interface Lock permits Lock.HeldBy, Lock.Reinitialised, Lock.OwnerDead {
    /** The lock's one state once Qt 6.4 has re-initialised its semaphore under a holder. */
    Reinitialised REINITIALISED = new Reinitialised();

    static Lock heldBy(String process) {
        return new HeldBy(process);
    }

    /** Whether {@code process} is the known holder (a dead process can be). */
    default boolean isHeldBy(String process) {
        return this instanceof HeldBy h && h.process().equals(process);
    }

    /** Held by one process, through the object it has now or through one it has dropped since. */
    record HeldBy(String process) implements Lock {
    }

    /**
     * Free, but marked by the death of {@code deadHolder} while it held the lock (a robust mutex):
     * the next lock() takes it and must be told so (ownerDied), which clears the mark.
     */
    record OwnerDead(String deadHolder) implements Lock {
    }

    /**
     * A profile let create()/attach() re-initialise the semaphore while it was held (Qt 6.4): it no
     * longer excludes, nobody can be named as its holder, and no outcome of lock() can be ruled out.
     */
    record Reinitialised() implements Lock {
    }
}
