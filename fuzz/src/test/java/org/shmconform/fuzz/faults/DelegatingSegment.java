package org.shmconform.fuzz.faults;

import org.shmconform.spi.AccessMode;
import org.shmconform.spi.SegmentError;
import org.shmconform.spi.SharedSegment;

/** A segment that does what the real one does; each fault overrides the one call it breaks. */
class DelegatingSegment implements SharedSegment {
    protected final SharedSegment real;

    DelegatingSegment(SharedSegment real) {
        this.real = real;
    }

    @Override
    public String key() {
        return real.key();
    }

    @Override
    public String nativeKey() {
        return real.nativeKey();
    }

    @Override
    public boolean create(long size, AccessMode mode) {
        return real.create(size, mode);
    }

    @Override
    public boolean attach(AccessMode mode) {
        return real.attach(mode);
    }

    @Override
    public boolean detach() {
        return real.detach();
    }

    @Override
    public boolean isAttached() {
        return real.isAttached();
    }

    @Override
    public boolean lock() {
        return real.lock();
    }

    @Override
    public boolean unlock() {
        return real.unlock();
    }

    @Override
    public long size() {
        return real.size();
    }

    @Override
    public byte[] read(long offset, int length) {
        return real.read(offset, length);
    }

    @Override
    public boolean write(long offset, byte[] data) {
        return real.write(offset, data);
    }

    @Override
    public void rawWrite(long offset, byte[] data) {
        real.rawWrite(offset, data);
    }

    @Override
    public boolean truncateBacking(long length) {
        return real.truncateBacking(length);
    }

    @Override
    public SegmentError error() {
        return real.error();
    }

    @Override
    public String errorString() {
        return real.errorString();
    }

    @Override
    public void close() {
        real.close();
    }
}
