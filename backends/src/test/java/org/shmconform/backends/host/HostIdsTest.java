package org.shmconform.backends.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HostIdsTest {
    @Test
    void uidIsTheOwnerOfWhatThisProcessCreates() throws Exception {
        Path dir = HostDir.create("ids");
        try {
            Path file = Files.createFile(dir.resolve("mine"));
            assertEquals(Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS), HostIds.uid());
        } finally {
            HostDir.delete(dir);
        }
    }

    @Test
    void threadIdIsTheKernelsIdOfTheCallingThread() throws Exception {
        assertEquals(kernelTid(), HostIds.threadId());
        AtomicLong other = new AtomicLong();
        AtomicReference<Long> otherSeen = new AtomicReference<>();
        Thread t = new Thread(() -> {
            other.set(HostIds.threadId());
            otherSeen.set(kernelTid());
        });
        t.start();
        t.join();
        assertEquals(otherSeen.get(), other.get());
        assertTrue(other.get() != HostIds.threadId(), "two threads, two ids");
    }

    @Test
    void nativeAccessNamesTheJarJnaIsLoadedFrom() {
        Path jar = NativeAccess.libraryJar();
        assertTrue(Files.exists(jar), jar.toString());
        assertTrue(jar.getFileName().toString().startsWith("jna"), jar.toString());
    }

    /** /proc/thread-self is a link to "pid/task/tid" of the thread that reads it. */
    private static long kernelTid() {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
            return Long.parseLong(link.substring(link.lastIndexOf('/') + 1));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
