package org.shmconform.model;

import java.util.List;
import org.shmconform.spi.BackendSemantics.LockOnHolderDeath;
import org.shmconform.spi.BackendSemantics.Resize;

/**
 * What each profile promises where the model branches: every method gives the outcomes the profile
 * allows, all of them (in a fixed order) where it is silent, so the model accepts each and records
 * which one happened.
 */
final class Promises {
    private Promises() {
    }

    /** What may become of a segment its last attacher left. */
    enum Fate {
        DESTROYED("segment destroyed"), SURVIVES("segment survives");

        final String observed;

        Fate(String observed) {
            this.observed = observed;
        }
    }

    /** How the last attacher left, which decides the promise that applies and the property blamed later. */
    enum Departure {
        LAST_DETACH("last detach", Property.LAST_DETACH_DESTROYS),
        RE_KEY("re-key", Property.LAST_DETACH_DESTROYS),
        CRASH("crash of the last holder", Property.CRASH_SURVIVES);

        final String what;
        final Property decides;

        Departure(String what, Property decides) {
            this.what = what;
            this.decides = decides;
        }
    }

    /** The fates a segment may meet when {@code how} removes its last attacher. */
    static List<Fate> lastLeaves(Profile profile, Departure how) {
        Boolean destroys = how == Departure.CRASH
                ? (profile.survivesCrash() == null ? null : !profile.survivesCrash())
                : profile.lastDetachDestroys();
        return destroys == null ? List.of(Fate.DESTROYED, Fate.SURVIVES) : List.of(destroys ? Fate.DESTROYED : Fate.SURVIVES);
    }

    /** What the lock a dead process held may do: released (SEM_UNDO, OFD locks), stay held, or go to the next locker with a notice. */
    static List<LockOnHolderDeath> lockAfterHolderDeath(Profile profile) {
        LockOnHolderDeath rule = profile.lockOnHolderDeath();
        return rule == null ? List.of(LockOnHolderDeath.values()) : List.of(rule);
    }

    /** Whether a truncate to {@code to} may succeed: the object is shrinkable, or the profile is silent. */
    static boolean truncateMaySucceed(Profile profile, long to) {
        Resize r = profile.resize();
        return (r == null || r == Resize.SHRINKABLE) && to >= 0;
    }

    /**
     * Whether a truncate may be refused. Through a ReadOnly attach it depends on the descriptor (the
     * Java backends open it read-write, Qt's POSIX build read-only), so a refusal is legal there too.
     */
    static boolean truncateMayBeRefused(Profile profile, long to, boolean readOnly) {
        return !truncateMaySucceed(profile, to) || profile.resize() != Resize.SHRINKABLE || readOnly;
    }

    /** The property a truncate outcome outside these promises breaks. */
    static Property truncateProperty(Profile profile) {
        return profile.resize() == Resize.SEALED ? Property.MEMFD_SEALED : Property.TRUNCATION_CRASHES;
    }
}
