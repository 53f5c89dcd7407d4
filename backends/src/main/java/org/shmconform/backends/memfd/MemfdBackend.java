package org.shmconform.backends.memfd;

import org.shmconform.spi.BackendSemantics;
import org.shmconform.spi.BackendSemantics.LockOnHolderDeath;
import org.shmconform.spi.BackendSemantics.Resize;
import org.shmconform.spi.BackendSemantics.Visibility;
import java.nio.file.Path;
import java.util.List;
import org.shmconform.spi.Availability;
import org.shmconform.backends.linux.Errno;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.spi.SharedSegment;
import org.shmconform.backends.DescriptorSegment;
import org.shmconform.backends.linux.LibC;

/**
 * Qt's "even more secure" hint: an anonymous memfd sealed against shrinking and growing. Qt
 * passes the descriptor over a socket or by inheritance; a harness with independent processes and
 * keys instead finds a holder in /proc and reopens its descriptor. See {@link MemfdSegment}.
 */
public final class MemfdBackend implements SharedMemoryBackend {

    @Override
    public String name() {
        return "memfd";
    }

    /** A memfd dies with its last holder, so it does NOT survive the crash of its last holder: a declared difference. */
    @Override
    public BackendSemantics semantics() {
        return new BackendSemantics("memfd", true, false, LockOnHolderDeath.RELEASED, Resize.SEALED, Visibility.PID_NAMESPACE);
    }

    @Override
    public String mechanism() {
        return "memfd_create + seals (shrink, grow, seal), reopened via /proc/<pid>/fd; lock: OFD write lock;"
                + " freed by the kernel when its last holder closes or dies";
    }

    /** Probes the three things attach and create rely on: memfd_create, F_ADD_SEALS, /proc reopen. */
    @Override
    public Availability availability() {
        int fd;
        try {
            fd = LibC.INSTANCE.memfd_create("shmconform-probe", LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        } catch (UnsatisfiedLinkError e) {
            return Availability.no("memfd_create: not in this C library");
        }
        if (fd < 0) {
            return Availability.no("memfd_create: " + Errno.describe(LibC.errno()));
        }
        try {
            if (LibC.INSTANCE.fcntl(fd, LibC.F_ADD_SEALS, MemfdSegment.SEALS) != 0) {
                return Availability.no("fcntl(F_ADD_SEALS): " + Errno.describe(LibC.errno()));
            }
            int reopened = LibC.INSTANCE.open(DescriptorSegment.fdPath(fd).toString(), LibC.O_RDWR | LibC.O_CLOEXEC);
            if (reopened < 0) {
                return Availability.no("reopening a memfd via /proc/self/fd: " + Errno.describe(LibC.errno()));
            }
            LibC.INSTANCE.close(reopened);
            return Availability.yes();
        } finally {
            LibC.INSTANCE.close(fd);
        }
    }

    @Override
    public SharedSegment open(String key) {
        return new MemfdSegment(key);
    }

    /**
     * Nothing to remove, ever: a memfd has no name in any filesystem and the kernel frees it when
     * its last descriptor (or mapping) goes, which includes its holders being killed. A claim
     * socket likewise dies with its process.
     */
    @Override
    public List<String> removeLeftovers(String keyPrefix, Path tempDir, java.util.Set<Integer> owners) {
        return List.of();
    }

    /** A memfd of a name of the run, or the claim on one, held by another program: attaches would take it for the run's. */
    @Override
    public List<String> heldOutside(String keyPrefix, java.util.Collection<String> keys, java.util.Set<Long> ours) {
        return MemfdHolders.outside(keyPrefix, keys, ours);
    }

    /** A claim on a name not had within the patience: another process held it (the look names it if it still does). */
    @Override
    public boolean gaveUpWaiting(String errorString) {
        return MemfdHolders.gaveUpWaiting(errorString);
    }
}
