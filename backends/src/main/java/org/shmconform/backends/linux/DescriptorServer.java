package org.shmconform.backends.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Hands one descriptor to every allowed process that connects to a Unix socket (SCM_RIGHTS),
 * from a daemon thread, until closed. Security, since the harness runs as root: the socket is
 * made only in a directory that lstat shows is ours and writable by nobody else (so no other user
 * can plant or swap the name), it is then given to the one peer uid with mode 0600, and every
 * connection's SO_PEERCRED uid must be that uid or ours, else it is closed unanswered.
 */
public final class DescriptorServer implements AutoCloseable {
    private final Path path;
    private final int listener;
    private final int descriptor;
    private final int peerUid;
    private final Thread acceptor;
    private volatile boolean closed;

    private DescriptorServer(Path path, int listener, int descriptor, int peerUid) {
        this.path = path;
        this.listener = listener;
        this.descriptor = descriptor;
        this.peerUid = peerUid;
        this.acceptor = new Thread(this::acceptLoop, "descriptor-server " + path.getFileName());
        this.acceptor.setDaemon(true);
    }

    /** Serves a duplicate of {@code descriptor} (ours to close) at {@code path}, for {@code peerUid}. */
    public static DescriptorServer start(Path path, int descriptor, int peerUid) throws IOException {
        checkPrivateDirectory(path.toAbsolutePath().getParent());
        int sock = UnixSockets.newSocket();
        int duplicate = -1;
        try {
            if (LibC.INSTANCE.bind(sock, UnixSockets.address(path), 110) != 0) {
                throw new UnixSockets.ErrnoException("bind(" + path + ")", LibC.errno());
            }
            // Not through java.nio: it opens the file to change it, and a socket cannot be opened (ENXIO).
            if (HandOverCalls.INSTANCE.chmod(path.toString(), 0600) != 0) {
                throw new UnixSockets.ErrnoException("chmod(" + path + ", 0600)", LibC.errno());
            }
            if (HandOverCalls.INSTANCE.lchown(path.toString(), peerUid, -1) != 0) {
                throw new UnixSockets.ErrnoException("lchown(" + path + ", " + peerUid + ")", LibC.errno());
            }
            if (LibC.INSTANCE.listen(sock, 8) != 0) {
                throw new UnixSockets.ErrnoException("listen(" + path + ")", LibC.errno());
            }
            duplicate = LibC.INSTANCE.fcntl(descriptor, HandOverCalls.F_DUPFD_CLOEXEC, 0);
            if (duplicate < 0) {
                throw new UnixSockets.ErrnoException("fcntl(F_DUPFD_CLOEXEC)", LibC.errno());
            }
        } catch (IOException | RuntimeException e) {
            LibC.INSTANCE.close(sock);
            Files.deleteIfExists(path);
            throw e;
        }
        DescriptorServer server = new DescriptorServer(path, sock, duplicate, peerUid);
        server.acceptor.start();
        return server;
    }

    /** lstat: a real directory (no link), owned by our effective uid, not writable by group or others. */
    static void checkPrivateDirectory(Path dir) throws IOException {
        if (dir == null || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("refusing socket directory " + dir + ": not a directory (or a symbolic link)");
        }
        int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (owner != HandOverCalls.INSTANCE.geteuid()) {
            throw new IOException("refusing socket directory " + dir + ": owned by uid " + owner + ", not by us");
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        if (mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException("refusing socket directory " + dir + ": writable by others ("
                    + PosixFilePermissions.toString(mode) + ")");
        }
    }

    public Path path() {
        return path;
    }

    private void acceptLoop() {
        int me = HandOverCalls.INSTANCE.geteuid();
        while (!closed) {
            int connection = LibC.INSTANCE.accept(listener, null, null);
            if (connection < 0) {
                if (LibC.errno() == Errno.EINTR) {
                    continue;
                }
                return; // shut down by close(), or the listener failed: nobody more is served
            }
            try {
                int uid = UnixSockets.peerUid(connection);
                if (uid == peerUid || uid == me) {
                    UnixSockets.sendDescriptor(connection, descriptor);
                }
            } finally {
                LibC.INSTANCE.close(connection);
            }
        }
    }

    /** Stops accepting (shutdown wakes the blocked accept), removes the socket and closes the duplicate. */
    @Override
    public void close() {
        closed = true;
        HandOverCalls.INSTANCE.shutdown(listener, HandOverCalls.SHUT_RDWR);
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LibC.INSTANCE.close(listener);
        LibC.INSTANCE.close(descriptor);
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // the directory went first: nothing left to remove
        }
    }
}
