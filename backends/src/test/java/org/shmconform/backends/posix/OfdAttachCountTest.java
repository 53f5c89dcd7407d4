package org.shmconform.backends.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Memory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.linux.LibC;

/** The attach count and the unlink race it must survive, on raw descriptors in one process. */
class OfdAttachCountTest {
    private final String name = "/shmcftest_ofd_" + ProcessHandle.current().pid() + "_" + System.nanoTime();

    @AfterEach
    void unlink() {
        LibC.INSTANCE.shm_unlink(name);
    }

    private int open() {
        int fd = LibC.INSTANCE.shm_open(name, LibC.O_RDWR | LibC.O_CREAT | LibC.O_CLOEXEC, 0600);
        assertNotEquals(-1, fd);
        return fd;
    }

    @Test
    void onlyTheLastDescriptorIsLast() {
        int first = open();
        int second = open();
        assertEquals(0, OfdAttachCount.join(first));
        assertEquals(0, OfdAttachCount.join(second));
        assertFalse(OfdAttachCount.leaveAndCheckLast(first), "second still holds its shared lock");
        LibC.INSTANCE.close(second);
        assertTrue(OfdAttachCount.leaveAndCheckLast(first), "closing drops the lock, as a killed process does");
        LibC.INSTANCE.close(first);
    }

    @Test
    void anAttacherRacingTheLastDetacherSeesTheObjectUnlinked() throws Exception {
        int detacher = open();
        assertEquals(0, OfdAttachCount.join(detacher));
        int attacher = open(); // opened the name just before the detacher decides
        assertTrue(OfdAttachCount.leaveAndCheckLast(detacher));
        CompletableFuture<Integer> joined = CompletableFuture.supplyAsync(() -> OfdAttachCount.join(attacher));
        Thread.sleep(200);
        assertFalse(joined.isDone(), "join waits for the detacher's exclusive lock");
        LibC.INSTANCE.shm_unlink(name);
        LibC.INSTANCE.close(detacher);
        assertEquals(0, joined.get(org.shmconform.backends.testsupport.PeerProcess.REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS));
        Memory stat = new Memory(LibC.STAT_SIZE);
        assertEquals(0, LibC.INSTANCE.fstat(attacher, stat));
        assertEquals(0, stat.getLong(LibC.STAT_NLINK), "so PosixSegment.attach reports NotFound");
        LibC.INSTANCE.close(attacher);
    }
}
