package org.shmconform.backends;

import org.shmconform.spi.SegmentError;

import org.shmconform.spi.AccessMode;

/**
 * The part of Qt 6.4's qsharedmemory.cpp that its System V and POSIX builds share, kept in one
 * place so both backends run it in the same order: {@code initKey} (re-key the semaphore, reset
 * the error), create/attach/detach each under {@code QSharedMemoryLocker}, and lock/unlock on the
 * {@link QtSystemSemaphore}. Subclasses supply the kernel calls made while the lock is held.
 *
 * <p>The locker releases the lock when the step ends even if the caller already held it (a Qt
 * quirk the scenarios pin), and create re-keys the semaphore in Create mode while it may be held.
 */
public abstract class QtStyleSegment extends SegmentBase {
    private final QtSystemSemaphore semaphore;
    private boolean lockedByMe;

    protected QtStyleSegment(String key, QtSystemSemaphore semaphore) {
        super(key);
        this.semaphore = semaphore;
    }

    @Override
    public final boolean create(long size, AccessMode mode) {
        if (!initKey()) {
            return false;
        }
        // Qt: take ownership and force the initial value, the semaphore may be left from a crash.
        semaphore.setKey(key(), 1, QtSystemSemaphore.Mode.Create);
        if (!lockFor("QSharedMemory::create")) {
            return false;
        }
        try {
            if (size <= 0) {
                // Qt's own wording, typo included.
                return fail(SegmentError.InvalidSize, "QSharedMemory::create: create size is less then 0");
            }
            return createAndAttachLocked(size, mode);
        } finally {
            unlock();
        }
    }

    @Override
    public final boolean attach(AccessMode mode) {
        if (isAttached() || !initKey()) {
            return false;
        }
        if (!lockFor("QSharedMemory::attach")) {
            return false;
        }
        try {
            return !isAttached() && attachLocked(mode);
        } finally {
            unlock();
        }
    }

    @Override
    public final boolean detach() {
        if (!isAttached()) {
            return false;
        }
        if (!lockFor("QSharedMemory::detach")) {
            return false;
        }
        try {
            return detachLocked();
        } finally {
            unlock();
        }
    }

    @Override
    public final boolean lock() {
        if (lockedByMe) {
            return true; // Qt warns "already locked" and does not acquire again
        }
        if (semaphore.acquire()) {
            lockedByMe = true;
            return true;
        }
        return fail(SegmentError.LockError, "QSharedMemory::lock: unable to lock (" + semaphore.errorString() + ")");
    }

    @Override
    public final boolean unlock() {
        if (!lockedByMe) {
            return false;
        }
        lockedByMe = false;
        if (semaphore.release()) {
            return true;
        }
        return fail(SegmentError.LockError, "QSharedMemory::unlock: unable to unlock (" + semaphore.errorString() + ")");
    }

    /** The destructor: {@code setKey(QString())} detaches, then ~QSystemSemaphore cleans its handle. */
    @Override
    public final void close() {
        if (isAttached()) {
            detach();
        }
        releaseHandle();
        semaphore.cleanHandle();
    }

    /** Makes the kernel object of {@code size} (> 0) bytes and attaches to it; the lock is held. */
    protected abstract boolean createAndAttachLocked(long size, AccessMode mode);

    /** Attaches to the existing kernel object; the lock is held and this object is not attached. */
    protected abstract boolean attachLocked(AccessMode mode);

    /** Detaches, and destroys the kernel object if this was the last attachment; the lock is held. */
    protected abstract boolean detachLocked();

    /** What {@code initKey} drops of the kernel handle before re-keying. */
    protected abstract void forgetHandleForNewKey();

    /** What the destructor drops of the kernel handle after detaching. */
    protected abstract void releaseHandle();

    /** {@code QSharedMemoryLocker} + {@code tryLocker}: on failure the error is LockError. */
    private boolean lockFor(String function) {
        if (lock()) {
            return true;
        }
        return fail(SegmentError.LockError, function + ": unable to lock (" + semaphore.errorString() + ")");
    }

    /** {@code initKey}: re-key the semaphore (Open), which must succeed, and reset the error. */
    private boolean initKey() {
        forgetHandleForNewKey();
        semaphore.setKey("", 1, QtSystemSemaphore.Mode.Open);
        semaphore.setKey(key(), 1, QtSystemSemaphore.Mode.Open);
        if (semaphore.error() != SegmentError.NoError) {
            return fail(semaphore.error(),
                    "QSharedMemoryPrivate::initKey: unable to set key on lock (" + semaphore.errorString() + ")");
        }
        clearError();
        return true;
    }
}
