package org.shmconform.model;

import org.shmconform.spi.BackendSemantics;
import org.shmconform.spi.BackendSemantics.LockOnHolderDeath;
import org.shmconform.spi.BackendSemantics.Resize;
import org.shmconform.spi.BackendSemantics.Visibility;

/**
 * What the real-Qt reference columns are held to: Qt's behaviour on Linux as observed, stated as a
 * declaration like a backend's, so that the checker judges a Qt worker the same way.
 */
public final class ReferenceSemantics {
    /**
     * Qt 6.4 on Debian: System V only; shares the key space with the Java sysv backend (same key
     * files, same ftok), last detacher removes, SEM_UNDO releases a dead holder's lock; and create() (or a
     * re-attach by an object that once called create()) re-initialises the lock's semaphore to 1, which
     * lets a second holder in while the first still holds it (found by the lock-survives-failed-create scenario).
     */
    public static final BackendSemantics QT_6_4 = new BackendSemantics("qt-sysv", true, true, LockOnHolderDeath.RELEASED,
            Resize.NOT_RESIZABLE, Visibility.IPC_NAMESPACE, true);

    private ReferenceSemantics() {
    }
}
