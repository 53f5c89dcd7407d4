package org.shmconform.conformance;

/** What a lane's thread threw, rethrown as it was on the thread that waits for it ({@link FuzzLines}, {@link SuiteSideLane}). */
final class LaneFailure {
    private LaneFailure() {
    }

    /** Rethrows {@code thrown} when it is an unchecked throwable or an InterruptedException; nothing for null. */
    static void rethrow(Throwable thrown) throws InterruptedException {
        if (thrown instanceof Error e) {
            throw e;
        }
        if (thrown instanceof RuntimeException e) {
            throw e;
        }
        if (thrown instanceof InterruptedException e) {
            throw e;
        }
    }
}
