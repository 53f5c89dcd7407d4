package org.shmconform.engine.launch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The system programs the harness runs around its workers (setpriv, unshare, nsenter, sh, mount, cat, mkfifo), by an
 * absolute path in the system's own directories, never looked up on the caller's PATH: a PATH directory another user
 * can write gave root that user's programs (a setpriv planted by nobody in a directory ahead of /usr/bin ran as root
 * for every worker). A tool is taken only if it and every directory to it is root's and writable by nobody else.
 */
public final class SystemTools {
    /** Where system programs are, and the only PATH the harness's wrappers give the programs they exec by name. */
    public static final List<Path> DIRECTORIES = List.of(Path.of("/usr/sbin"), Path.of("/usr/bin"), Path.of("/sbin"), Path.of("/bin"));
    private static final ConcurrentMap<String, String> FOUND = new ConcurrentHashMap<>();

    private SystemTools() {
    }

    /** The absolute path of {@code name} in {@link #DIRECTORIES}; throws if none there is root's and writable by root only. */
    public static String path(String name) {
        return FOUND.computeIfAbsent(name, SystemTools::find);
    }

    private static String find(String name) {
        for (Path dir : DIRECTORIES) {
            Path candidate = dir.resolve(name);
            try {
                if (!Files.exists(candidate)) {
                    continue;
                }
                Path real = candidate.toRealPath(); // /bin is a link to usr/bin on merged-/usr systems: check what it names
                if (trusted(real)) {
                    return real.toString();
                }
            } catch (IOException e) {
                // not there, or not readable: the next directory
            }
        }
        throw new UncheckedIOException(new IOException(name + " not found as a root-owned program writable by root only in "
                + DIRECTORIES + " (install util-linux / coreutils)"));
    }

    /** {@code real} (no link in it) and every directory above it: owned by root, not writable by group or others. */
    static boolean trusted(Path real) throws IOException {
        if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        for (Path p = real; p != null; p = p.getParent()) {
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            Set<PosixFilePermission> perms = a.permissions();
            int owner = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (a.isSymbolicLink() || owner != 0 || perms.contains(PosixFilePermission.GROUP_WRITE)
                    || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                return false;
            }
        }
        return true;
    }

    /** {@link #DIRECTORIES} as a PATH value. */
    public static String trustedPath() {
        return String.join(":", DIRECTORIES.stream().map(Path::toString).toList());
    }
}
