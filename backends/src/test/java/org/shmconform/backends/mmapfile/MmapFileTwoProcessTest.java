package org.shmconform.backends.mmapfile;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.backends.AccessMode;
import org.shmconform.backends.SegmentError;
import org.shmconform.backends.SharedSegment;
import org.shmconform.backends.testsupport.PeerProcess;
import org.shmconform.backends.testsupport.TrackedResources;

/** The mmapfile properties that need a second real process (a Peer JVM on the same directory). */
class MmapFileTwoProcessTest {
    private static Path dir;
    private MmapFileBackend backend;
    private TrackedResources made;

    @BeforeAll
    static void makeDir() throws Exception {
        dir = PrivateTmpfsDir.create();
    }

    @AfterAll
    static void removeDir() throws Exception {
        PrivateTmpfsDir.delete(dir);
    }

    @BeforeEach
    void setUp() {
        backend = new MmapFileBackend(dir);
        made = new TrackedResources();
    }

    @AfterEach
    void tearDown() throws Exception {
        made.close();
        backend.removeLeftovers(made.keyPrefix(), dir);
        assertEquals(List.of(), PrivateTmpfsDir.names(dir), "files left behind");
    }

    private SharedSegment segment(String key) {
        return made.track(backend.open(key));
    }

    private PeerProcess peer(String key, Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put(MmapFileBackend.DIR_VARIABLE, dir.toString());
        PeerProcess peer = made.track(PeerProcess.start("mmapfile", null, env));
        assertEquals("OK", peer.send("open " + key));
        return peer;
    }

    private PeerProcess peer(String key) throws Exception {
        return peer(key, Map.of());
    }

    @Test
    void dataWrittenByOneProcessIsReadByTheOther() throws Exception {
        String key = made.newKey();
        SharedSegment mine = segment(key);
        assertTrue(mine.create(4096, AccessMode.ReadWrite));
        assertTrue(mine.write(0, "from test".getBytes(UTF_8)));
        PeerProcess writer = peer(key);
        assertTrue(writer.send("create 4096").startsWith("FAIL AlreadyExists"));
        assertEquals("OK", writer.send("attach rw"));
        assertEquals("OK 4096", writer.send("size"));
        assertEquals("OK from test", writer.send("read 0 9"));
        assertEquals("OK", writer.send("write 100 from peer"));
        assertEquals("from peer", new String(mine.read(100, 9), UTF_8));

        PeerProcess reader = peer(key);
        assertEquals("OK", reader.send("attach ro"));
        assertTrue(reader.send("write 0 refused").startsWith("FAIL PermissionDenied"));
        assertEquals("OK from test", reader.send("read 0 9"), "the read-only peer survives the refused write");
    }

    @Test
    void concurrentCreatesFromTwoProcessesMakeExactlyOneSegment() throws Exception {
        PeerProcess first = peer(made.newKey());
        PeerProcess second = peer(made.newKey());
        for (int round = 0; round < 5; round++) {
            String key = made.newKey();
            assertEquals("OK", first.send("open " + key));
            assertEquals("OK", second.send("open " + key));
            first.sendNoWait("create 4096");
            second.sendNoWait("create 4096");
            List<String> replies = List.of(first.awaitReply(), second.awaitReply());
            assertEquals(1, replies.stream().filter("OK"::equals).count(), replies.toString());
            assertEquals(1, replies.stream().filter(r -> r.startsWith("FAIL AlreadyExists")).count(), replies.toString());
            PeerProcess winner = replies.get(0).equals("OK") ? first : second;
            assertEquals("OK", winner.send("detach"));
        }
    }

    @Test
    void lockExcludesAcrossProcesses() throws Exception {
        String key = made.newKey();
        SharedSegment mine = segment(key);
        assertTrue(mine.create(64, AccessMode.ReadWrite));
        PeerProcess other = peer(key);
        assertEquals("OK", other.send("attach rw"));
        assertTrue(mine.lock());
        other.sendNoWait("lock");
        assertThrows(TimeoutException.class, () -> other.awaitReply(500, TimeUnit.MILLISECONDS));
        assertTrue(mine.unlock());
        assertEquals("OK", other.awaitReply(5, TimeUnit.SECONDS));
        assertEquals("OK", other.send("unlock"));
    }

