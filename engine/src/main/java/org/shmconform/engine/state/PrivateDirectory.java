package org.shmconform.engine.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.shmconform.backends.host.HostIds;
import org.shmconform.backends.host.MountTable;
import org.shmconform.spi.files.Ancestors;

/**
 * Directories the harness (root, usually) can trust: every component is checked with lstat (no
 * symlink, owned by root or by this user, not writable by anyone else unless sticky like /tmp), and
 * the directory itself is owned by this user with exactly the mode asked for. What another user can
 * write is never trusted, so a planted symlink, a swapped directory or a pre-made directory with a
 * foreign owner gives one clear {@link UnsafeDirectoryException} rather than a root write through it.
 */
public final class PrivateDirectory {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private PrivateDirectory() {
    }

    /** One line saying which path is unsafe and why. */
    public static final class UnsafeDirectoryException extends IllegalStateException {
        public UnsafeDirectoryException(Path path, String why) {
            super("refusing unsafe path " + path + ": " + why);
        }
    }

    public static int myUid() {
        return HostIds.uid();
    }

    /**
     * Makes {@code dir} (and missing parents, each 0700) if needed and verifies it: owned by this
     * user, a real directory, mode exactly {@code mode}; its ancestors are checked by {@link #checkAncestors}.
     */
    public static Path ensure(Path dir, String mode) {
        Path abs = dir.toAbsolutePath().normalize();
        checkAncestors(abs.getParent());
        if (!Files.exists(abs, NOFOLLOW)) {
            if (!Files.exists(abs.getParent(), NOFOLLOW)) {
                ensure(abs.getParent(), "rwx------");
            }
            boolean madeHere = false;
            try {
                Files.createDirectory(abs, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
                madeHere = true;
            } catch (FileAlreadyExistsException e) {
                // Made by someone else meanwhile (in a sticky /tmp, another user can): verified below like any existing
                // directory, and never chmod'ed: what is there may be another's directory, a hard link to a file of
                // root's, or a FIFO whose open would hang.
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make " + abs, e);
            }
            if (madeHere) {
                setMode(abs, mode); // the umask may have removed bits: we made it, it is ours
            }
        }
        verify(abs, myUid(), mode);
        return abs;
    }

    /** Makes a fresh directory that must not exist yet (mkdir fails on anything planted there). */
    public static Path createFresh(Path dir, String mode) {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make " + dir, e);
        }
        setMode(dir, mode);
        verify(dir, myUid(), mode);
        return dir;
    }

    /** lstat-checks a directory: real directory, owner {@code uid}, mode exactly {@code mode}. */
    public static void verify(Path dir, int uid, String mode) {
        PosixFileAttributes a = lstat(dir);
        if (a.isSymbolicLink()) {
            throw new UnsafeDirectoryException(dir, "it is a symbolic link");
        }
        if (!a.isDirectory()) {
            throw new UnsafeDirectoryException(dir, "it is not a directory");
        }
        int owner = uidOf(dir);
        if (owner != uid) {
            throw new UnsafeDirectoryException(dir, "owned by uid " + owner + ", expected " + uid);
        }
        String actual = PosixFilePermissions.toString(a.permissions());
        if (!actual.equals(mode)) {
            throw new UnsafeDirectoryException(dir, "mode " + actual + ", expected " + mode);
        }
    }

    /**
     * Every component from / to {@code dir}: not a symlink, a directory, owned by root or by this
     * user, and not group/world-writable unless it is root's and sticky (like /tmp, where nobody can
     * rename or remove our entry).
     */
    public static void checkAncestors(Path dir) {
        Ancestors.firstUnsafe(dir, Set.of(myUid())).ifPresent(u -> {
            throw new UnsafeDirectoryException(u.where(), u.why());
        });
    }

    /**
     * The first directory from / to {@code dir} (itself included) that another user cannot pass through (no execute bit
     * for others), or null when another user can reach {@code dir}'s entries. Checked before a worker runs as another
     * user: its class path is copied into the run's share directory, which it must reach ({@code ClassPathCopy}).
     */
    public static Path firstClosedToOthers(Path dir) {
        Path p = dir.toAbsolutePath().getRoot();
        for (Path name : dir.toAbsolutePath()) {
            p = p.resolve(name);
            if (!lstat(p).permissions().contains(PosixFilePermission.OTHERS_EXECUTE)) {
                return p;
            }
        }
        return null;
    }

    public static PosixFileAttributes lstat(Path p) {
        try {
            return Files.readAttributes(p, PosixFileAttributes.class, NOFOLLOW);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lstat " + p, e);
        }
    }

    public static int uidOf(Path p) {
        try {
            return (Integer) Files.getAttribute(p, "unix:uid", NOFOLLOW);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lstat " + p, e);
        }
    }

    public static void setMode(Path p, String mode) {
        try {
            Files.getFileAttributeView(p, PosixFileAttributeView.class, NOFOLLOW)
                    .setPermissions(PosixFilePermissions.fromString(mode));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot chmod " + p, e);
        }
    }

    /**
     * Removes {@code dir} and everything in it without ever following a link: each directory is
     * opened relative to its parent's descriptor (openat with O_NOFOLLOW) and entries are unlinked
     * relative to it, so a directory swapped for a symlink mid-way sends nothing outside the tree. Nor does it cross into
     * another file system: a mount point in the tree (one the reaper did not take down because it is not provably the
     * run's, {@code KeyFileSystem.takeDown}) is left as it is, with what it holds and the directories above it, as
     * {@code rm --one-file-system} does; the tree is only ever in a private directory, whose paths have no link.
     */
    public static void deleteTree(Path dir) {
        Path parent = dir.toAbsolutePath().getParent();
        try (DirectoryStream<Path> ps = Files.newDirectoryStream(parent, p -> p.getFileName().equals(dir.getFileName()))) {
            if (!(ps instanceof SecureDirectoryStream<Path> sp)) {
                throw new IllegalStateException("no SecureDirectoryStream on this platform: cannot delete " + dir + " safely");
            }
            Path name = dir.getFileName();
            if (!Files.exists(dir, NOFOLLOW)) {
                return;
            }
            if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir, NOFOLLOW)) {
                sp.deleteFile(name); // a link or file where a directory was: remove the name only
                return;
            }
            Path absolute = dir.toAbsolutePath().normalize();
            Set<Path> mounts = MountTable.pointsAtOrBelow(absolute);
            if (!mounts.contains(absolute)) {
                deleteIn(sp, name, absolute, mounts);
            }
        } catch (IOException e) {
            // left for the next run's reaper
        }
    }

    /** Empties and removes {@code name} (at {@code path}); false where it kept a mount point of {@code mounts} in it. */
    private static boolean deleteIn(SecureDirectoryStream<Path> parent, Path name, Path path, Set<Path> mounts)
            throws IOException {
        boolean emptied = true;
        try (SecureDirectoryStream<Path> sub = parent.newDirectoryStream(name, NOFOLLOW)) {
            for (Path entry : sub) {
                Path child = entry.getFileName();
                PosixFileAttributes a = sub.getFileAttributeView(child, PosixFileAttributeView.class, NOFOLLOW).readAttributes();
                if (a.isDirectory() && mounts.contains(path.resolve(child))) {
                    emptied = false; // another file system: not this tree's to empty
                } else if (a.isDirectory()) {
                    emptied &= deleteIn(sub, child, path.resolve(child), mounts);
                } else {
                    sub.deleteFile(child);
                }
            }
        }
        if (emptied) {
            parent.deleteDirectory(name);
        }
        return emptied;
    }
}
