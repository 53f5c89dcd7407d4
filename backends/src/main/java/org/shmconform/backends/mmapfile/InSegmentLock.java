package org.shmconform.backends.mmapfile;

import com.sun.jna.Pointer;

/**
 * A lock that lives in the segment's own memory, at offset 0 of its header page (Qt's
 * documentation: "an atomic integer at a fixed offset in the segment", or "a pthread mutex made
 * process-shared"). Every process maps the header read-write, whatever its access mode.
 */
interface InSegmentLock {
    /** What lock() did: 0 or an errno, and whether it took the lock over from a holder that died. */
    record Outcome(int errno, boolean ownerDied) {
        static final Outcome ACQUIRED = new Outcome(0, false);

        boolean acquired() {
            return errno == 0;
        }
    }

    /** One line for mechanism() and messages. */
    String describe();

    /** Writes the free lock into a header nobody else can see yet; 0 or an errno. */
    int initialise(Pointer header);

    /** Blocks until this thread holds the lock. */
    Outcome lock(Pointer header);

    /** Takes the lock only if it is free now; never waits. EBUSY when taken. */
    Outcome tryLock(Pointer header);

    /** 0 or an errno. */
    int unlock(Pointer header);
}
