package org.shmconform.backends.memfd;

import org.shmconform.backends.linux.Errno;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.shmconform.spi.AccessMode;
import org.shmconform.spi.DescriptorHandOver;
import org.shmconform.spi.SegmentError;
import org.shmconform.backends.linux.DescriptorServer;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.linux.UnixSockets;

/**
 * A {@link MemfdSegment} (same names, seals, lock and key-based create/attach through /proc) that
 * can also be handed over as a descriptor ({@link DescriptorHandOver}): over a Unix socket with
 * SCM_RIGHTS, or to a child that inherits it. That is how a process of another user reaches it:
 * it cannot open another user's /proc/&lt;pid&gt;/fd, but it can map a descriptor it was given, and
 * the seals (shrink, grow, seal) hold for it as for everyone (seed L6).
 *
 * <p>A received or inherited descriptor shares the sender's open file description, and with it
 * the sender's OFD locks: so it is only checked (this key's memfd, these seals), then reopened
 * through {@code /proc/self/fd} (a process may always reopen its own descriptor; the memfd's mode
 * is 0777) into a description of its own, and closed. The segment lock then excludes sender and
 * receiver like any two attachers.
 */
final class MemfdFdSegment extends MemfdSegment implements DescriptorHandOver {
    /** Nobody listens at the path: the holder is gone, as NotFound is for a key. */
    private static final int ECONNREFUSED = 111;
    private DescriptorServer server;

    MemfdFdSegment(String key) {
        super(key);
    }

    @Override
    public boolean serve(Path socketPath, int peerUid) {
        if (!isAttached()) {
            return fail(SegmentError.NotFound, "serve: not attached, so there is no descriptor to hand over");
        }
        if (server != null) {
            return fail(SegmentError.UnknownError, "serve: already serving at " + server.path());
        }
        try {
            server = DescriptorServer.start(socketPath, fd(), peerUid);
            return true;
        } catch (IOException e) {
            return fail(errorOf(e), "serve: " + e.getMessage());
        }
    }

    @Override
    public boolean stopServing() {
        if (server == null) {
            return false;
        }
        server.close();
        server = null;
        return true;
    }

    @Override
    public boolean attachReceived(Path socketPath, AccessMode mode) {
        if (!readyToAttach()) {
            return false;
        }
        int received;
        try {
            received = UnixSockets.receiveDescriptor(socketPath);
        } catch (IOException e) {
            return fail(errorOf(e), "attachReceived: " + e.getMessage());
        }
        return attachThrough(received, mode, "attachReceived", true);
    }

    /**
     * Unlike attachReceived, without the step lock: the inherited descriptor already keeps the segment
     * alive, so there is nothing for the lock to guard, and the parent that started this process may
     * well be holding the lock while it does (it would wait for its own child).
     */
    @Override
    public boolean attachInherited(int descriptor, AccessMode mode) {
        if (!readyToAttach()) {
            return false;
        }
        return attachThrough(descriptor, mode, "attachInherited", false);
    }

    @Override
    public int descriptorForChild() {
        return fd();
    }

    /** Checks a handed-over descriptor, reopens it into an open file description of our own, and attaches. */
    private boolean attachThrough(int handedOver, AccessMode mode, String function, boolean underStepLock) {
        String expected = "/" + nativeKey() + " (deleted)";
        String actual;
        try {
            actual = Files.readSymbolicLink(fdPath(handedOver)).toString();
        } catch (IOException e) {
            return fail(SegmentError.NotFound, function + ": descriptor " + handedOver + " is not open");
        }
        int seals = LibC.INSTANCE.fcntl(handedOver, LibC.F_GET_SEALS);
        if (!actual.equals(expected) || seals != SEALS) {
            LibC.INSTANCE.close(handedOver);
            return fail(SegmentError.NotFound, function + ": descriptor is " + actual + " with seals " + seals
                    + ", not " + expected + " sealed " + SEALS);
        }
        int own = LibC.INSTANCE.open(fdPath(handedOver).toString(), LibC.O_RDWR | LibC.O_CLOEXEC);
        int errno = LibC.errno();
        LibC.INSTANCE.close(handedOver);
        if (own < 0) {
            return failErrno(function + " (reopen through /proc/self/fd)", errno);
        }
        boolean stepLocked = underStepLock && lockStep(own, false);
        return mapAndAttach(own, stepLocked, mode, function + " (stat)");
    }

    @Override
    public boolean detach() {
        stopServing();
        return super.detach();
    }

    private static SegmentError errorOf(IOException e) {
        if (e instanceof UnixSockets.ErrnoException errno) {
            return errno.errno() == ECONNREFUSED ? SegmentError.NotFound : Errno.segmentError(errno.errno());
        }
        return SegmentError.UnknownError;
    }
}
