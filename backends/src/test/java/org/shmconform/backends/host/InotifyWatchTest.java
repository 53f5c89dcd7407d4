package org.shmconform.backends.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The kernel queues an inotify event before the call that caused it returns, so each read here is immediate. */
class InotifyWatchTest {
    private Path watched;
    private Path elsewhere;
    private InotifyWatch watch;

    @BeforeEach
    void open() throws Exception {
        watched = HostDir.create("inotify");
        elsewhere = HostDir.create("inotify-other");
        watch = InotifyWatch.open();
        assertNotNull(watch, "inotify exists on every kernel this project supports");
        assertTrue(watch.watch(watched));
    }

    @AfterEach
    void close() throws Exception {
        watch.close();
        HostDir.delete(watched);
        HostDir.delete(elsewhere);
    }

    @Test
    void reportsNamesCreatedAndDeletedInAWatchedDirectoryOnly() throws Exception {
        Path file = Files.createFile(watched.resolve("key"));
        Files.createFile(elsewhere.resolve("unwatched"));
        assertEquals(List.of(new InotifyWatch.Event(file, true)), watch.next(1000));
        Files.delete(file);
        assertEquals(List.of(new InotifyWatch.Event(file, false)), watch.next(1000));
        assertEquals(List.of(), watch.next(0), "nothing else happened in the watched directory");
    }

    @Test
    void aRenameInIsACreationAndARenameOutADeletion() throws Exception {
        Path outside = Files.createFile(elsewhere.resolve("moved"));
        Path inside = watched.resolve("moved");
        Files.move(outside, inside);
        assertEquals(List.of(new InotifyWatch.Event(inside, true)), watch.next(1000));
        Files.move(inside, outside);
        assertEquals(List.of(new InotifyWatch.Event(inside, false)), watch.next(1000));
    }

    @Test
    void aDirectoryThatDoesNotExistCannotBeWatched() {
        assertEquals(false, watch.watch(watched.resolve("missing")));
    }
}
