package org.shmconform.fuzz.faults;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.shmconform.spi.SharedSegment;
import org.shmconform.backends.sysv.SysVBackend;

/**
 * System V, but lock() is a java.util.concurrent.Semaphore per key: exclusive between the threads
 * of one process, and not at all between processes, the classic mistake of a lock in the wrong scope.
 */
public final class NonExclusiveBackend extends FaultBackend {
    private static final Map<String, Semaphore> LOCKS = new ConcurrentHashMap<>();

    public NonExclusiveBackend() {
        super("fault-nonexclusive", new SysVBackend(), "lock exclusive within one process only");
    }

    @Override
    SharedSegment inject(SharedSegment segment) {
        Semaphore lock = LOCKS.computeIfAbsent(segment.key(), k -> new Semaphore(1));
        return new DelegatingSegment(segment) {
            private boolean lockedByMe;

            @Override
            public boolean lock() {
                if (!lockedByMe) {
                    lock.acquireUninterruptibly();
                    lockedByMe = true;
                }
                return true;
            }

            @Override
            public boolean unlock() {
                if (!lockedByMe) {
                    return false;
                }
                lockedByMe = false;
                lock.release();
                return true;
            }
        };
    }
}
