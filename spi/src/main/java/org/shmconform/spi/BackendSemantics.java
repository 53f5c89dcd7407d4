package org.shmconform.spi;

/**
 * What a backend promises where Qt's documentation is silent or where the backend knowingly
 * differs from it. The harness's model is parameterised by this, so a backend is checked against
 * its own promise, and the report shows every place where the promise is not the documentation's.
 *
 * @param keySpace           backends with the same key space reach the same objects for one key
 *                           (System V and POSIX must differ: "these two backends do not interoperate")
 * @param lastDetachDestroys the documentation says yes
 * @param survivesCrash      "if that last thread or process crashes ... the segment survives": Unix says yes
 * @param lockOnHolderDeath  the documentation is silent; each backend says what its lock does
 * @param resize             what ftruncate by a peer does to the object under the segment
 * @param visibility         which kernel namespace decides who can reach an object by its key
 * @param keyingResetsLock   Qt 6.4's quirk: create(), and attach() by an object that once called create(),
 *                           re-initialise the lock's semaphore, so a lock held at that moment no longer excludes;
 *                           and where the object owns the semaphore (it made it, or opened it in Create mode), its
 *                           cleanHandle removes the set and its ftok key file first: the other openers get EIDRM,
 *                           re-make the key file, and a new inode (tmpfs) ftoks to a new key, a set of their own,
 *                           while the same inode (often on ext4) brings them back to one set. Both are legal: the
 *                           lock may split (Qt 6.4 attach and create by the owner; Qt 6.8 create by the owner)
 * @param retryRemovesOrphan Qt 6.8's System V quirk: an object whose create() failed with AlreadyExists keeps its
 *                           handle to the segment, and its own next create() or attach() cleans it first (cleanHandle):
 *                           if nobody is attached then (the last holder crashed, before or after the failed create) it
 *                           destroys the segment and its key file (nattch 0, IPC_RMID): the attach fallback gives
 *                           NotFound, a second create() succeeds afresh; if the segment is gone by then, that one call
 *                           returns false with the stale AlreadyExists. A detach cleans the handle too. The same
 *                           Qt build's System V semaphore: a create() (or attach() to another key) by an object whose
 *                           Create-mode set another owner removed fails with UnknownError; and where segment and
 *                           semaphore share one key file (platformSafeKey, native keys) the owner's re-key unlinks the
 *                           key file of a live segment, which a key file made since may then reach
 * @param lockLivesInSegment the lock is bytes of the segment itself (seeds M4/M5: an atomic flag or a pthread
 *                           mutex at a fixed offset), not a kernel object of its own: when the segment is
 *                           destroyed its lock goes with it, whoever held it, and a new segment brings a free one
 * @param handsOverDescriptor an attached segment can be served as a descriptor and attached through one
 *                           ({@link DescriptorHandOver}, ops serveFd and attachFd, seed L5); false: both ops fail
 * @param keyingSplitsLock   Qt's POSIX build: the lock is a named semaphore, and create() (whether it succeeds or fails
 *                           with AlreadyExists) opens it in Create mode: sem_unlink the name and sem_open a fresh one.
 *                           The creating object locks the fresh semaphore, every process that opened the old one keeps
 *                           it, and later openers get the fresh one: the two groups no longer exclude each other. Not
 *                           the same as keyingResetsLock, which re-initialises the one semaphore everybody shares
 *                           (System V): there, once the lock is free again, it excludes everybody again
 * @param lockSharesKeyFile  Qt 6.8's System V with a platformSafeKey or a native key: the lock's semaphore set is
 *                           ftok'd from the segment's own key file, which the last detach (and the semaphore owner's
 *                           re-key) unlinks while objects keep the set open. A key file made since, for any key of the
 *                           same directory, may get the freed inode (ext4 reuses it) and so the same ftok key: that
 *                           key's create/attach/lock may then meet the other key's set. Legacy keys give the
 *                           semaphore a file of its own ({@code qipc_systemsem_...}), which no segment's detach unlinks
 */
