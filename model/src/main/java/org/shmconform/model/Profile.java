package org.shmconform.model;

import org.shmconform.spi.BackendSemantics;
import org.shmconform.spi.BackendSemantics.LockOnHolderDeath;
import org.shmconform.spi.BackendSemantics.Resize;

/**
 * The semantics the model checks against. A null field means "the documentation is silent": the
 * model accepts every branch and records which one happened.
 *
 * @param name               "documented" or "declared"
 * @param lockLivesInSegment whether a destroyed segment takes its lock (and a dead holder's claim on it) along
 * @param handsOverDescriptor whether serveFd/attachFd work (seed L5); null: either
 * @param keyingSplitsLock   whether create() gives its object a fresh semaphore under the lock's name while those who
 *                           opened the old one keep it (Qt's POSIX build); the documentation promises one lock per key
 * @param lockSharesKeyFile  whether the lock's semaphore is ftok'd from the segment's own key file, so that a key file
 *                           made on the freed inode of another key's may lead to that key's set (Qt 6.8's System V with
 *                           platformSafe or native keys: {@link BackendSemantics#lockSharesKeyFile()})
 */
public record Profile(String name, Boolean lastDetachDestroys, Boolean survivesCrash, LockOnHolderDeath lockOnHolderDeath,
                      Resize resize, boolean keyingResetsLock, boolean retryRemovesOrphan, Boolean lockLivesInSegment,
                      Boolean handsOverDescriptor, boolean keyingSplitsLock, boolean lockSharesKeyFile) {

    /**
     * Whether the lock is a System V set ftok'd from a key file of its own ({@code qipc_systemsem_*}) that an owner's
     * cleanHandle unlinks (Qt 6.4, Qt 6.8's legacy keys): another key's file made after it may take its inode and
     * reach a set that lives on without a name ({@link Semaphores#fileGone()}).
     */
    public boolean lockKeyFileMayBeReused() {
        return lockIsASystemVSet() && !lockSharesKeyFile;
    }

    /** Whether the lock is a System V semaphore set ftok'd from a key file (keying resets it, never splits it). */
    public boolean lockIsASystemVSet() {
        return keyingResetsLock && !keyingSplitsLock;
    }

    /** A lock keyed by a file of its own. */
    public Profile(String name, Boolean lastDetachDestroys, Boolean survivesCrash, LockOnHolderDeath lockOnHolderDeath,
                   Resize resize, boolean keyingResetsLock, boolean retryRemovesOrphan, Boolean lockLivesInSegment,
                   Boolean handsOverDescriptor, boolean keyingSplitsLock) {
        this(name, lastDetachDestroys, survivesCrash, lockOnHolderDeath, resize, keyingResetsLock, retryRemovesOrphan,
                lockLivesInSegment, handsOverDescriptor, keyingSplitsLock, false);
    }

    /** A lock that keying does not split. */
    public Profile(String name, Boolean lastDetachDestroys, Boolean survivesCrash, LockOnHolderDeath lockOnHolderDeath,
                   Resize resize, boolean keyingResetsLock, boolean retryRemovesOrphan, Boolean lockLivesInSegment,
                   Boolean handsOverDescriptor) {
        this(name, lastDetachDestroys, survivesCrash, lockOnHolderDeath, resize, keyingResetsLock, retryRemovesOrphan,
                lockLivesInSegment, handsOverDescriptor, false);
    }

    /** A Qt-style profile: a lock of its own kernel object, no hand-over. */
    public Profile(String name, Boolean lastDetachDestroys, Boolean survivesCrash, LockOnHolderDeath lockOnHolderDeath,
                   Resize resize, boolean keyingResetsLock, boolean retryRemovesOrphan) {
        this(name, lastDetachDestroys, survivesCrash, lockOnHolderDeath, resize, keyingResetsLock, retryRemovesOrphan, false, false);
    }

    /** What the two seed documents say, for Unix: a lock excludes, whoever else calls create(); silent on where the lock lives. */
    public static final Profile DOCUMENTED = new Profile("documented", true, true, null, null, false, false, null, null);

    /** A lock of its own kernel object, no hand-over: as every profile before seeds M4/M5 and L5. */
    public Profile(String name, Boolean lastDetachDestroys, Boolean survivesCrash, LockOnHolderDeath lockOnHolderDeath,
                   Resize resize, boolean keyingResetsLock) {
        this(name, lastDetachDestroys, survivesCrash, lockOnHolderDeath, resize, keyingResetsLock, false, false, false);
    }

    /** What a backend declares of itself ("qt-6.4" for the Qt reference worker). */
    public static Profile declared(String name, BackendSemantics s) {
        return new Profile(name, s.lastDetachDestroys(), s.survivesCrash(), s.lockOnHolderDeath(), s.resize(), s.keyingResetsLock(),
                s.retryRemovesOrphan(), s.lockLivesInSegment(), s.handsOverDescriptor(), s.keyingSplitsLock(), s.lockSharesKeyFile());
    }
}
