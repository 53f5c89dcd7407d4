package org.shmconform.backends.memfd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.shmconform.spi.AccessMode;
import org.shmconform.backends.Backends;
import org.shmconform.spi.BackendSemantics.Resize;
import org.shmconform.spi.DescriptorHandOver;
import org.shmconform.spi.SegmentError;
import org.shmconform.spi.SharedSegment;
import org.shmconform.backends.DescriptorSegment;
import org.shmconform.backends.linux.OfdLock;
import org.shmconform.backends.testsupport.DescriptorSegmentContract;

/** memfd-fd in one process: memfd's descriptor contract, and the hand-over between two objects of one user. */
class MemfdFdBackendTest extends DescriptorSegmentContract<MemfdFdFixture> {
    private HandOverRoot root;

    MemfdFdBackendTest() {
        super(new MemfdFdFixture());
    }

    @BeforeEach
    void socketDirectory() throws Exception {
        root = new HandOverRoot();
    }

    @AfterEach
    void removeSocketDirectory() throws Exception {
        root.close();
    }

    @Test
    void isRegisteredAvailableAndSealed() {
        assertTrue(Backends.named("memfd-fd").isPresent());
        assertTrue(fixture.backend().availability().available(), fixture.backend().availability().reason());
        assertEquals(Resize.SEALED, fixture.backend().semantics().resize());
        assertTrue(segment(newKey()) instanceof DescriptorHandOver);
    }

    @Test
    void aReceiverGetsTheSegmentInAnOpenFileDescriptionOfItsOwn() throws Exception {
        String key = newKey();
        SharedSegment sender = segment(key);
        assertTrue(sender.create(4096, AccessMode.ReadWrite));
        assertTrue(sender.write(0, "handed".getBytes(UTF_8)));
        Path socket = root.path().resolve("s.sock");
        assertTrue(((DescriptorHandOver) sender).serve(socket, 65534), sender.errorString());

        SharedSegment receiver = segment(key);
        assertTrue(((DescriptorHandOver) receiver).attachReceived(socket, AccessMode.ReadWrite), receiver.errorString());
        assertEquals(4096, receiver.size());
        assertEquals("handed", new String(receiver.read(0, 6), UTF_8));
        assertTrue(receiver.write(10, "back".getBytes(UTF_8)));
        assertEquals("back", new String(sender.read(10, 4), UTF_8));

        int receivedFd = ((DescriptorHandOver) receiver).descriptorForChild();
        assertTrue(sender.lock());
        assertEquals(11 /* EAGAIN */, OfdLock.tryExclusive(receivedFd, DescriptorSegment.LOCK_START, 1),
                "the sender's lock excludes the receiver: not one shared open file description");
        assertTrue(sender.unlock());
        assertTrue(receiver.lock());
        assertTrue(receiver.unlock());
    }

    @Test
    void aDescriptorOfAnotherKeyIsRefusedAndClosed() throws Exception {
        SharedSegment sender = segment(newKey());
        assertTrue(sender.create(64, AccessMode.ReadWrite));
        Path socket = root.path().resolve("s.sock");
        assertTrue(((DescriptorHandOver) sender).serve(socket, 65534));
        SharedSegment wrong = segment(newKey());
        assertFalse(((DescriptorHandOver) wrong).attachReceived(socket, AccessMode.ReadWrite));
        assertEquals(SegmentError.NotFound, wrong.error());
        assertTrue(wrong.errorString().contains(sender.nativeKey()), wrong.errorString());
        assertEquals(3, MemfdKernelView.references(sender.nativeKey()).size(),
                "the sender's descriptor and mapping and the server's duplicate: the refused one was closed");
    }

    @Test
    void afterDetachNobodyIsServed() throws Exception {
        String key = newKey();
        SharedSegment sender = segment(key);
        assertTrue(sender.create(64, AccessMode.ReadWrite));
        Path socket = root.path().resolve("s.sock");
        assertTrue(((DescriptorHandOver) sender).serve(socket, 65534));
        assertFalse(((DescriptorHandOver) sender).serve(root.path().resolve("t.sock"), 65534), "one server per object");
        assertTrue(sender.detach());
        assertFalse(Files.exists(socket));
        SharedSegment late = segment(key);
        assertFalse(((DescriptorHandOver) late).attachReceived(socket, AccessMode.ReadWrite));
        assertEquals(SegmentError.NotFound, late.error(), late.errorString());
    }

    @Test
    void serveRefusesADirectoryOthersCanWrite() throws Exception {
        SharedSegment sender = segment(newKey());
        assertTrue(sender.create(64, AccessMode.ReadWrite));
        Path open = Files.createDirectory(root.path().resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertFalse(((DescriptorHandOver) sender).serve(open.resolve("s.sock"), 65534));
        assertTrue(sender.errorString().contains("refusing socket directory"), sender.errorString());
        assertFalse(Files.exists(open.resolve("s.sock")));
    }
}
