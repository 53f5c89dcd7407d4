package org.shmconform.backends;

import org.shmconform.spi.SegmentError;

/**
 * Qt's error pair ({@code error()} + {@code errorString()}) as QSharedMemory and QSystemSemaphore
 * keep it: set together by a failing call, reset together by a call that starts afresh. Each
 * subclass maps errno with its own Qt table.
 */
public abstract class QtErrorState {
    private SegmentError error = SegmentError.NoError;
    private String errorString = "";

    public SegmentError error() {
        return error;
    }

    public String errorString() {
        return errorString;
    }

    /** Resets the error, as Qt does at the start of create(), attach(), setKey(), .... */
    protected void clearError() {
        error = SegmentError.NoError;
        errorString = "";
    }

    /** Sets the error and returns false, so failing paths read {@code return fail(...)}. */
    protected boolean fail(SegmentError newError, String message) {
        error = newError;
        errorString = message;
        return false;
    }
}
