package org.shmconform.spi;

/**
 * Whether a backend (a column, an environment) can run on this machine, and if not, why: the reason is shown to the
 * user, so it names the missing capability (e.g. "memfd_create: ENOSYS") or the probe that could not finish.
 *
 * <p>Three states, because a probe can fail to decide: a compiler, a container's start or an {@code nsenter} that did
 * not end within its bound says nothing about whether the capability exists, only that this machine was too slow or
 * stuck at that moment. Reporting it NOT_AVAILABLE would pass a run that tried less than it could (LTP's TBROK: a
 * broken run is never a pass), so the cells an {@link State#UNDECIDED} probe gates are UNKNOWN instead.
 *
 * @param state  available, not available here, or not decided
 * @param reason empty when available; else one line for the user
 */
public record Availability(State state, String reason) {
    public enum State {
        /** The capability was tried and works. */
        AVAILABLE,
        /** The capability is missing here (NOT_AVAILABLE, with the reason and what fixes it). */
        NOT_AVAILABLE,
        /** The probe did not finish (timed out, interrupted): the cells it gates are UNKNOWN, never NOT_AVAILABLE. */
        UNDECIDED
    }

    public Availability {
        if (state == null) {
            throw new IllegalArgumentException("an availability needs a state");
        }
        reason = reason == null ? "" : reason;
    }

    /** The two-state form of SPI versions before UNDECIDED, kept for backends compiled against them. */
    @Deprecated
    public Availability(boolean available, String reason) {
        this(available ? State.AVAILABLE : State.NOT_AVAILABLE, reason);
    }

    public static Availability yes() {
        return new Availability(State.AVAILABLE, "");
    }

    public static Availability no(String reason) {
        return new Availability(State.NOT_AVAILABLE, reason);
    }

    /** A probe that could not finish: {@code reason} says which and after how long. */
    public static Availability undecided(String reason) {
        return new Availability(State.UNDECIDED, reason);
    }

    public boolean available() {
        return state == State.AVAILABLE;
    }

    public boolean undecided() {
        return state == State.UNDECIDED;
    }

    /** The same state with another reason (a column's prefix and fixing command around its probe's reason). */
    public Availability because(String otherReason) {
        return new Availability(state, otherReason);
    }
}
