package org.shmconform.backends.memfd;

import com.sun.jna.Memory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.shmconform.backends.Sha1;
import org.shmconform.backends.linux.Errno;
import org.shmconform.backends.linux.LibC;

/**
 * A short-lived, machine-wide claim on a memfd name: a Unix socket bound in the abstract
 * namespace. bind() is atomic (EADDRINUSE while another process holds the claim), and an abstract
 * name belongs to the socket alone, so it vanishes when the socket is closed or its process dies:
 * a crashed claimer leaves nothing to clean up. Abstract names are per network namespace.
 */
final class AbstractSocketClaim implements AutoCloseable {
    static final String NAMESPACE = "shmconform-memfd-claim/";
    /** How a claim not had within its patience is said ({@link MemfdHolders#gaveUpWaiting}). */
    static final String NOT_HAD = "another process kept the claim on the name for ";
    /** sizeof(struct sockaddr_un): sa_family_t (2 bytes) + sun_path[108]. */
    private static final int SOCKADDR_UN_SIZE = 110;
    private static final long MAX_BACKOFF_MILLIS = 20;

    private final int fd;

    private AbstractSocketClaim(int fd) {
        this.fd = fd;
    }

    /** Claims {@code memfdName}, waiting up to {@code patience} for another claimer to finish. */
    static AbstractSocketClaim acquire(String memfdName, Duration patience) throws IOException {
        // sun_path has 107 usable bytes; memfd names have up to 249, so the claim uses a hash.
        byte[] path = (NAMESPACE + Sha1.hexOf(memfdName)).getBytes(StandardCharsets.US_ASCII);
        Memory address = new Memory(SOCKADDR_UN_SIZE);
        address.clear(); // sun_path[0] = 0 selects the abstract namespace
        address.setShort(0, (short) LibC.AF_UNIX);
        address.write(3, path, 0, path.length);
        int addressLength = 2 + 1 + path.length;

        int fd = LibC.INSTANCE.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException("socket(AF_UNIX): " + Errno.describe(LibC.errno()));
        }
        long deadline = System.nanoTime() + patience.toNanos();
        long backoff = 1;
        while (true) {
            if (LibC.INSTANCE.bind(fd, address, addressLength) == 0) {
                return new AbstractSocketClaim(fd);
            }
            int errno = LibC.errno();
            if (errno != Errno.EADDRINUSE || System.nanoTime() > deadline) {
                LibC.INSTANCE.close(fd);
                throw new IOException(errno == Errno.EADDRINUSE
                        ? NOT_HAD + patience.toMillis() + " ms"
                        : "bind(@" + NAMESPACE + "...): " + Errno.describe(errno));
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LibC.INSTANCE.close(fd);
                throw new IOException("interrupted while waiting for the claim on the name", e);
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
        }
    }

    @Override
    public void close() {
        LibC.INSTANCE.close(fd);
    }
}
