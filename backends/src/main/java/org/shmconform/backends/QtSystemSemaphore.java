package org.shmconform.backends;

import org.shmconform.backends.linux.Errno;
import org.shmconform.spi.AccessMode;

/**
 * What Qt 6.4's {@code QSystemSemaphore} does the same in its System V and POSIX builds: the
 * {@code setKey} sequence (same key in Open mode is a no-op; otherwise reset the error, release
 * the old handle, take the new key and open it), acquire/release as modifySemaphore(±1), and the
 * error pair with the semaphore's own errno table ({@link SemaphoreErrors}). Subclasses make the
 * kernel calls.
 */
public abstract class QtSystemSemaphore extends QtErrorState {
    /** {@code QSystemSemaphore::AccessMode}: Create takes ownership and resets the value. */
    public enum Mode { Open, Create }

    private String key = "";
    private int initialValue;

    /** {@code QSystemSemaphore::setKey}. */
    public final void setKey(String newKey, int newInitialValue, Mode mode) {
        if (newKey.equals(key) && mode == Mode.Open) {
            return;
        }
        clearError();
        if (newKey.equals(key) && mode == Mode.Create && keepsOwnedHandleOnCreate()) {
            initialValue = newInitialValue;
            open(mode);
            return;
        }
        cleanHandle();
        key = newKey;
        initialValue = newInitialValue;
        keyChanged(newKey);
        open(mode);
    }

    public boolean acquire() {
        return modifySemaphore(-1, 0);
    }

    public boolean release() {
        return modifySemaphore(1, 0);
    }

    /** {@code QSystemSemaphorePrivate::cleanHandle}: closes, and removes what this object owns. */
    public abstract void cleanHandle();

    /** Derives the kernel name(s) from a new key; called before {@link #open}. */
    protected abstract void keyChanged(String newKey);

    /** {@code QSystemSemaphorePrivate::handle(mode)}; failures are left in the error. */
    protected abstract void open(Mode mode);

    /**
     * Adds {@code count} (±1) to the value; {@code retries} bounds Qt's retry when the semaphore
     * was removed under us. On success the error is cleared.
     */
    protected abstract boolean modifySemaphore(int count, int retries);

    /**
     * Qt's System V build keeps a semaphore it created when re-keyed to the same key for Create
     * and only reopens it (so the value is set again); the POSIX build has no such shortcut.
     */
    protected boolean keepsOwnedHandleOnCreate() {
        return false;
    }

    protected String key() {
        return key;
    }

    protected int initialValue() {
        return initialValue;
    }

    /** Maps errno with the semaphore's table and names the function and errno in the message. */
    protected boolean failErrno(String function, int errno) {
        return fail(SemaphoreErrors.fromErrno(errno), function + ": " + Errno.describe(errno));
    }
}
