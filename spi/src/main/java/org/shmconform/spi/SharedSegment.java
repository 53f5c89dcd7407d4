package org.shmconform.spi;

/**
 * One process's handle on a segment, with the semantics of one {@code QSharedMemory} object.
 *
 * <p>Boolean results and {@link #error()}/{@link #errorString()} follow Qt: a call that fails
 * returns false and sets the error; a no-op false (detach when not attached, unlock when not
 * locked) keeps the previous error. Native failures never escape as exceptions: they become one of
 * Qt's error values with a message naming the call and errno.
 *
 * <p>Not thread-safe, like QSharedMemory: one thread uses one object.
 */
public interface SharedSegment extends AutoCloseable {

    String key();

    /** The kernel-level name (file path, shm name, ...) derived from the key the way Qt 6.4 does. */
    String nativeKey();

    boolean create(long size, AccessMode mode);

    boolean attach(AccessMode mode);

    boolean detach();

    boolean isAttached();

    boolean lock();

    boolean unlock();

    /** Size in bytes as created (never page-rounded); 0 when not attached. */
    long size();

    /**
     * Copies bytes out of the mapping. Returns null and sets an error when not attached
     * (NotFound) or when the range is outside the segment (InvalidSize).
     */
    byte[] read(long offset, int length);

    /**
     * Copies bytes into the mapping, refusing (false, PermissionDenied) on a read-only attach,
     * (false, NotFound) when not attached and (false, InvalidSize) outside the segment.
     */
    boolean write(long offset, byte[] data);

    /**
     * Stores into the mapping with no checks at all, as a C++ program writing through
     * {@code data()} would: on a read-only mapping the process dies with SIGSEGV, past the end
     * of a truncated object with SIGBUS. Exists so the harness can observe those crashes.
     */
    void rawWrite(long offset, byte[] data);

    /**
     * Shrinks the object under the segment to {@code length} bytes, as an untrusted peer could
     * (ftruncate on the descriptor). Backends whose objects cannot be resized (System V) return
     * false with UnknownError; a sealed memfd returns false with Qt's mapping of EPERM
     * (UnknownError) and a message naming EPERM.
     */
    boolean truncateBacking(long length);

    SegmentError error();

    String errorString();

    /** Like the QSharedMemory destructor: detaches if attached and releases what this object owns. */
    @Override
    void close();
}
