package org.shmconform.backends.mmapfile;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import org.shmconform.backends.linux.LockCalls;

/**
 * The seed's "pthread mutex made process-shared", living at header offset 0, also made robust:
 * PTHREAD_PROCESS_SHARED (waits are futex waits on the shared file mapping), PTHREAD_MUTEX_ROBUST
 * (glibc puts a held mutex on the thread's robust list; when the thread or its process dies, the
 * kernel marks the mutex FUTEX_OWNER_DIED and wakes one waiter), of the normal type.
 *
 * <p>Normal, not error-checking: a second segment object of the process that holds the lock through
 * its first object locks from the same thread, and Qt's lock() then waits like any other locker's (N1:
 * "one thread or process can lock the memory for exclusive access"; QSharedMemory::lock "blocks until
 * the lock is released"), a self-deadlock only the process's death ends. glibc's robust normal mutex
 * does that: the owner's relock sleeps in futex WAIT on the lock word, which the engine's kernel probe
 * counts as a lock wait as it does another process's. An error-checking one returned EDEADLK instead
 * (lock() false: fuzz -b mmapfile-robust, seed 1734816829, shrunk to "A2 create k; A attach k; A2 lock;
 * A lock"). What error checking gave is kept: glibc refuses the unlock of a robust mutex of any type
 * by a thread that does not own it (EPERM), and a relock through the same object never reaches the
 * mutex ({@link HeaderLockFileSegment}'s per-object "already locked").
 *
 * <p>The next locker after a death gets EOWNERDEAD and holds the lock; it calls
 * pthread_mutex_consistent so the mutex stays usable, and the outcome says the owner died. A
 * robust mutex belongs to a thread: lock and unlock must run on the same thread (the worker runs
 * every operation on its one operation thread).
 */
final class RobustMutexLock implements InSegmentLock {
    @Override
    public String describe() {
        return "process-shared robust pthread mutex (normal type) at header offset 0; EOWNERDEAD made consistent";
    }

    @Override
    public int initialise(Pointer header) {
        Memory attr = new Memory(LockCalls.PTHREAD_MUTEXATTR_SIZE);
        attr.clear();
        LockCalls c = LockCalls.INSTANCE;
        int rc = c.pthread_mutexattr_init(attr);
        if (rc != 0) {
            return rc;
        }
        try {
            if ((rc = c.pthread_mutexattr_settype(attr, LockCalls.PTHREAD_MUTEX_NORMAL)) != 0
                    || (rc = c.pthread_mutexattr_setpshared(attr, LockCalls.PTHREAD_PROCESS_SHARED)) != 0
                    || (rc = c.pthread_mutexattr_setrobust(attr, LockCalls.PTHREAD_MUTEX_ROBUST)) != 0) {
                return rc;
            }
            return c.pthread_mutex_init(header, attr);
        } finally {
            c.pthread_mutexattr_destroy(attr);
        }
    }

    @Override
    public Outcome lock(Pointer header) {
        return consistentIfOwnerDied(header, LockCalls.INSTANCE.pthread_mutex_lock(header));
    }

    @Override
    public Outcome tryLock(Pointer header) {
        return consistentIfOwnerDied(header, LockCalls.INSTANCE.pthread_mutex_trylock(header));
    }

    @Override
    public int unlock(Pointer header) {
        return LockCalls.INSTANCE.pthread_mutex_unlock(header);
    }

    /** EOWNERDEAD: we hold it, its state is ours to repair; without consistent() the next unlock makes it unusable. */
    private static Outcome consistentIfOwnerDied(Pointer header, int rc) {
        if (rc != LockCalls.EOWNERDEAD) {
            return new Outcome(rc, false);
        }
        int consistent = LockCalls.INSTANCE.pthread_mutex_consistent(header);
        return consistent == 0 ? new Outcome(0, true) : new Outcome(consistent, true);
    }
}
