package org.shmconform.backends.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.shmconform.backends.host.HostIds;
import org.shmconform.backends.host.OfdLockFile;

/**
 * Holds, for each test of a class, the turn every shmconform run of this user takes before it makes System V objects
 * keyed by {@code ftok} of key files (the engine's {@code KeyFileTurns}: an open-file-description lock on
 * {@value #FILE} in the user's default state directory), from before the test's first key file until its
 * {@code @AfterEach} has removed its objects. An ftok key is the low 16 bits of the file's inode and the low byte of its
 * device, and Qt unlinks key files while their sets live on; on a file system that gives a freed inode to the next file
 * made (ext4: here /tmp, where these tests' {@code @TempDir} lies, and /run/shmconform are one) a key file of this test
 * could reach a set of a run beside it, which the test would then lock or remove, or a run's key file this test's set.
 * The engine's ReaperTest saw it happen the other way round before it took the turn. The file's path is the engine's
 * ({@code KeyFileTurnsTest} compares them); a user who has no default state directory (not root, no
 * {@code $XDG_RUNTIME_DIR}) has no run that takes turns there either, and the test holds nothing.
 */
public final class SystemVKeyFileTurn implements BeforeEachCallback, AfterEachCallback {
    public static final String FILE = "system-v-key-files.turn";
    private static final long POLL_MILLIS = 5;
    private static final ExtensionContext.Namespace HERE = ExtensionContext.Namespace.create(SystemVKeyFileTurn.class);

    /** The turn's file, or empty when this user has no default state directory. */
    public static Optional<Path> file() {
        if (HostIds.uid() == 0) {
            return Optional.of(Path.of("/run/shmconform", FILE));
        }
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        return xdg == null || xdg.isBlank() ? Optional.empty() : Optional.of(Path.of(xdg, "shmconform", FILE));
    }

    @Override
    public void beforeEach(ExtensionContext context) throws InterruptedException {
        Optional<Path> file = file();
        if (file.isPresent()) {
            privateDirectory(file.get().getParent());
            context.getStore(HERE).put(OfdLockFile.class, OfdLockFile.await(file.get(), POLL_MILLIS));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        OfdLockFile held = context.getStore(HERE).remove(OfdLockFile.class, OfdLockFile.class);
        if (held != null) {
            held.close();
        }
    }

    /** Made 0700 if missing (as the engine makes it); a directory that is not this user's own 0700 one is refused. */
    private static void privateDirectory(Path dir) {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            // checked below like one we made
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make " + dir, e);
        }
        try {
            boolean real = Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS);
            int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS));
            if (!real || owner != HostIds.uid() || !mode.equals("rwx------")) {
                throw new IllegalStateException("refusing the turn's directory " + dir + ": a directory of uid " + HostIds.uid()
                        + " with mode rwx------ expected, found " + (real ? "uid " + owner + " mode " + mode : "no directory"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lstat " + dir, e);
        }
    }
}
