package org.shmconform.spi.files;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writing report files as root without following another user's links. A report root (the folder {@code -o} names)
 * must be a real directory owned by the caller that no one else can write ({@link #checkRoot}); below it, directories
 * are made one by one with mkdir and an existing one is lstat-checked ({@link #makeDirectories}); every file is written
 * as a new temporary file beside it (O_CREAT|O_EXCL, no link followed) renamed over its name ({@link #write}), and
 * rename(2) replaces a link at the target rather than following it. Only the JDK: every module that writes a report
 * file (schedule, model, reports, conformance) sees this one.
 */
public final class SafeFiles {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final FileAttribute<Set<PosixFilePermission>> RWXR_XR_X =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x"));

    private SafeFiles() {
    }

    /** A path the harness will not write through or into, with the reason and the fix: one line. */
    public static final class UnsafePathException extends IOException {
        public UnsafePathException(Path path, String why) {
            super("refusing " + path + ": " + why);
        }
    }

    /** What writes a file's content (into a temporary file that is then renamed). */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Makes the report root {@code root} if it is missing (0755, its missing parents too) and checks it with lstat: a
     * real directory (not a symbolic link), owned by {@code uid}, not writable by group or others, below folders another
     * user can neither write nor own ({@link Ancestors}). Anything else is refused with one line saying how to fix it,
     * before anything is written.
     */
    public static Path checkRoot(Path root, int uid) throws UnsafePathException {
        String fix = "give a new path or a real directory of uid " + uid + " that group and others cannot write";
        refuseUnsafeAbove(root, uid, "another user could put a folder of theirs in its place");
        if (!Files.exists(root, NOFOLLOW)) {
            try {
                Path parent = root.toAbsolutePath().getParent();
                if (parent != null) {
                    makeParents(parent, uid);
                }
                Files.createDirectory(root, RWXR_XR_X);
            } catch (FileAlreadyExistsException e) {
                // made by someone else meanwhile: checked below like any existing one
            } catch (UnsafePathException e) {
                throw e; // a folder above, made by another user meanwhile: said as the first look says it
            } catch (IOException e) {
                throw new UnsafePathException(root, "cannot make the report folder (" + reason(e) + "); " + fix);
            }
        }
        PosixFileAttributes a = lstat(root);
        if (a.isSymbolicLink()) {
            throw new UnsafePathException(root, "the report folder is a symbolic link; " + fix);
        }
        if (!a.isDirectory()) {
            throw new UnsafePathException(root, "the report folder is not a directory; " + fix);
        }
        int owner = uidOf(root);
        if (owner != uid) {
            throw new UnsafePathException(root, "the report folder is owned by uid " + owner + ", not by this user; " + fix);
        }
        Set<PosixFilePermission> perms = a.permissions();
        if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new UnsafePathException(root, "the report folder is writable by group or others ("
                    + PosixFilePermissions.toString(perms) + "); chmod go-w it, or " + fix);
        }
        // Again now that every folder above exists: one that was missing at the first look may have been made meanwhile by
        // another user (in a sticky /tmp, anyone can), who could then move the report folder away and put a link there.
        refuseUnsafeAbove(root, uid, "made by another user while this one made the folders below it");
        return root;
    }

    /**
     * mkdir of each missing folder of {@code parent}, from the top, each once every folder above it passed {@link
     * Ancestors}: mkdir follows a link in any component but the last, and with Files.createDirectories a folder another
     * user made meanwhile (in a sticky /tmp anyone can) with a link in it sent root's mkdirs where the link led, before the
     * second look refused the report folder (found by a read of the code; SafeFilesTest).
     */
    private static void makeParents(Path parent, int uid) throws IOException {
        java.util.List<Path> missing = new java.util.ArrayList<>();
        for (Path p = parent.toAbsolutePath().normalize(); p != null && !Files.exists(p, NOFOLLOW); p = p.getParent()) {
            missing.add(0, p);
        }
        for (Path p : missing) {
            refuseUnsafeAbove(p, uid, "made by another user while this one made the folders below it");
            beforeEachParentIsMade.accept(p);
            try {
                Files.createDirectory(p, RWXR_XR_X);
            } catch (FileAlreadyExistsException madeMeanwhile) {
                // judged by the next look, at the folder below it or at the report folder
            }
        }
    }

    /** Does nothing; a test plants another user's folder here, between a look and the mkdir it allows. */
    static java.util.function.Consumer<Path> beforeEachParentIsMade = p -> {
    };

    /** Refuses {@code root} if a folder above it fails {@link Ancestors#firstUnsafe}, saying {@code how} with the fix. */
    private static void refuseUnsafeAbove(Path root, int uid, String how) throws UnsafePathException {
        Optional<Ancestors.Unsafe> above = Ancestors.firstUnsafe(root.toAbsolutePath().getParent(), trustedAbove(uid));
        if (above.isPresent()) {
            throw new UnsafePathException(root, above.get().where() + " above the report folder: " + above.get().why()
                    + " (" + how + "); give -o a folder whose every parent is root's or yours and writable by no one else");
        }
    }

    /**
     * Who may own the folders above a report root besides root: the caller, and under sudo the user who ran sudo (who
     * could run anything as root already, so gains nothing by moving folders of theirs; a checkout in their home is theirs).
     */
    private static Set<Integer> trustedAbove(int uid) {
        String sudoUid = System.getenv("SUDO_UID");
        if (sudoUid != null && sudoUid.matches("[0-9]{1,9}") && Integer.parseInt(sudoUid) != uid) {
            return Set.of(uid, Integer.parseInt(sudoUid));
        }
        return Set.of(uid);
    }

    /** Makes a directory that must not exist yet (mkdir: fails on anything there, a link included). */
    public static Path createFresh(Path dir) throws IOException {
        try {
            return Files.createDirectory(dir, RWXR_XR_X);
        } catch (FileAlreadyExistsException e) {
            throw new UnsafePathException(dir, "it exists already (a fresh folder was to be made there)");
        }
    }

    /**
     * Makes {@code dir} and its missing parents one by one with mkdir (which never follows a link), after checking the
     * nearest one that exists with lstat: a real directory, not a link. An existing {@code dir} is checked the same way.
     */
    public static Path makeDirectories(Path dir) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        Path p = dir.toAbsolutePath();
        while (p != null && !Files.exists(p, NOFOLLOW)) {
            missing.push(p);
            p = p.getParent();
        }
        if (p != null) {
            checkDirectory(p);
        }
        while (!missing.isEmpty()) {
            Path d = missing.pop();
            try {
                Files.createDirectory(d, RWXR_XR_X);
            } catch (FileAlreadyExistsException e) {
                checkDirectory(d); // made meanwhile: it must be a real directory too
            }
        }
        return dir;
    }

    private static void checkDirectory(Path p) throws IOException {
        PosixFileAttributes a = lstat(p);
        if (a.isSymbolicLink()) {
            throw new UnsafePathException(p, "it is a symbolic link where a directory of the report was expected");
        }
        if (!a.isDirectory()) {
            throw new UnsafePathException(p, "it is not a directory");
        }
    }

    /** {@link #write(Path, Content)} of a string as UTF-8. */
    public static void writeString(Path file, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(file, out -> out.write(bytes));
    }

    /** {@link #write(Path, Content)} of a copy of the file {@code from}. */
    public static void copy(Path from, Path file) throws IOException {
        write(file, out -> Files.copy(from, out));
    }

    /**
     * Writes {@code file}: its parents made by {@link #makeDirectories}, the content into a new temporary file beside it
     * (CREATE_NEW, NOFOLLOW_LINKS), renamed over {@code file} (a link there is replaced, never followed).
     */
    public static void write(Path file, Content content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        makeDirectories(dir);
        Path tmp = dir.resolve("." + file.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, NOFOLLOW)) {
                content.writeTo(out);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /**
     * Points the link {@code link} at {@code target}: a new link under a temporary name renamed over it, so the link is
     * replaced at once and nothing it pointed at is touched. A real directory at {@code link} is refused.
     */
    public static void replaceLink(Path link, Path target) throws IOException {
        checkLinkPlace(link);
        Path tmp = link.resolveSibling("." + link.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        Files.createSymbolicLink(tmp, target);
        try {
            Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            checkLinkPlace(link); // a directory made there meanwhile is said as such
            throw e;
        }
    }

    /** Refuses a real directory where {@link #replaceLink} is to put a link (rename cannot replace it, and it is not ours to remove). */
    public static void checkLinkPlace(Path link) throws UnsafePathException {
        if (Files.isDirectory(link, NOFOLLOW)) {
            throw new UnsafePathException(link, "it is a directory, not the link shmconform keeps there; move it away");
        }
    }

    private static PosixFileAttributes lstat(Path p) throws UnsafePathException {
        try {
            return Files.readAttributes(p, PosixFileAttributes.class, NOFOLLOW);
        } catch (IOException e) {
            throw new UnsafePathException(p, "cannot lstat it (" + reason(e) + ")");
        }
    }

    private static int uidOf(Path p) throws UnsafePathException {
        try {
            return (Integer) Files.getAttribute(p, "unix:uid", NOFOLLOW);
        } catch (IOException e) {
            throw new UnsafePathException(p, "cannot lstat it (" + reason(e) + ")");
        }
    }

    /** An I/O error's cause in words, without its class name (the path is said by the caller). */
    private static String reason(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getClass().getSimpleName().replaceAll("Exception$", "").replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase();
    }
}
