package org.shmconform.spi.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * Whether another user could put a folder of theirs in the place of one below {@code dir}: a directory on the way from /
 * to {@code dir} that is a link, or that such a user owns or may write (unless root's and sticky, like /tmp, where nobody
 * renames or removes another's entry) lets them rename our folder away and put theirs, or a link, in its place; every
 * path the harness then opens below it would be resolved through what they put there. The state directory
 * ({@code PrivateDirectory}) and the report root ({@link SafeFiles#checkRoot}) are both checked with it.
 */
public final class Ancestors {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private Ancestors() {
    }

    /** The directory where another user could step in, and why. */
    public record Unsafe(Path where, String why) {
    }

    /**
     * The first directory from / to {@code dir} (itself included) that fails, or empty when each is a real directory
     * owned by one of {@code trustedOwners} that nobody else may write (or root's and sticky). Stops at the first one that
     * does not exist: the caller makes the rest.
     */
    public static Optional<Unsafe> firstUnsafe(Path dir, Set<Integer> trustedOwners) {
        if (dir == null) {
            return Optional.empty();
        }
        Path abs = dir.toAbsolutePath().normalize();
        Path p = abs.getRoot();
        for (Path name : abs) {
            p = p.resolve(name);
            if (!Files.exists(p, NOFOLLOW)) {
                return Optional.empty();
            }
            PosixFileAttributes a;
            int owner;
            int mode;
            try {
                a = Files.readAttributes(p, PosixFileAttributes.class, NOFOLLOW);
                owner = (Integer) Files.getAttribute(p, "unix:uid", NOFOLLOW);
                mode = (Integer) Files.getAttribute(p, "unix:mode", NOFOLLOW);
            } catch (IOException e) {
                return Optional.of(new Unsafe(p, "cannot lstat a path component (" + e.getMessage() + ")"));
            }
            if (a.isSymbolicLink()) {
                return Optional.of(new Unsafe(p, "a path component is a symbolic link"));
            }
            if (!a.isDirectory()) {
                return Optional.of(new Unsafe(p, "a path component is not a directory"));
            }
            if (owner != 0 && !trustedOwners.contains(owner)) {
                return Optional.of(new Unsafe(p, "a path component is owned by uid " + owner));
            }
            Set<PosixFilePermission> perms = a.permissions();
            boolean othersWrite = perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE);
            boolean rootsSticky = owner == 0 && (mode & 01000) != 0;
            if (othersWrite && !rootsSticky) {
                return Optional.of(new Unsafe(p, "a path component is writable by others ("
                        + PosixFilePermissions.toString(perms) + ") and not sticky"));
            }
        }
        return Optional.empty();
    }
}
