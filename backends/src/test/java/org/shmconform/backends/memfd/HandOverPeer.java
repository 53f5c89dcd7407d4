package org.shmconform.backends.memfd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.shmconform.spi.AccessMode;
import org.shmconform.backends.Backends;
import org.shmconform.spi.DescriptorHandOver;
import org.shmconform.backends.linux.Errno;
import org.shmconform.spi.SharedSegment;
import org.shmconform.backends.DescriptorSegment;
import org.shmconform.backends.linux.HandOverCalls;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.linux.OfdLock;

/**
 * The peer at the other end of a hand-over, run by {@link MemfdFdHandOverTest} as another user
 * (nobody): {@code receive <socket> <key> <size>} or {@code inherit <fd> <key> <size>}. It does what
 * an untrusted peer of seed L6 would, and prints one {@code name=value} line per finding.
 */
public final class HandOverPeer {
    /**
     * A byte the holder OFD-locks while the peer runs: only an open file description other than the
     * holder's is refused it. (Not the segment lock's byte: attach takes that one, as Qt's attach
     * takes the lock, so a holder keeping it would only make the peer wait.)
     */
    static final long PROBE_BYTE = DescriptorSegment.LOCK_START + 100;

    public static void main(String[] args) throws Exception {
        String key = args[2];
        long size = Long.parseLong(args[3]);
        SharedSegment byKey = Backends.named("memfd-fd").orElseThrow().open(key);
        SharedSegment segment = Backends.named("memfd-fd").orElseThrow().open(key);
        DescriptorHandOver handOver = (DescriptorHandOver) segment;
        System.out.println("uid=" + LibC.INSTANCE.getuid());
        if (args[0].equals("receive")) { // an inheriting child holds the memfd itself, so it would find itself in /proc
            System.out.println("byKey=" + (byKey.attach(AccessMode.ReadWrite) ? "OK" : byKey.error()));
        }
        boolean attached = args[0].equals("receive")
                ? handOver.attachReceived(Path.of(args[1]), AccessMode.ReadWrite)
                : handOver.attachInherited(Integer.parseInt(args[1]), AccessMode.ReadWrite);
        System.out.println("attach=" + (attached ? "OK" : segment.error() + " " + segment.errorString()));
        if (!attached) {
            return;
        }
        int fd = ownDescriptor(segment.nativeKey());
        System.out.println("size=" + segment.size());
        System.out.println("read=" + new String(segment.read(0, 11), StandardCharsets.UTF_8));
        System.out.println("probeLockedByHolder=" + errno(OfdLock.tryExclusive(fd, PROBE_BYTE, 1)));
        System.out.println("write=" + segment.write(100, "from nobody".getBytes(StandardCharsets.UTF_8)));
        System.out.println("shrink=" + (segment.truncateBacking(0) ? "OK" : segment.errorString()));
        System.out.println("grow=" + (segment.truncateBacking(size + 4096) ? "OK" : segment.errorString()));
        System.out.println("fallocate=" + errno(HandOverCalls.INSTANCE.fallocate(fd, 0, 0, size + 4096) == 0 ? 0 : LibC.errno()));
        System.out.println("sealWrite=" + errno(LibC.INSTANCE.fcntl(fd, LibC.F_ADD_SEALS, LibC.F_SEAL_WRITE) == 0 ? 0 : LibC.errno()));
        System.out.println("sizeAfter=" + Files.size(DescriptorSegment.fdPath(fd)));
        System.out.println("detach=" + segment.detach());
    }

    /** This process's descriptor of the memfd (the one attach reopened), found by its /proc link. */
    private static int ownDescriptor(String nativeKey) throws IOException {
        String target = "/" + nativeKey + " (deleted)";
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path link : fds) {
                try {
                    if (Files.readSymbolicLink(link).toString().equals(target)) {
                        return Integer.parseInt(link.getFileName().toString());
                    }
                } catch (IOException closed) {
                    // the directory stream's own descriptor
                }
            }
        }
        throw new IOException("no descriptor of " + nativeKey);
    }

    private static String errno(int errno) {
        return errno == 0 ? "0" : Errno.describe(errno).split(" ")[0];
    }
}
