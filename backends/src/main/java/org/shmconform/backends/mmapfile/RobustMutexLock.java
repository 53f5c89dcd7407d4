package org.shmconform.backends.mmapfile;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import org.shmconform.backends.linux.LockCalls;

/**
 * The seed's "pthread mutex made process-shared", living at header offset 0, also made robust:
 * PTHREAD_PROCESS_SHARED (waits are futex waits on the shared file mapping), PTHREAD_MUTEX_ROBUST
 * (glibc puts a held mutex on the thread's robust list; when the thread or its process dies, the
 * kernel marks the mutex FUTEX_OWNER_DIED and wakes one waiter) and PTHREAD_MUTEX_ERRORCHECK (a
 * relock by the owning thread is EDEADLK instead of a hang, an unlock by another thread EPERM).
 *
 * <p>The next locker after a death gets EOWNERDEAD and holds the lock; it calls
 * pthread_mutex_consistent so the mutex stays usable, and the outcome says the owner died. A
 * robust mutex belongs to a thread: lock and unlock must run on the same thread (the worker runs
 * every operation on its one operation thread).
 */
final class RobustMutexLock implements InSegmentLock {
    @Override
    public String describe() {
        return "process-shared robust pthread mutex (error-checking) at header offset 0; EOWNERDEAD made consistent";
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
            if ((rc = c.pthread_mutexattr_settype(attr, LockCalls.PTHREAD_MUTEX_ERRORCHECK)) != 0
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
