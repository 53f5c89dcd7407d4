package org.shmconform.checker;

/**
 * The result vocabulary, LTP- and Jepsen-style. Merged by severity: FAIL beats UNKNOWN beats
 * DEVIATES beats PASS; NOT_AVAILABLE stands alone (the property could not be tried here).
 */
public enum Verdict {
    /** The history is legal under the documented semantics. */
    PASS,
    /** Illegal under the documentation, legal under what the backend declares of itself: a known, stated difference. */
    DEVIATES,
    /** Could not decide: the harness broke, or the checker gave up. Never counted as a pass. */
    UNKNOWN,
    /**
     * Illegal under both the documentation and the backend's own declaration, or legal where the
     * documentation is silent but illegal under what the backend declares (it broke its own promise).
     */
    FAIL,
    /** The capability is missing on this machine; the reason says which. */
    NOT_AVAILABLE;

    public Verdict merge(Verdict other) {
        return severity(other) > severity(this) ? other : this;
    }

    private static int severity(Verdict v) {
        return switch (v) {
            case NOT_AVAILABLE -> 0;
            case PASS -> 1;
            case DEVIATES -> 2;
            case UNKNOWN -> 3;
            case FAIL -> 4;
        };
    }

    /** Whether a run with this verdict is as expected (exit 0, a passing test): neither FAIL nor undecided. */
    public boolean expected() {
        return this != FAIL && this != UNKNOWN;
    }
}
