package org.shmconform.fuzz.faults;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.shmconform.backends.linux.Errno;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.sysv.SysVBackend;
import org.shmconform.spi.SharedSegment;

/**
 * System V, but lock() is a semop on a semaphore set private to the process (IPC_PRIVATE), one per key: exclusive between
 * the threads and objects of one process, and not at all between processes, the classic mistake of a lock in the wrong
 * scope. The set is a kernel object, not a java.util.concurrent.Semaphore, so that a second object's lock in the holder's
 * own process sleeps where the engine can see it (a semop: KernelWait) instead of in a JVM park, which no kernel reading
 * tells from the JVM's own waits (each such schedule cost a 60 s reply deadline: FaultFuzzIT's nonexclusive campaign took
 * 61.6 s once the generator gave a process a second object). It is made at the first lock() and operated at once, so
 * the worker is its last operator and the run's ledger proves it the run's.
 */
public final class NonExclusiveBackend extends FaultBackend {
    private static final Map<String, Integer> LOCKS = new ConcurrentHashMap<>();

    public NonExclusiveBackend() {
        super("fault-nonexclusive", new SysVBackend(), "lock exclusive within one process only");
    }

    @Override
    SharedSegment inject(SharedSegment segment) {
        String key = segment.key();
        return new DelegatingSegment(segment) {
            private boolean lockedByMe;

            @Override
            public boolean lock() {
                if (!lockedByMe) {
                    lockedByMe = semop(key, (short) -1);
                }
                return lockedByMe;
            }

            @Override
            public boolean unlock() {
                if (!lockedByMe) {
                    return false;
                }
                lockedByMe = false;
                return semop(key, (short) 1);
            }
        };
    }

    /** semop on the key's private set (made with value 1 if there is none, or it was removed), retried on EINTR. */
    private static boolean semop(String key, short delta) {
        Memory op = new Memory(6);
        op.clear();
        op.setShort(2, delta);
        for (int attempt = 0; attempt < 2; attempt++) {
            int id = LOCKS.computeIfAbsent(key, k -> privateSet());
            if (id < 0) {
                LOCKS.remove(key);
                return false;
            }
            while (LibC.INSTANCE.semop(id, op, 1) != 0) {
                int errno = Native.getLastError();
                if (errno == Errno.EINVAL || errno == Errno.EIDRM) {
                    LOCKS.remove(key, id); // reaped after an earlier schedule of a pooled worker: a fresh one
                    break;
                }
                if (errno != 4 /* EINTR */) {
                    return false;
                }
            }
            if (LOCKS.get(key) != null && LOCKS.get(key) == id) {
                return true;
            }
        }
        return false;
    }

    private static int privateSet() {
        int id = LibC.INSTANCE.semget(0 /* IPC_PRIVATE */, 1, LibC.IPC_CREAT | 0600);
        if (id >= 0) {
            LibC.INSTANCE.semctl(id, 0, LibC.SETVAL, 1);
        }
        return id;
    }
}
