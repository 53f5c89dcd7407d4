package org.shmconform.backends.sysv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.spi.AccessMode;
import org.shmconform.spi.SegmentError;
import org.shmconform.spi.SharedSegment;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.testsupport.PeerProcess;
import org.shmconform.backends.testsupport.SystemVKeyFileTurn;

/**
 * A real Qt 6.4 process (PyQt6, qt_peer.py) and this backend on one segment and one lock.
 * Skipped where Debian's python3 cannot import PyQt6; nothing else depends on Qt.
 */
@ExtendWith(SystemVKeyFileTurn.class)
class SysVQtInteropTest {
    private static final String PYTHON = "/usr/bin/python3";

    @TempDir
    static Path tmp;
    private static Path script;

    private final SysVBackend backend = new SysVBackend(tmp);
    private final List<PeerProcess> peers = new ArrayList<>();
    private String key;

    @BeforeAll
    static void needsPyQt6() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(PYTHON)), "no " + PYTHON);
        Process probe = new ProcessBuilder(PYTHON, "-c", "import PyQt6.QtCore").redirectErrorStream(true).start();
        probe.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assumeTrue(probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0, "PyQt6 is not installed");
        script = tmp.resolve("qt_peer.py");
        try (InputStream in = SysVQtInteropTest.class.getResourceAsStream("qt_peer.py")) {
            Files.copy(in, script);
        }
    }

    @BeforeEach
    void newKey() {
        StringBuilder letters = new StringBuilder("shmcftestqt");
        for (int i = 0; i < 8; i++) {
            letters.append((char) ('a' + ThreadLocalRandom.current().nextInt(26)));
        }
        key = letters.toString();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (PeerProcess peer : peers) {
            peer.kill();
        }
        // removeLeftovers removes the key files only: the objects this test's processes made go first.
        TestMadeObjects.remove(tmp, key, peers.stream().map(PeerProcess::pid).toList(), List.of());
        backend.removeLeftovers(key, tmp, org.shmconform.backends.testsupport.OurUser.ONLY);
    }

    private PeerProcess qt() throws Exception {
        PeerProcess qt = PeerProcess.start(List.of(PYTHON, script.toString()), tmp);
        peers.add(qt);
        assertEquals("OK", qt.send("open " + key));
        return qt;
    }

    private boolean segmentExists() {
        Path keyFile = Path.of(backend.open(key).nativeKey());
        return Files.exists(keyFile) && LibC.INSTANCE.shmget(LibC.INSTANCE.ftok(keyFile.toString(), 'Q'), 0, 0) != -1;
    }

    private void assertNoKeyFilesLeft() throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(n -> n.contains(key)).toList());
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void qtCreatesJavaAttachesSharesTheLockAndDetachesLast() throws Exception {
        PeerProcess qt = qt();
        assertEquals("OK", qt.send("create 100"));
        assertEquals("OK", qt.send("write 0 hello-from-qt"));
        SharedSegment java = backend.open(key);
        assertTrue(java.attach(AccessMode.ReadWrite), java.errorString());
        assertEquals(100, java.size());
        assertArrayEquals(bytes("hello-from-qt"), java.read(0, 13));
        assertTrue(java.write(50, bytes("hello-from-java")));
        assertEquals("OK hello-from-java", qt.send("read 50 15"));

        assertTrue(java.lock());
        qt.sendNoWait("lock");
        assertThrows(TimeoutException.class, () -> qt.awaitReply(500, TimeUnit.MILLISECONDS), "Qt waits for our lock");
        assertTrue(java.unlock());
        assertEquals("OK", qt.awaitReply(PeerProcess.REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS));
        Thread locker = new Thread(java::lock);
        locker.start();
        locker.join(500);
        assertTrue(locker.isAlive(), "we wait for Qt's lock");
        assertEquals("OK", qt.send("unlock"));
        locker.join(PeerProcess.REPLY_TIMEOUT_SECONDS * 1000);
        assertFalse(locker.isAlive());
        assertTrue(java.unlock());

        assertEquals("OK", qt.send("detach"));
        assertTrue(segmentExists(), "Qt was not the last detacher");
        assertTrue(java.detach());
        assertFalse(segmentExists(), "our detach removed Qt's segment");
        java.close();
        assertEquals("OK", qt.send("exit"));
        assertEquals(0, qt.awaitExit());
        assertNoKeyFilesLeft();
    }

    @Test
    void javaCreatesQtAttachesAndQtDetachesLast() throws Exception {
        SharedSegment java = backend.open(key);
        assertTrue(java.create(200, AccessMode.ReadWrite), java.errorString());
        assertTrue(java.write(0, bytes("hello-from-java")));
        PeerProcess qt = qt();
        assertEquals("OK", qt.send("attach rw"));
        assertEquals("OK 200", qt.send("size"));
        assertEquals("OK hello-from-java", qt.send("read 0 15"));
        assertTrue(java.detach());
        assertTrue(segmentExists());
        assertEquals("OK", qt.send("detach"));
        assertFalse(segmentExists(), "Qt's detach removed our segment");
        java.close();
        assertEquals("OK", qt.send("exit"));
        assertEquals(0, qt.awaitExit());
        assertNoKeyFilesLeft();
    }

    @Test
    void javaCleansUpAfterAKilledQtLockHolder() throws Exception {
        PeerProcess qt = qt();
        assertEquals("OK", qt.send("create 64"));
        assertEquals("OK", qt.send("write 0 survivor"));
        assertEquals("OK", qt.send("lock"));
        qt.kill();
        SharedSegment java = backend.open(key);
        assertFalse(java.create(64, AccessMode.ReadWrite));
        assertEquals(SegmentError.AlreadyExists, java.error(), java.errorString());
        assertTrue(java.attach(AccessMode.ReadWrite), java.errorString());
        assertArrayEquals(bytes("survivor"), java.read(0, 8));
        assertTrue(java.detach());
        assertFalse(segmentExists());
        java.close(); // our create() took ownership of Qt's semaphore, so this removes it
        assertNoKeyFilesLeft();
    }
}
