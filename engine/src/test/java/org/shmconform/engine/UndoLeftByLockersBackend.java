package org.shmconform.engine;

import org.shmconform.backends.sysv.SysVBackend;
import org.shmconform.spi.AccessMode;
import org.shmconform.spi.BackendSemantics;
import org.shmconform.spi.SharedSegment;

/**
 * Test-only: {@link UndoLeftBackend}'s set, operated by create and attach instead of lock and unlock. Qt's create,
 * attach and detach lock and release the key's set inside the call (QSharedMemoryLocker); when Qt's retry after EIDRM
 * lands the release on another set than the acquire, the call leaves its worker a SEM_UNDO adjustment on each, as a
 * lock or an unlock would. Here a create acquires the key's set and keeps it (the acquire whose release went elsewhere),
 * an attach releases it (a release that landed on a set its object never took): each leaves an adjustment, and the
 * set's last operator is the one who operated it last, until a death makes the dying worker its last operator.
 */
public final class UndoLeftByLockersBackend extends TmpfsFileTestBackend {
    public static final String NAME = "test-undo-left-by-lockers";

    public UndoLeftByLockersBackend() {
        super(NAME, "create and attach operate a System V set with SEM_UNDO that nobody removes");
    }

    /**
     * Declared as the sysv column is: its lock a System V set, so the engine reads a create's and an attach's worker at
     * the reply, as it does on every column whose lock may be such a set.
     */
    @Override
    public BackendSemantics semantics() {
        return new SysVBackend().semantics();
    }

    @Override
    protected SharedSegment changed(SharedSegment real, String key) {
        return new Forwarding(real) {
            @Override
            public boolean create(long size, AccessMode mode) {
                return s.create(size, mode) && UndoLeftBackend.operate(key, -1);
            }

            @Override
            public boolean attach(AccessMode mode) {
                return s.attach(mode) && UndoLeftBackend.operate(key, 1);
            }
        };
    }
}
