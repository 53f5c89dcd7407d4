package org.shmconform.spi;

/**
 * Optional capability of a segment whose lock tells its next locker that the previous holder died
 * while holding it (a robust pthread mutex: EOWNERDEAD). lock() still returns true (the caller holds
 * the lock, the segment's bytes may be half-written); this flag is how a worker reports it, so the
 * model can require it exactly after a holder's death and nowhere else.
 */
public interface OwnerDeathNotice {
    /** Whether the last successful lock() of this object took the lock over from a holder that had died. */
    boolean lockTookOverFromDeadOwner();
}
