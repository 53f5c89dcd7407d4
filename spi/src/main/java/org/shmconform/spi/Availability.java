package org.shmconform.spi;

/**
 * Whether a backend can run on this machine, and if not, why: the reason is shown to the user as
 * NOT_AVAILABLE, so it names the missing capability (e.g. "memfd_create: ENOSYS").
 */
public record Availability(boolean available, String reason) {
    public static Availability yes() {
        return new Availability(true, "");
    }

    public static Availability no(String reason) {
        return new Availability(false, reason);
    }
}
