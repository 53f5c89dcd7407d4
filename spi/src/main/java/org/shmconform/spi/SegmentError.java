package org.shmconform.spi;

/**
 * QSharedMemory::SharedMemoryError, with Qt's numeric values (P25 in docs/anchors/qt-semantics.md).
 */
public enum SegmentError {
    NoError, PermissionDenied, InvalidSize, KeyError, AlreadyExists, NotFound, LockError, OutOfResources, UnknownError;

    /** Qt's numeric value of the enum (NoError=0 ... UnknownError=8). */
    public int qtValue() {
        return ordinal();
    }
}
