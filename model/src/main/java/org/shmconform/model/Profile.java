package org.shmconform.model;

import org.shmconform.spi.BackendSemantics;
import org.shmconform.spi.BackendSemantics.LockOnHolderDeath;
import org.shmconform.spi.BackendSemantics.Resize;

/**
 * The semantics the model checks against. A null field means "the documentation is silent": the
 * model accepts every branch and records which one happened.
 *
 * @param name "documented" or "declared"
 */
public record Profile(String name, Boolean lastDetachDestroys, Boolean survivesCrash, LockOnHolderDeath lockOnHolderDeath,
                      Resize resize, boolean keyingResetsLock, boolean retryRemovesOrphan) {

    public Profile(String name, Boolean lastDetachDestroys, Boolean survivesCrash, LockOnHolderDeath lockOnHolderDeath,
                   Resize resize, boolean keyingResetsLock) {
        this(name, lastDetachDestroys, survivesCrash, lockOnHolderDeath, resize, keyingResetsLock, false);
    }

    /** What the two seed documents say, for Unix: a lock excludes, whoever else calls create(). */
    public static final Profile DOCUMENTED = new Profile("documented", true, true, null, null, false);

    /** What a backend declares of itself ("qt-6.4" for the Qt reference worker). */
    public static Profile declared(String name, BackendSemantics s) {
        return new Profile(name, s.lastDetachDestroys(), s.survivesCrash(), s.lockOnHolderDeath(), s.resize(), s.keyingResetsLock(),
                s.retryRemovesOrphan());
    }
}
