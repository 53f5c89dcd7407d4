package org.shmconform.engine;

import java.nio.file.Path;
import java.util.List;
import org.shmconform.backends.mmapfile.MmapFileBackend;
import org.shmconform.spi.AccessMode;
import org.shmconform.spi.Availability;
import org.shmconform.spi.BackendSemantics;
import org.shmconform.spi.SegmentError;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.spi.SharedSegment;

/**
 * Test-only columns built on the tmpfs-file backend, each changing one thing its segments do ({@link #changed}); the
 * rest, its name aside, is the real backend's.
 */
public abstract class TmpfsFileTestBackend implements SharedMemoryBackend {
    private final MmapFileBackend real = new MmapFileBackend();
    private final String name;
    private final String change;

    protected TmpfsFileTestBackend(String name, String change) {
        this.name = name;
        this.change = change;
    }

    /** The real backend's segment of {@code key}, with this column's change. */
    protected abstract SharedSegment changed(SharedSegment real, String key);

    @Override
    public String name() {
        return name;
    }

    @Override
    public String mechanism() {
        return real.mechanism() + "; TEST ONLY: " + change;
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
        return changed(real.open(key), key);
    }

    @Override
    public List<String> removeLeftovers(String keyPrefix, Path tempDir, java.util.Set<Integer> owners) {
        return real.removeLeftovers(keyPrefix, tempDir, owners);
    }

    /** A segment that does what {@code s} does; a column overrides what it changes. */
    protected static class Forwarding implements SharedSegment {
        protected final SharedSegment s;

        protected Forwarding(SharedSegment s) {
            this.s = s;
        }

        public String key() { return s.key(); }
        public String nativeKey() { return s.nativeKey(); }
        public boolean create(long size, AccessMode mode) { return s.create(size, mode); }
        public boolean attach(AccessMode mode) { return s.attach(mode); }
        public boolean detach() { return s.detach(); }
        public boolean isAttached() { return s.isAttached(); }
        public boolean lock() { return s.lock(); }
        public boolean unlock() { return s.unlock(); }
        public long size() { return s.size(); }
        public byte[] read(long offset, int length) { return s.read(offset, length); }
        public boolean write(long offset, byte[] data) { return s.write(offset, data); }
        public void rawWrite(long offset, byte[] data) { s.rawWrite(offset, data); }
        public boolean truncateBacking(long length) { return s.truncateBacking(length); }
        public SegmentError error() { return s.error(); }
        public String errorString() { return s.errorString(); }
        public void close() { s.close(); }
    }
}
