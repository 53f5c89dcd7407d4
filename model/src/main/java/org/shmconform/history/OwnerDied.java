package org.shmconform.history;

/**
 * How a lock's completion records whether it took the lock over from a holder that had died (a
 * robust mutex's EOWNERDEAD, the worker's {@code ownerDied}): the event's value is
 * {@code "ownerDied=true"} or {@code "ownerDied=false"}; absent when the worker did not say (a Qt
 * worker, or a failed lock).
 */
public final class OwnerDied {
    private static final String PREFIX = "ownerDied=";

    private OwnerDied() {
    }

    /** The value a lock's completion carries. */
    public static String value(boolean ownerDied) {
        return PREFIX + ownerDied;
    }

    /** What a lock's value says: true, false, or null when it says nothing. */
    public static Boolean of(String value) {
        if (value == null || !value.startsWith(PREFIX)) {
            return null;
        }
        return Boolean.parseBoolean(value.substring(PREFIX.length()));
    }
}