public record BackendSemantics(String keySpace, boolean lastDetachDestroys, boolean survivesCrash,
                               LockOnHolderDeath lockOnHolderDeath, Resize resize, Visibility visibility,
                               boolean keyingResetsLock, boolean retryRemovesOrphan, boolean lockLivesInSegment,
                               boolean handsOverDescriptor, boolean keyingSplitsLock, boolean lockSharesKeyFile) {

    /** A lock keyed by a file of its own (every declaration but Qt 6.8's System V with platformSafe or native keys). */
    public BackendSemantics(String keySpace, boolean lastDetachDestroys, boolean survivesCrash,
                            LockOnHolderDeath lockOnHolderDeath, Resize resize, Visibility visibility,
                            boolean keyingResetsLock, boolean retryRemovesOrphan, boolean lockLivesInSegment,
                            boolean handsOverDescriptor, boolean keyingSplitsLock) {
        this(keySpace, lastDetachDestroys, survivesCrash, lockOnHolderDeath, resize, visibility, keyingResetsLock,
                retryRemovesOrphan, lockLivesInSegment, handsOverDescriptor, keyingSplitsLock, false);
    }

    /** A lock that is not split by keying (every declaration before the POSIX split was modelled). */
    public BackendSemantics(String keySpace, boolean lastDetachDestroys, boolean survivesCrash,
                            LockOnHolderDeath lockOnHolderDeath, Resize resize, Visibility visibility,
                            boolean keyingResetsLock, boolean retryRemovesOrphan, boolean lockLivesInSegment,
                            boolean handsOverDescriptor) {
        this(keySpace, lastDetachDestroys, survivesCrash, lockOnHolderDeath, resize, visibility, keyingResetsLock,
                retryRemovesOrphan, lockLivesInSegment, handsOverDescriptor, false);
    }

    /** A Qt-style declaration: a lock of its own kernel object, no hand-over. */
    public BackendSemantics(String keySpace, boolean lastDetachDestroys, boolean survivesCrash,
                            LockOnHolderDeath lockOnHolderDeath, Resize resize, Visibility visibility,
                            boolean keyingResetsLock, boolean retryRemovesOrphan) {
        this(keySpace, lastDetachDestroys, survivesCrash, lockOnHolderDeath, resize, visibility, keyingResetsLock,
                retryRemovesOrphan, false, false);
    }

    public BackendSemantics(String keySpace, boolean lastDetachDestroys, boolean survivesCrash,
                            LockOnHolderDeath lockOnHolderDeath, Resize resize, Visibility visibility) {
        this(keySpace, lastDetachDestroys, survivesCrash, lockOnHolderDeath, resize, visibility, false, false, false, false);
    }

    /** A lock that is a kernel object of its own and no descriptor hand-over (every backend before seeds M4/M5, L5). */
    public BackendSemantics(String keySpace, boolean lastDetachDestroys, boolean survivesCrash,
                            LockOnHolderDeath lockOnHolderDeath, Resize resize, Visibility visibility,
                            boolean keyingResetsLock) {
        this(keySpace, lastDetachDestroys, survivesCrash, lockOnHolderDeath, resize, visibility, keyingResetsLock, false, false, false);
    }

    /** The same declaration with the lock living in the segment (or not). */
    public BackendSemantics withLockInSegment(boolean inSegment) {
        return new BackendSemantics(keySpace, lastDetachDestroys, survivesCrash, lockOnHolderDeath, resize, visibility,
                keyingResetsLock, retryRemovesOrphan, inSegment, handsOverDescriptor, keyingSplitsLock, lockSharesKeyFile);
    }

    /** The same declaration with descriptor hand-over (or without). */
    public BackendSemantics withDescriptorHandOver(boolean handsOver) {
        return new BackendSemantics(keySpace, lastDetachDestroys, survivesCrash, lockOnHolderDeath, resize, visibility,
                keyingResetsLock, retryRemovesOrphan, lockLivesInSegment, handsOver, keyingSplitsLock, lockSharesKeyFile);
    }

    /** The same declaration with the lock split by create() (Qt's POSIX named semaphore), or not. */
    public BackendSemantics withKeyingSplitsLock(boolean splits) {
        return new BackendSemantics(keySpace, lastDetachDestroys, survivesCrash, lockOnHolderDeath, resize, visibility,
                keyingResetsLock, retryRemovesOrphan, lockLivesInSegment, handsOverDescriptor, splits, lockSharesKeyFile);
    }

    /** The same declaration with the lock's semaphore keyed by the segment's own key file (or not). */
    public BackendSemantics withLockSharingKeyFile(boolean shares) {
        return new BackendSemantics(keySpace, lastDetachDestroys, survivesCrash, lockOnHolderDeath, resize, visibility,
                keyingResetsLock, retryRemovesOrphan, lockLivesInSegment, handsOverDescriptor, keyingSplitsLock, shares);
    }

    /** The same declaration in another key space. */
    public BackendSemantics inKeySpace(String space) {
        return new BackendSemantics(space, lastDetachDestroys, survivesCrash, lockOnHolderDeath, resize, visibility,
                keyingResetsLock, retryRemovesOrphan, lockLivesInSegment, handsOverDescriptor, keyingSplitsLock, lockSharesKeyFile);
    }

    public enum LockOnHolderDeath {
        /** The kernel undoes the holder's lock (SEM_UNDO, OFD locks). */
        RELEASED,
        /** Nothing undoes it: every later lock() blocks forever (POSIX named semaphores). */
        STAYS_HELD,
        /**
         * The next lock() takes it over and is told that the holder died (a robust pthread mutex:
         * EOWNERDEAD), which the worker reports as {@code ownerDied} ({@link OwnerDeathNotice}); every
         * other lock() reports no such death.
         */
        RELEASED_OWNER_DEAD;

        /** Whether a lock() after the holder's death can succeed at all. */
        public boolean releases() {
            return this != STAYS_HELD;
        }
    }

    public enum Resize {
        /** The object cannot be resized at all (System V). */
        NOT_RESIZABLE,
        /** A peer can shrink it; touching past the new end kills the reader with SIGBUS. */
        SHRINKABLE,
        /** Seals refuse shrinking (memfd with F_SEAL_SHRINK). */
        SEALED
    }

    public enum Visibility {
        /** System V objects belong to the IPC namespace. */
        IPC_NAMESPACE,
        /** shm_open names and tmpfs files belong to whatever tmpfs is mounted at /dev/shm. */
        DEV_SHM_MOUNT,
        /** A memfd is reached through a process that holds it: the pid namespace decides. */
        PID_NAMESPACE
    }
}
