package org.shmconform.backends;

import org.shmconform.backends.linux.Errno;
import org.shmconform.spi.AccessMode;
import org.shmconform.spi.SegmentError;
import org.shmconform.spi.SharedSegment;

import com.sun.jna.Pointer;

/**
 * What every backend's segment shares: the key, Qt's error bookkeeping ({@link QtErrorState}),
 * and bounds-checked reads and writes through the current mapping. Subclasses own how the mapping is made and torn
 * down, and call {@link #mapped} / {@link #unmapped} when it changes.
 */
public abstract class SegmentBase extends QtErrorState implements SharedSegment {
    private final String key;
    private Pointer mapping;
    private long size;
    private boolean readOnly;

    protected SegmentBase(String key) {
        this.key = key == null ? "" : key;
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public boolean isAttached() {
        return mapping != null;
    }

    @Override
    public long size() {
        return mapping == null ? 0 : size;
    }

    /** Maps errno with Qt's table and names the function and errno in the message. */
    protected boolean failErrno(String function, int errno) {
        return fail(Errno.segmentError(errno), function + ": " + Errno.describe(errno));
    }

    protected void mapped(Pointer address, long segmentSize, AccessMode mode) {
        this.mapping = address;
        this.size = segmentSize;
        this.readOnly = mode == AccessMode.ReadOnly;
    }

    protected void unmapped() {
        this.mapping = null;
        this.size = 0;
    }

    protected Pointer mapping() {
        return mapping;
    }

    @Override
    public byte[] read(long offset, int length) {
        if (!checkRange("read", offset, length)) {
            return null;
        }
        return mapping.getByteArray(offset, length);
    }

    @Override
    public boolean write(long offset, byte[] data) {
        if (!checkRange("write", offset, data.length)) {
            return false;
        }
        if (readOnly) {
            return fail(SegmentError.PermissionDenied, "write: segment is attached read-only");
        }
        mapping.write(offset, data, 0, data.length);
        return true;
    }

    @Override
    public void rawWrite(long offset, byte[] data) {
        if (mapping == null) {
            throw new IllegalStateException("rawWrite: not attached");
        }
        mapping.write(offset, data, 0, data.length);
    }

    @Override
    public boolean truncateBacking(long length) {
        return fail(SegmentError.UnknownError, "truncateBacking: this backend's objects cannot be resized");
    }

    private boolean checkRange(String function, long offset, int length) {
        if (mapping == null) {
            return fail(SegmentError.NotFound, function + ": not attached");
        }
        if (offset < 0 || length < 0 || offset + length > size) {
            return fail(SegmentError.InvalidSize,
                    function + ": range [" + offset + ", " + (offset + length) + ") is outside the segment of " + size + " bytes");
        }
        return true;
    }
}
