package org.shmconform.backends;

/**
 * A call into a backend threw: carries one line naming the call and what it threw
 * ("availability() threw IllegalStateException: boom"); every place that shows it puts the
 * backend's name in front ("myshm: availability() threw ..."). An IllegalStateException, so the
 * callers that already turn "cannot run" into NOT_AVAILABLE (fuzz, the engine) need nothing new.
 */
public final class BackendFailure extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    BackendFailure(String call, Throwable cause) {
        super(call + " threw " + GuardedBackend.oneLine(cause), cause);
    }

    /** The one line alone: reports and notes print toString(), which must not grow a class name. */
    @Override
    public String toString() {
        return getMessage();
    }
}
