package org.shmconform.backends.memfd;

import java.nio.file.Path;
import java.util.List;
import org.shmconform.spi.Availability;
import org.shmconform.spi.BackendSemantics;
import org.shmconform.spi.BackendSemantics.LockOnHolderDeath;
import org.shmconform.spi.BackendSemantics.Resize;
import org.shmconform.spi.BackendSemantics.Visibility;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.spi.SharedSegment;

/**
 * Seeds L5/L6: the sealed memfd of {@code memfd}, whose segments can also be handed over as a
 * descriptor (SCM_RIGHTS over a Unix socket, or inheritance by a child): see {@link MemfdFdSegment}
 * and {@link org.shmconform.spi.DescriptorHandOver}. Same kernel objects and names as
 * {@code memfd} (one key space); attach by key alone still goes through /proc, which only the
 * holder's own user (or root) can use: a peer of another user must be handed the descriptor.
 */
public final class MemfdFdBackend implements SharedMemoryBackend {
    private final MemfdBackend memfd = new MemfdBackend();

    @Override
    public String name() {
        return "memfd-fd";
    }

    /** As memfd: freed with its last holder (declared: does not survive a crash), sealed, reached through a holder. */
    @Override
    public BackendSemantics semantics() {
        return new BackendSemantics("memfd", true, false, LockOnHolderDeath.RELEASED, Resize.SEALED, Visibility.PID_NAMESPACE)
                .withDescriptorHandOver(true);
    }

    @Override
    public String mechanism() {
        return "memfd_create + seals (shrink, grow, seal); handed over with SCM_RIGHTS on a Unix socket (SO_PEERCRED-checked)"
                + " or inherited by a child (posix_spawn), reopened into its own open file description;"
                + " by key through /proc/<pid>/fd; lock: OFD write lock";
    }

    /** memfd's probes; Unix sockets and posix_spawn are in every Linux C library that has memfd_create. */
    @Override
    public Availability availability() {
        return memfd.availability();
    }

    @Override
    public SharedSegment open(String key) {
        return new MemfdFdSegment(key);
    }

    /** As memfd: nothing has a name; a server's socket lives in the caller's directory and goes with detach or with it. */
    @Override
    public List<String> removeLeftovers(String keyPrefix, Path tempDir, java.util.Set<Integer> owners) {
        return memfd.removeLeftovers(keyPrefix, tempDir, owners);
    }

    /** As the memfd column's: the same names, the same claims. */
    @Override
    public List<String> heldOutside(String keyPrefix, java.util.Collection<String> keys, java.util.Set<Long> ours) {
        return memfd.heldOutside(keyPrefix, keys, ours);
    }

    @Override
    public boolean gaveUpWaiting(String errorString) {
        return memfd.gaveUpWaiting(errorString);
    }
}
