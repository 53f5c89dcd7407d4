package org.shmconform.engine.env;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.shmconform.backends.host.HostIds;

/**
 * Why {@code unshare} was refused, and what fixes it, for a namespace environment's NOT_AVAILABLE: root without
 * CAP_SYS_ADMIN (a container, or a capability bounding set that dropped it) was told "unshare needs root or
 * CAP_SYS_ADMIN" while it was root, which named neither the missing capability nor a way to have it.
 */
final class UnshareRefusal {
    /** CAP_SYS_ADMIN's bit in /proc/self/status's CapEff (linux/capability.h). */
    private static final int CAP_SYS_ADMIN = 21;

    private UnshareRefusal() {
    }

    /** @param toolSaid the holder's failure, with unshare's own line */
    static String explain(String toolSaid) {
        if (HostIds.uid() != 0) {
            String who = ProcessHandle.current().info().user().orElse("uid " + HostIds.uid());
            return toolSaid + " (running as " + who + "; unshare needs root: run shmconform as root, e.g. with sudo)";
        }
        Long effective = effectiveCapabilities();
        if (effective != null && (effective & (1L << CAP_SYS_ADMIN)) == 0) {
            return toolSaid + " (running as root without CAP_SYS_ADMIN, CapEff " + Long.toHexString(effective)
                    + ": unshare and nsenter need it; run shmconform where root keeps it, e.g. docker run --cap-add SYS_ADMIN,"
                    + " or not under a capability bounding set that drops it)";
        }
        return toolSaid + " (running as root with CAP_SYS_ADMIN: the kernel or a security policy refused it, e.g. a"
                + " container's seccomp profile: docker run --security-opt seccomp=unconfined)";
    }

    /** This process's effective capability set, or null where /proc does not say. */
    static Long effectiveCapabilities() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // said without the set
        }
        return null;
    }
}
