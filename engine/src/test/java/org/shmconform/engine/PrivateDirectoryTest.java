package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.host.MountTable;
import org.shmconform.engine.state.PrivateDirectory;

/** lstat on every component: links, foreign owners and writable modes are refused with one line. */
class PrivateDirectoryTest {
    private Path base;

    @BeforeEach
    void base() throws Exception {
        base = PrivateDirectory.ensure(Path.of("/run/shmconform-pdtest-" + RunContext.letters(8)), "rwx------");
    }

    @AfterEach
    void remove() {
        PrivateDirectory.deleteTree(base);
    }

    @Test
    void makesA0700DirectoryOwnedByThisUser() {
        Path d = PrivateDirectory.ensure(base.resolve("a/b"), "rwx------");
        assertEquals("rwx------", PosixFilePermissions.toString(PrivateDirectory.lstat(d).permissions()));
        assertEquals(PrivateDirectory.myUid(), PrivateDirectory.uidOf(d));
    }

    /** A worker as another user must pass through every directory to the share directory (the other-user scenario). */
    @Test
    void namesTheFirstDirectoryOtherUsersCannotPassThrough() throws Exception {
        Path open = PrivateDirectory.ensure(base.resolve("open"), "rwx--x--x");
        Path inside = PrivateDirectory.ensure(open.resolve("share"), "rwx--x--x");
        PrivateDirectory.setMode(base, "rwx--x--x");
        assertEquals(null, PrivateDirectory.firstClosedToOthers(inside), "/, the base and both below it let others pass");
        PrivateDirectory.setMode(open, "rwx------");
        assertEquals(open, PrivateDirectory.firstClosedToOthers(inside));
        PrivateDirectory.setMode(base, "rwx------");
        assertEquals(base, PrivateDirectory.firstClosedToOthers(inside), "the first one from / is named");
    }

    @Test
    void refusesASymlinkAnywhereOnThePath() throws Exception {
        Path real = Files.createDirectory(base.resolve("real"));
        Files.createSymbolicLink(base.resolve("link"), real);
        var e = assertThrows(PrivateDirectory.UnsafeDirectoryException.class,
                () -> PrivateDirectory.ensure(base.resolve("link/state"), "rwx------"));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertThrows(PrivateDirectory.UnsafeDirectoryException.class, () -> PrivateDirectory.ensure(base.resolve("link"), "rwx------"));
    }

    @Test
    void refusesAForeignOwnerOrAWritableMode() throws Exception {
        Path foreign = Files.createDirectory(base.resolve("foreign"));
        Files.setOwner(foreign, foreign.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        var e = assertThrows(PrivateDirectory.UnsafeDirectoryException.class, () -> PrivateDirectory.ensure(foreign, "rwx------"));
        assertTrue(e.getMessage().contains("owned by uid"), e.getMessage());
        Path open = Files.createDirectory(base.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThrows(PrivateDirectory.UnsafeDirectoryException.class, () -> PrivateDirectory.ensure(open.resolve("state"), "rwx------"));
    }

    @Test
    void deletesATreeWithoutFollowingALinkOutOfIt() throws Exception {
        Path outside = Files.createDirectory(base.resolve("outside"));
        Files.writeString(outside.resolve("keep"), "x");
        Path tree = Files.createDirectories(base.resolve("tree/sub"));
        Files.createSymbolicLink(tree.resolve("out"), outside);
        Files.createSymbolicLink(base.resolve("tree/sub2"), outside);
        PrivateDirectory.deleteTree(base.resolve("tree"));
        assertTrue(Files.exists(outside.resolve("keep")));
        assertTrue(Files.notExists(base.resolve("tree")));
    }

    /**
     * A file system mounted in the tree is not the tree's to empty (rm --one-file-system): what it holds stays, and so do
     * its mount point and the directories above it; everything else goes.
     */
    @Test
    void deleteTreeNeverEmptiesAnotherFileSystemMountedInIt() throws Exception {
        Path tree = Files.createDirectories(base.resolve("tree/sub/mnt"));
        Files.writeString(base.resolve("tree/sub/mine"), "x");
        Files.createDirectories(base.resolve("tree/other/deep"));
        ForeignTmpfs.mountOn(tree);
        try {
            Files.writeString(tree.resolve("theirs"), "keep");
            PrivateDirectory.deleteTree(base.resolve("tree"));
            assertEquals("keep", Files.readString(tree.resolve("theirs")));
            assertEquals("tmpfs", MountTable.on(tree).orElseThrow().type());
            assertTrue(Files.notExists(base.resolve("tree/sub/mine")));
            assertTrue(Files.notExists(base.resolve("tree/other")));
        } finally {
            ForeignTmpfs.unmount(tree);
        }
        PrivateDirectory.deleteTree(base.resolve("tree"));
        assertTrue(Files.notExists(base.resolve("tree")), "once it is unmounted, the tree goes");
    }
}
