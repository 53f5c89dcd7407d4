package org.shmconform.backends;

/**
 * Qt's error pair ({@code error()} + {@code errorString()}) as segments and semaphores keep it:
 * set together by a failing call, reset together by a call that starts afresh.
 */
public final class ErrorState {
    private SegmentError error = SegmentError.NoError;
    private String message = "";

    public SegmentError error() {
        return error;
    }

    public String message() {
        return message;
    }

    public void clear() {
        error = SegmentError.NoError;
        message = "";
    }

    /** Sets the error and returns false, so failing paths read {@code return fail(...)}. */
    public boolean fail(SegmentError newError, String newMessage) {
        error = newError;
        message = newMessage;
        return false;
    }
}
