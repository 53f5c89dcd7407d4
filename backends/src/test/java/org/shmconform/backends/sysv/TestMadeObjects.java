package org.shmconform.backends.sysv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.shmconform.backends.linux.LibC;

/**
 * A test's safety net now that the backend's removeLeftovers removes key files only (the SPI's contract): the System V
 * objects at the ftok values of the test's key files that this JVM or one of the test's peers made (a segment's
 * creator) or operated last (a set), removed before the key files go. Nothing another program made: its creator or last
 * operator is none of these processes.
 */
final class TestMadeObjects {
    private TestMadeObjects() {
    }

    /**
     * @param keysSeen ftok values the test read while their files existed (a file gone since keys nothing now)
     */
    static void remove(Path tmp, String prefix, Collection<Long> peerPids, Collection<Integer> keysSeen) {
        Set<Long> ours = new HashSet<>(peerPids);
        ours.add(ProcessHandle.current().pid());
        Set<Integer> keys = new HashSet<>(keysSeen);
        // Made while this JVM lives: a peer's pid that the kernel gave to another program once the peer was gone names
        // nothing this test made before then.
        long since = ProcessHandle.current().info().startInstant().map(java.time.Instant::getEpochSecond).orElse(Long.MAX_VALUE);
        try (Stream<Path> files = Files.list(tmp)) {
            files.filter(f -> f.getFileName().toString().contains(prefix) && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))
                    .forEach(f -> keys.add(LibC.INSTANCE.ftok(f.toString(), 'Q')));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (SysVObjects.Segment s : SysVObjects.segments()) {
            if (keys.contains(s.key()) && s.ctime() >= since && ours.contains((long) s.cpid())) {
                SysVObjects.remove(s.obj());
            }
        }
        for (SysVObjects.SemSet s : SysVObjects.semaphoreSets()) {
            if (keys.contains(s.key()) && s.ctime() >= since && ours.contains((long) SysVObjects.lastOperator(s.id()))) {
                SysVObjects.remove(s.obj());
            }
        }
    }
}
