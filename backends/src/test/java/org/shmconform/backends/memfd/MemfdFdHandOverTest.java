package org.shmconform.backends.memfd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.shmconform.spi.AccessMode;
import org.shmconform.spi.DescriptorHandOver;
import org.shmconform.spi.SharedSegment;
import org.shmconform.backends.linux.ChildWithDescriptor;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.linux.OfdLock;
import org.shmconform.backends.testsupport.PeerProcess;
import org.shmconform.backends.testsupport.UsesSegmentFixture;

/**
 * Seeds L5/L6 with real processes: a root holder hands its sealed memfd to a peer running as
 * nobody, over a Unix socket (SCM_RIGHTS) and by inheritance; the peer reads, writes, is excluded
 * by the holder's lock, and cannot shrink, grow or further seal the holder's memory. Needs root
 * (to start a process as another user); otherwise reported as skipped with that reason.
 */
class MemfdFdHandOverTest extends UsesSegmentFixture<MemfdFdFixture> {
    private static final int NOBODY = 65534;
    private static final int OTHER_USER = 1; // daemon: neither root nor the peer the socket is for
    private static final long SIZE = 2 * 4096;
    private HandOverRoot root;

    MemfdFdHandOverTest() {
        super(new MemfdFdFixture());
    }

    @BeforeEach
    void needRootAndSetpriv() throws Exception {
        assumeTrue(LibC.INSTANCE.getuid() == 0, "NOT_AVAILABLE: starting a peer as nobody needs root (sudo)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "NOT_AVAILABLE: setpriv missing (apt-get install util-linux)");
        root = new HandOverRoot();
    }

    @AfterEach
    void removeRoot() throws Exception {
        if (root != null) {
            root.close();
        }
    }

    private SharedSegment holder(String key) {
        SharedSegment holder = segment(key);
        assertTrue(holder.create(SIZE, AccessMode.ReadWrite), holder.errorString());
        assertTrue(holder.write(0, "from holder".getBytes(UTF_8)));
        assertEquals(0, OfdLock.exclusive(((DescriptorHandOver) holder).descriptorForChild(), HandOverPeer.PROBE_BYTE, 1));
        return holder;
    }

    @Test
    void aPeerRunningAsNobodyReceivesTheDescriptorOverASocketAndCannotResizeIt() throws Exception {
        String key = newKey();
        SharedSegment holder = holder(key);
        Path socket = root.path().resolve("segment.sock");
        assertTrue(((DescriptorHandOver) holder).serve(socket, NOBODY), holder.errorString());
        assertEquals(NOBODY, Files.getAttribute(socket, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket, LinkOption.NOFOLLOW_LINKS)));

        Process peer = new ProcessBuilder(root.peerCommand(NOBODY, List.of("receive", socket.toString(), key, Long.toString(SIZE))))
                .redirectErrorStream(true).start();
        String output = outputOf(peer.toHandle(), () -> new String(peer.getInputStream().readAllBytes(), UTF_8));
        assertEquals("NotFound", findings(output).get("byKey"), "another user cannot reach the memfd through /proc: " + output);
        assertUntrustedPeerFindings(output, peer.waitFor());
        assertHolderUnharmed(holder);
        assertTrue(holder.detach());
        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "detach stops serving and removes the socket");
    }

    @Test
    void aChildRunningAsNobodyInheritsTheDescriptor() throws Exception {
        String key = newKey();
        SharedSegment holder = holder(key);
        int descriptor = ((DescriptorHandOver) holder).descriptorForChild();
        ChildWithDescriptor child = ChildWithDescriptor.spawn(
                root.peerCommand(NOBODY, List.of("inherit", "3", key, Long.toString(SIZE))),
                Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "HOME", root.scratchFor(NOBODY).toString()), descriptor, 3);
        String output = outputOf(ProcessHandle.of(child.pid()).orElseThrow(), child::readOutput);
        assertUntrustedPeerFindings(output, child.waitFor());
        assertHolderUnharmed(holder);
    }

    @Test
    void aUserTheSocketIsNotForCannotConnect() throws Exception {
        String key = newKey();
        SharedSegment holder = holder(key);
        Path socket = root.path().resolve("segment.sock");
        assertTrue(((DescriptorHandOver) holder).serve(socket, NOBODY), holder.errorString());
        Process peer = new ProcessBuilder(root.peerCommand(OTHER_USER, List.of("receive", socket.toString(), key, Long.toString(SIZE))))
                .redirectErrorStream(true).start();
        String output = outputOf(peer.toHandle(), () -> new String(peer.getInputStream().readAllBytes(), UTF_8));
        peer.waitFor();
        Map<String, String> found = findings(output);
        assertEquals(Integer.toString(OTHER_USER), found.get("uid"), output);
        assertTrue(found.get("attach").startsWith("PermissionDenied") && found.get("attach").contains("EACCES"), output);

        // Past the file mode (opened up here on purpose), the server still asks the kernel who connected.
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        Process again = new ProcessBuilder(root.peerCommand(OTHER_USER, List.of("receive", socket.toString(), key, Long.toString(SIZE))))
                .redirectErrorStream(true).start();
        String second = outputOf(again.toHandle(), () -> new String(again.getInputStream().readAllBytes(), UTF_8));
        again.waitFor();
        assertTrue(findings(second).get("attach").contains("without sending a descriptor"), "SO_PEERCRED refused uid 1: " + second);
    }

    private static void assertUntrustedPeerFindings(String output, int exit) {
        Map<String, String> found = findings(output);
        assertEquals(0, exit, output);
        assertEquals(Integer.toString(NOBODY), found.get("uid"), output);
        assertTrue(found.getOrDefault("byKey", "NotFound").equals("NotFound"), "another user cannot reach the memfd through /proc: " + output);
        assertEquals("OK", found.get("attach"), output);
        assertEquals(Long.toString(SIZE), found.get("size"), output);
        assertEquals("from holder", found.get("read"), output);
        assertEquals("EAGAIN", found.get("probeLockedByHolder"),
                "an open file description of its own, so the holder's OFD locks exclude it: " + output);
        assertEquals("true", found.get("write"), output);
        assertTrue(found.get("shrink").contains("EPERM"), output);
        assertTrue(found.get("grow").contains("EPERM"), output);
        assertEquals("EPERM", found.get("fallocate"), output);
        assertEquals("EPERM", found.get("sealWrite"), "F_SEAL_SEAL: the peer cannot seal the holder's writes away: " + output);
        assertEquals(Long.toString(SIZE), found.get("sizeAfter"), output);
        assertEquals("true", found.get("detach"), output);
    }

    private static void assertHolderUnharmed(SharedSegment holder) {
        assertEquals("from nobody", new String(holder.read(100, 11), UTF_8), "the peer's write is in the holder's memory");
        assertEquals(SIZE, holder.size());
        holder.rawWrite(SIZE - 1, new byte[] {7}); // the last byte is still backed: no SIGBUS
        assertEquals(7, holder.read(SIZE - 1, 1)[0]);
    }

    /** The peer's whole output; a peer that hangs is killed and fails the test instead of hanging it. */
    private static String outputOf(ProcessHandle process, Callable<String> read) throws Exception {
        FutureTask<String> reading = new FutureTask<>(read);
        Thread reader = new Thread(reading, "peer output");
        reader.setDaemon(true);
        reader.start();
        try {
            return reading.get(PeerProcess.REPLY_TIMEOUT_SECONDS * 3, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            process.destroyForcibly();
            return fail("the peer " + process.pid() + " did not finish; killed");
        }
    }

    private static Map<String, String> findings(String output) {
        Map<String, String> found = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                found.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return found;
    }
}
