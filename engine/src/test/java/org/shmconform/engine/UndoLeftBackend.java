package org.shmconform.engine;

import com.sun.jna.Memory;
import java.nio.file.Path;
import java.util.List;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.mmapfile.MmapFileBackend;
import org.shmconform.spi.AccessMode;
import org.shmconform.spi.Availability;
import org.shmconform.spi.BackendSemantics;
import org.shmconform.spi.SegmentError;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.spi.SharedSegment;

/**
 * Test-only: the tmpfs-file backend, except that lock and unlock operate a System V semaphore set with SEM_UNDO, as Qt's
 * do, keyed by {@link #setKey} of the object's key (no key file the run's ledger could see), made by the first lock and
 * never removed, as by an owner that gets killed. Any object may unlock it (Qt lets a set be released by an object that
 * did not take it when its retry after EIDRM lands on another set). So a worker that locks, then a peer that unlocks,
 * leave the locker an undo adjustment on a set whose last operator is the peer; the locker's death then makes it the
 * last operator (the kernel's exit_sem sets the pid), after the kill's last reading.
 */
public final class UndoLeftBackend implements SharedMemoryBackend {
    public static final String NAME = "test-undo-left";
    private final MmapFileBackend real = new MmapFileBackend();

    /** The key of the set an object of {@code key} locks: not an ftok value of Qt's project id. */
    static int setKey(String key) {
        return 0x7e000000 | (key.hashCode() & 0x00ffffff);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String mechanism() {
        return real.mechanism() + "; TEST ONLY: the lock is a System V set with SEM_UNDO that nobody removes";
    }

    @Override
    public BackendSemantics semantics() {
        return real.semantics();
    }

    @Override
    public Availability availability() {
        return real.availability();
    }

    @Override
    public SharedSegment open(String key) {
        SharedSegment s = real.open(key);
        return new SharedSegment() {
            public String key() { return s.key(); }
            public String nativeKey() { return s.nativeKey(); }
            public boolean create(long size, AccessMode mode) { return s.create(size, mode); }
            public boolean attach(AccessMode mode) { return s.attach(mode); }
            public boolean detach() { return s.detach(); }
            public boolean isAttached() { return s.isAttached(); }
            public boolean lock() { return operate(-1); }
            public boolean unlock() { return operate(1); }
            public long size() { return s.size(); }
            public byte[] read(long offset, int length) { return s.read(offset, length); }
            public boolean write(long offset, byte[] data) { return s.write(offset, data); }
            public void rawWrite(long offset, byte[] data) { s.rawWrite(offset, data); }
            public boolean truncateBacking(long length) { return s.truncateBacking(length); }
            public SegmentError error() { return s.error(); }
            public String errorString() { return s.errorString(); }
            public void close() { s.close(); }

            private boolean operate(int delta) {
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
        };
    }

    @Override
    public List<String> removeLeftovers(String keyPrefix, Path tempDir) {
        return real.removeLeftovers(keyPrefix, tempDir);
    }
}
