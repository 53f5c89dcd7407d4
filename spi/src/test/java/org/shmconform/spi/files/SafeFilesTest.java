package org.shmconform.spi.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks and writes the report writers build on, each against what another user could plant. */
class SafeFilesTest {
    private static void assertEmpty(Path dir) throws Exception {
        try (var inside = Files.list(dir)) {
            assertEquals(List.of(), inside.toList());
        }
    }

    @Test
    void aMissingRootIsMadeNotWritableByOthers(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("a").resolve("report");
        SafeFiles.checkRoot(root, me(dir));
        assertTrue(Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS));
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(root));
        assertTrue(mode.charAt(4) == '-' && mode.charAt(7) == '-', mode);
        SafeFiles.checkRoot(root, me(dir)); // and an existing one of ours passes
    }

    @Test
    void aRootThatIsALinkAFileAnotherUsersOrWritableByOthersIsRefused(@TempDir Path dir) throws Exception {
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), elsewhere);
        Path file = Files.writeString(dir.resolve("file"), "x");
        Path open = Files.createDirectory(dir.resolve("open"));
        assertEquals(0, new ProcessBuilder("chmod", "1777", open.toString()).start().waitFor()); // sticky like /tmp is not enough
        Path mine = Files.createDirectory(dir.resolve("mine"));
        int me = me(dir);
        assertTrue(assertThrows(SafeFiles.UnsafePathException.class, () -> SafeFiles.checkRoot(link, me)).getMessage()
                .contains("is a symbolic link"));
        assertTrue(assertThrows(SafeFiles.UnsafePathException.class, () -> SafeFiles.checkRoot(file, me)).getMessage()
                .contains("is not a directory"));
        assertTrue(assertThrows(SafeFiles.UnsafePathException.class, () -> SafeFiles.checkRoot(open, me)).getMessage()
                .contains("writable by group or others (rwxrwxrwx)"));
        assertTrue(assertThrows(SafeFiles.UnsafePathException.class, () -> SafeFiles.checkRoot(mine, me + 1)).getMessage()
                .contains("owned by uid " + me + ", not by this user"));
        assertEmpty(elsewhere);
        assertEquals("x", Files.readString(file));
    }

    @Test
    void aRootBelowAFolderAnotherUserOwnsOrWritesOrBelowALinkIsRefused(@TempDir Path dir) throws Exception {
        int me = me(dir);
        Path nobodys = Files.createDirectory(dir.resolve("nobodys"));
        Path writable = Files.createDirectory(dir.resolve("writable"));
        Path sticky = Files.createDirectory(dir.resolve("sticky"));
        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        assertEquals(0, new ProcessBuilder("chmod", "0777", writable.toString()).start().waitFor());
        assertEquals(0, new ProcessBuilder("chmod", "1777", sticky.toString()).start().waitFor());
        // nobody could rename "report" away and put a folder of theirs, or a link, in its place during the run
        if (me == 0) { // only root gives a folder away
            assertEquals(0, new ProcessBuilder("chown", "65534", nobodys.toString()).start().waitFor());
            assertTrue(assertThrows(SafeFiles.UnsafePathException.class, () -> SafeFiles.checkRoot(nobodys.resolve("report"), me))
                    .getMessage().contains(nobodys + " above the report folder: a path component is owned by uid 65534"));
        }
        assertTrue(assertThrows(SafeFiles.UnsafePathException.class, () -> SafeFiles.checkRoot(writable.resolve("a").resolve("report"), me))
                .getMessage().contains("writable by others (rwxrwxrwx) and not sticky"));
        assertTrue(assertThrows(SafeFiles.UnsafePathException.class, () -> SafeFiles.checkRoot(link.resolve("report"), me))
                .getMessage().contains("a path component is a symbolic link"));
        assertEmpty(nobodys);
        assertEmpty(writable);
        assertEmpty(real);
        if (me == 0) { // a sticky folder of root's, like /tmp: nobody renames another's entry there
            SafeFiles.checkRoot(sticky.resolve("report"), me);
            assertTrue(Files.isDirectory(sticky.resolve("report"), LinkOption.NOFOLLOW_LINKS));
        }
    }

    @Test
    void aWriteReplacesALinkAtItsPlaceAndRefusesALinkedFolder(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "s");
        Path folder = Files.createDirectory(dir.resolve("run"));
        Path file = Files.createSymbolicLink(folder.resolve("results.json"), secret);
        SafeFiles.writeString(file, "{}");
        assertEquals("s", Files.readString(secret));
        assertEquals("{}", Files.readString(file));
        assertTrue(Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS));

        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        Files.createSymbolicLink(folder.resolve("runs"), elsewhere);
        assertThrows(SafeFiles.UnsafePathException.class, () -> SafeFiles.writeString(folder.resolve("runs").resolve("a.html"), "x"));
        assertThrows(SafeFiles.UnsafePathException.class, () -> SafeFiles.makeDirectories(folder.resolve("runs").resolve("deeper")));
        assertEmpty(elsewhere);
    }

    @Test
    void aFreshFolderIsNeverMadeThroughALink(@TempDir Path dir) throws Exception {
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        Path link = Files.createSymbolicLink(dir.resolve("20261205-000000-abcdef"), elsewhere);
        assertThrows(SafeFiles.UnsafePathException.class, () -> SafeFiles.createFresh(link));
        assertEmpty(elsewhere);
    }

    @Test
    void latestIsReplacedAtOnceAndARealDirectoryThereIsRefused(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "s");
        Path root = Files.createDirectory(dir.resolve("root"));
        Path latest = Files.createSymbolicLink(root.resolve("latest"), secret);
        SafeFiles.replaceLink(latest, Path.of("20261205-000000-abcdef"));
        assertEquals(Path.of("20261205-000000-abcdef"), Files.readSymbolicLink(latest));
        assertEquals("s", Files.readString(secret));
        try (var inside = Files.list(root)) {
            assertEquals(List.of(latest), inside.toList(), "no temporary link is left");
        }
        Path other = Files.createDirectory(dir.resolve("other"));
        Path realDir = Files.createDirectory(other.resolve("latest"));
        assertTrue(assertThrows(SafeFiles.UnsafePathException.class, () -> SafeFiles.replaceLink(realDir, Path.of("x"))).getMessage()
                .contains("it is a directory, not the link shmconform keeps there"));
        assertTrue(Files.isDirectory(realDir, LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * Another user makes the first missing folder above the report folder, with a link in it, between the look that found
     * it missing and root's mkdir (in a sticky folder like /tmp anyone can): the report folder is refused, and nothing is
     * made where the link leads. Files.createDirectories made the folders there first.
     */
    @Test
    void aFolderAnotherUserMakesWhileTheParentsAreMadeLeadsNoMkdirThroughItsLink(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(me(dir) == 0, "needs root to make nobody's folder");
        Path sticky = Files.createDirectory(dir.resolve("sticky"));
        assertEquals(0, new ProcessBuilder("chmod", "1777", sticky.toString()).start().waitFor());
        Path victim = Files.createDirectory(dir.resolve("victim"));
        Path planted = sticky.resolve("x");
        Path root = planted.resolve("y").resolve("z").resolve("report");
        SafeFiles.beforeEachParentIsMade = p -> {
            if (p.equals(planted)) {
                try {
                    Files.createDirectory(planted);
                    Files.createSymbolicLink(planted.resolve("y"), victim);
                    Files.setAttribute(planted.resolve("y"), "unix:uid", 65534, LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(planted, "unix:uid", 65534, LinkOption.NOFOLLOW_LINKS); // nobody's
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        try {
            String why = assertThrows(SafeFiles.UnsafePathException.class, () -> SafeFiles.checkRoot(root, 0)).getMessage();
            assertTrue(why.contains(planted + " above the report folder: a path component is owned by uid 65534"), why);
            assertEmpty(victim);
        } finally {
            SafeFiles.beforeEachParentIsMade = p -> {
            };
        }
    }

    /** This process's user id: the owner of a file it has just made. */
    private static int me(Path dir) throws java.io.IOException {
        Path probe = Files.createTempFile(dir, "uid", "");
        try {
            return (Integer) Files.getAttribute(probe, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } finally {
            Files.delete(probe);
        }
    }
}
