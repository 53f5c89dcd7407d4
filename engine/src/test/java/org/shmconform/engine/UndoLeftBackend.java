package org.shmconform.engine;

import com.sun.jna.Memory;
import org.shmconform.backends.linux.LibC;
import org.shmconform.spi.SharedSegment;

/**
 * Test-only: the tmpfs-file backend, except that lock and unlock operate a System V semaphore set with SEM_UNDO, as Qt's
 * do, keyed by {@link #setKey} of the object's key (no key file the run's ledger could see), made by the first lock and
 * never removed, as by an owner that gets killed. Any object may unlock it (Qt lets a set be released by an object that
 * did not take it when its retry after EIDRM lands on another set). So a worker that locks, then a peer that unlocks,
 * leave the locker an undo adjustment on a set whose last operator is the peer; the locker's death then makes it the
 * last operator (the kernel's exit_sem sets the pid), after the kill's last reading.
 */
public final class UndoLeftBackend extends TmpfsFileTestBackend {
    public static final String NAME = "test-undo-left";

    public UndoLeftBackend() {
        super(NAME, "the lock is a System V set with SEM_UNDO that nobody removes");
    }

    /** The key of the set an object of {@code key} locks: not an ftok value of Qt's project id. */
    static int setKey(String key) {
        return 0x7e000000 | (key.hashCode() & 0x00ffffff);
    }

    @Override
    protected SharedSegment changed(SharedSegment real, String key) {
        return new Forwarding(real) {
            @Override
            public boolean lock() {
                return operate(key, -1);
            }

            @Override
            public boolean unlock() {
                return operate(key, 1);
            }
        };
    }

    /** One semop with SEM_UNDO on the key's set, made (and set to 1) by the first one. */
    static boolean operate(String key, int delta) {
        LibC c = LibC.INSTANCE;
        int id = c.semget(setKey(key), 1, 0600 | LibC.IPC_CREAT | LibC.IPC_EXCL);
        if (id != -1 && c.semctl(id, 0, LibC.SETVAL, 1) != 0) {
            return false;
        }
        id = id != -1 ? id : c.semget(setKey(key), 1, 0600);
        Memory sembuf = new Memory(6);
        sembuf.setShort(0, (short) 0);
        sembuf.setShort(2, (short) delta);
        sembuf.setShort(4, LibC.SEM_UNDO);
        return id != -1 && c.semop(id, sembuf, 1) == 0;
    }
}
