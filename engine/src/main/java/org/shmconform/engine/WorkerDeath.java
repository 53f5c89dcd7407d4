package org.shmconform.engine;

import java.util.Map;

/**
 * How the death of a worker that the engine did not kill is read: by its signal alone. A fault of the code it ran is
 * the op's own doing, a crash the model judges: a store into a read-only mapping (SIGSEGV), a touch past a truncated
 * end (SIGBUS), Qt's qFatal or a JVM after its crash banner (SIGABRT). Any other end comes from outside the op: SIGKILL
 * from the OOM killer or from a container stopped under it, an operator's signal, an exit, a status nobody could tell.
 * What such an end did to the op, or to what the others saw after it (its lock's undo, its detach by the kernel), is not
 * the backend's doing and not knowable, so it makes the execution UNKNOWN rather than a crash the model would blame.
 */
final class WorkerDeath {
    /** The synchronous faults: signals the kernel raises on the faulting thread, or abort(3) raises in it. */
    private static final Map<Integer, String> FAULTS = Map.of(4, "SIGILL", 5, "SIGTRAP", 6, "SIGABRT", 7, "SIGBUS",
            8, "SIGFPE", 11, "SIGSEGV", 31, "SIGSYS");
    private static final Map<Integer, String> OUTSIDE = Map.of(1, "SIGHUP", 2, "SIGINT", 3, "SIGQUIT", 9, "SIGKILL",
            13, "SIGPIPE", 15, "SIGTERM", 24, "SIGXCPU", 25, "SIGXFSZ");

    private WorkerDeath() {
    }

    /**
     * Whether the death is the worker's own fault: a JVM's crash banner named a signal ({@code crashBanner}), or the
     * status (128 + the signal, as a shell gives it) is a fault's.
     */
    static boolean byAFault(Integer status, String crashBanner) {
        return crashBanner != null || status != null && status > 128 && FAULTS.containsKey(status - 128);
    }

    /**
     * What a worker said of its segment's file system as it faulted: bytes free, bytes in all (0 where a tmpfs has no size
     * limit) and its page size.
     */
    record Room(long free, long total, long page) {
        @Override
        public String toString() {
            return total == 0 ? free + " bytes free (no size limit)" : free + " bytes free of " + total;
        }
    }

    /**
     * Whether a SIGBUS came while the tmpfs had no room for one more page: then the kernel could not give the page the
     * access touched, whatever the backend did. A tmpfs that cannot charge a huge page falls back to a small one, so one
     * page of room is room; a tmpfs with no size limit (0 in all) always has room.
     */
    static boolean noRoomForAPage(Integer status, Room room) {
        return status != null && status == 128 + 7 && room != null && room.total() > 0 && room.free() < room.page();
    }

    /** The status in words, for a problem's reason. */
    static String describe(Integer status) {
        if (status == null || status < 0) {
            return "a status nobody could tell";
        }
        if (status <= 128) {
            return "exit status " + status;
        }
        int signal = status - 128;
        return "signal " + signal + " (" + FAULTS.getOrDefault(signal, OUTSIDE.getOrDefault(signal, "SIG" + signal)) + ")";
    }
}
