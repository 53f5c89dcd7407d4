package org.shmconform.backends.mmapfile;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.spi.AccessMode;
import org.shmconform.spi.SegmentError;
import org.shmconform.spi.SharedSegment;
import org.shmconform.backends.testsupport.DescriptorSegmentTwoProcessContract;
import org.shmconform.backends.testsupport.PeerProcess;

/** The mmapfile properties that need a second real process (a Peer JVM on the same directory). */
class MmapFileTwoProcessTest extends DescriptorSegmentTwoProcessContract<MmapFileFixture> {
    MmapFileTwoProcessTest() {
        super(new MmapFileFixture());
    }

    @Test
    void lastDetachRemovesTheFileWhenTheCreatorIsLast() throws Exception {
        String key = newKey();
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
        String key = newKey();
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
        String key = newKey();
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
        String key = newKey();
        SharedSegment mine = segment(key);
        assertTrue(mine.create(2 * 4096, AccessMode.ReadWrite));
        assertTrue(mine.write(4096, "page two".getBytes(UTF_8)));
        PeerProcess reader = fixture.peer(key, Map.of("JAVA_TOOL_OPTIONS",
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