    @Test
    void lockIsReleasedWhenItsHolderIsKilled() throws Exception {
        String key = made.newKey();
        SharedSegment mine = segment(key);
        assertTrue(mine.create(64, AccessMode.ReadWrite));
        PeerProcess holder = peer(key);
        assertEquals("OK", holder.send("attach rw"));
        assertEquals("OK", holder.send("lock"));
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(mine::lock);
        assertThrows(TimeoutException.class, () -> waiting.get(300, TimeUnit.MILLISECONDS));
        holder.kill();
        assertTrue(waiting.get(5, TimeUnit.SECONDS), "the kernel released the dead holder's OFD lock");
        assertTrue(mine.unlock());
    }

    @Test
    void lastDetachRemovesTheFileWhenTheCreatorIsLast() throws Exception {
        String key = made.newKey();
        SharedSegment creator = segment(key);
        assertTrue(creator.create(64, AccessMode.ReadWrite));
        Path file = Path.of(creator.nativeKey());
        PeerProcess attacher = peer(key);
        assertEquals("OK", attacher.send("attach rw"));
        assertEquals("OK", attacher.send("detach"));
        assertTrue(Files.exists(file), "the creator is still attached");
        assertTrue(creator.detach());
        assertFalse(Files.exists(file));
    }

    @Test
    void lastDetachRemovesTheFileWhenTheAttacherIsLast() throws Exception {
        String key = made.newKey();
        SharedSegment creator = segment(key);
        assertTrue(creator.create(64, AccessMode.ReadWrite));
        Path file = Path.of(creator.nativeKey());
        PeerProcess attacher = peer(key);
        assertEquals("OK", attacher.send("attach rw"));
        assertTrue(creator.detach());
        assertTrue(Files.exists(file), "the peer is still attached");
        assertEquals("OK", attacher.send("detach"));
        assertFalse(Files.exists(file));
        assertTrue(attacher.send("attach rw").startsWith("FAIL NotFound"));
    }

    @Test
    void aCrashedCreatorsFileSurvivesUntilTheNextAttachAndDetach() throws Exception {
        String key = made.newKey();
        PeerProcess creator = peer(key);
        assertEquals("OK", creator.send("create 128"));
        assertEquals("OK", creator.send("write 0 before the crash"));
        assertEquals("OK", creator.send("lock"));
        creator.kill();
        Path file = Path.of(segment(key).nativeKey());
        assertTrue(Files.exists(file), "like SysV: a crash leaves the segment");

        SharedSegment next = segment(key);
        assertFalse(next.create(128, AccessMode.ReadWrite));
        assertEquals(SegmentError.AlreadyExists, next.error());
        assertTrue(next.attach(AccessMode.ReadWrite), next.errorString());
        assertEquals("before the crash", new String(next.read(0, 16), UTF_8));
        assertTrue(next.lock(), "the dead creator's lock is gone");
        assertTrue(next.unlock());
        assertTrue(next.detach());
        assertFalse(Files.exists(file), "attach+detach cleans up after the crash");
    }

    @Test
    void truncatingTheFileKillsAReaderPastTheNewEndWithSigbus(@TempDir Path crashDir) throws Exception {
        String key = made.newKey();
        SharedSegment mine = segment(key);
        assertTrue(mine.create(2 * 4096, AccessMode.ReadWrite));
        assertTrue(mine.write(4096, "page two".getBytes(UTF_8)));
        PeerProcess reader = peer(key, Map.of("JAVA_TOOL_OPTIONS",
                "-XX:ErrorFile=" + crashDir + "/hs_err_pid%p.log -XX:-CreateCoredumpOnCrash"));
        assertEquals("OK", reader.send("attach ro"));
        assertEquals("OK page two", reader.send("read 4096 8"));

        assertTrue(mine.truncateBacking(4096), mine.errorString());
        reader.sendNoWait("read 4096 8"); // no reply: HotSpot prints its fatal-error banner and exits
        assertNotEquals(0, reader.awaitExit(), "the reader must die");
        try (Stream<Path> logs = Files.list(crashDir)) {
            String log = Files.readString(logs.findFirst().orElseThrow());
            assertTrue(log.contains("SIGBUS"), "the peer's crash log names SIGBUS");
        }
        assertEquals(8192, mine.size(), "this JVM survives; its mapping keeps its size");
    }
}
