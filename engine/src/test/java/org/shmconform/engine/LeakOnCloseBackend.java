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
 * Test-only: the tmpfs-file backend, except that dropping a segment object (the destructor, the
 * worker's reset) forgets it instead of detaching: its mapping and descriptor stay in the process.
 * A worker of this column that created a segment can never prove itself clean, which is how
 * {@link WorkerPoolTest} shows the pool's clean check failing.
 */
public final class LeakOnCloseBackend implements SharedMemoryBackend {
    public static final String NAME = "test-leak-on-close";
    private final MmapFileBackend real = new MmapFileBackend();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String mechanism() {
        return real.mechanism() + "; TEST ONLY: the destructor leaves the mapping";
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
            public boolean lock() { return s.lock(); }
            public boolean unlock() { return s.unlock(); }
            public long size() { return s.size(); }
            public byte[] read(long offset, int length) { return s.read(offset, length); }
            public boolean write(long offset, byte[] data) { return s.write(offset, data); }
            public void rawWrite(long offset, byte[] data) { s.rawWrite(offset, data); }
            public boolean truncateBacking(long length) { return s.truncateBacking(length); }
            public SegmentError error() { return s.error(); }
            public String errorString() { return s.errorString(); }

            @Override
            public void close() {
                // the injected leak: nothing is detached or closed
            }
        };
    }

    @Override
    public List<String> removeLeftovers(String keyPrefix, Path tempDir) {
        return real.removeLeftovers(keyPrefix, tempDir);
    }
}
