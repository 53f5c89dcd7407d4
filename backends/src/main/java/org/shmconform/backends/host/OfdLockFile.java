package org.shmconform.backends.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.linux.OfdLock;

/**
 * A file whose first byte this process holds with an open-file-description lock, exclusive unless made by
 * {@link #awaitShared}: the
 * lock belongs to the open file description, so it excludes every other opener (in any process or
 * pid namespace, and another descriptor of this very process), and the kernel drops it when the
 * holder closes it or dies. The file is never reached through a symbolic link (O_NOFOLLOW) and the
 * descriptor is not inherited by children (O_CLOEXEC).
 */
public final class OfdLockFile implements AutoCloseable {
    /** Linux x86_64 {@code O_NOFOLLOW}: fail with ELOOP when the last component is a symbolic link. */
    static final int O_NOFOLLOW = 0400000;

    private final Path file;
    private int fd;

    private OfdLockFile(Path file, int fd) {
        this.file = file;
        this.fd = fd;
    }

    /** What {@link #tryTake} found. */
    public enum Outcome {
        /** The lock was free and is now ours: {@link Attempt#lock()} holds it. */
        TAKEN,
        /** Somebody (maybe this process, through another open) holds it. */
        HELD,
        /** No such file, a symbolic link, or not openable: nothing to decide from. */
        NOT_OPENABLE
    }

    /** The outcome, and the held lock when it is {@link Outcome#TAKEN} (null otherwise). */
    public record Attempt(Outcome outcome, OfdLockFile lock) {
    }

    /**
     * Creates {@code file}, which must not exist (O_CREAT|O_EXCL: nothing planted there is opened,
     * and a symbolic link there fails), mode 0600, and takes its lock. The file is made and locked under a
     * temporary name beside it and only then renamed to {@code file} (renameat2 with RENAME_NOREPLACE fails if
     * anything is there; a rename, unlike a link and an unlink, leaves the descriptor showing the file's own name in
     * /proc), so nobody who opens {@code file} finds it unlocked: a reaper's {@link #tryTake} in the moment between a
     * plain open(2) and its fcntl(2) took a run being made for a dead one and removed it (RunsMadeAtOnceTest).
     *
     * @throws IllegalStateException naming the file and the errno when a step fails
     */
    public static OfdLockFile createHeld(Path file) {
        Path making = file.resolveSibling("." + file.getFileName() + ".making");
        int fd = LibC.INSTANCE.open(making.toString(), LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL | O_NOFOLLOW | LibC.O_CLOEXEC, 0600);
        if (fd < 0) {
            throw new IllegalStateException("cannot lock " + file + ": errno " + LibC.errno() + " making " + making);
        }
        try {
            int rc = OfdLock.tryExclusive(fd, 0, 1);
            if (rc != 0) {
                throw new IllegalStateException("cannot lock " + file + ": errno " + rc);
            }
            // Fails with EEXIST on anything there, a symbolic link included (which it does not follow).
            if (LibC.INSTANCE.renameat2(LibC.AT_FDCWD, making.toString(), LibC.AT_FDCWD, file.toString(), LibC.RENAME_NOREPLACE) != 0) {
                throw new IllegalStateException("cannot lock " + file + ": errno " + LibC.errno());
            }
        } catch (RuntimeException e) {
            LibC.INSTANCE.close(fd);
            unlink(making);
            throw e;
        }
        return new OfdLockFile(file, fd);
    }

    private static void unlink(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + p, e);
        }
    }

    /** Opens an existing {@code file} (never through a link) and takes its lock if nobody holds it. */
    public static Attempt tryTake(Path file) {
        int fd = LibC.INSTANCE.open(file.toString(), LibC.O_RDWR | O_NOFOLLOW | LibC.O_CLOEXEC);
        if (fd < 0) {
            return new Attempt(Outcome.NOT_OPENABLE, null);
        }
        if (OfdLock.tryExclusive(fd, 0, 1) != 0) {
            LibC.INSTANCE.close(fd);
            return new Attempt(Outcome.HELD, null);
        }
        return new Attempt(Outcome.TAKEN, new OfdLockFile(file, fd));
    }

    /**
     * Opens {@code file}, making it (mode 0600) if missing, never through a link, and waits until this open holds its
     * lock: for a file that lives on in a private directory and takes turns among processes (and threads: each call
     * is an open of its own). The wait polls, so an interrupt ends it.
     */
    public static OfdLockFile await(Path file, long pollMillis) throws InterruptedException {
        return await(file, pollMillis, waitedMillis -> { });
    }

    /** Told, at each poll of {@link #await}, how long the wait has lasted so far. */
    public interface Waiting {
        void waited(long millis);
    }

    /** As {@link #await(Path, long)}, telling {@code waiting} at each poll how long it has waited: for a line that says why. */
    public static OfdLockFile await(Path file, long pollMillis, Waiting waiting) throws InterruptedException {
        int fd = openOrMake(file);
        long start = System.nanoTime();
        try {
            while (OfdLock.tryExclusive(fd, 0, 1) != 0) {
                waiting.waited((System.nanoTime() - start) / 1_000_000);
                Thread.sleep(pollMillis);
            }
        } catch (InterruptedException | RuntimeException e) {
            LibC.INSTANCE.close(fd);
            throw e;
        }
        return new OfdLockFile(file, fd);
    }

    /**
     * Opens {@code file}, making it (mode 0600) if missing, never through a link, and waits until this open holds a shared
     * lock on it: many holders at once, none while someone holds it through {@link #tryTakeOrMake}.
     */
    public static OfdLockFile awaitShared(Path file) {
        int fd = openOrMake(file);
        int rc = OfdLock.shared(fd, 0, 1);
        if (rc != 0) {
            LibC.INSTANCE.close(fd);
            throw new IllegalStateException("cannot lock " + file + ": errno " + rc);
        }
        return new OfdLockFile(file, fd);
    }

    /** Opens {@code file}, making it (mode 0600) if missing, never through a link, and takes its lock if nobody holds it. */
    public static Attempt tryTakeOrMake(Path file) {
        int fd = openOrMake(file);
        if (OfdLock.tryExclusive(fd, 0, 1) != 0) {
            LibC.INSTANCE.close(fd);
            return new Attempt(Outcome.HELD, null);
        }
        return new Attempt(Outcome.TAKEN, new OfdLockFile(file, fd));
    }

    private static int openOrMake(Path file) {
        int fd = LibC.INSTANCE.open(file.toString(), LibC.O_RDWR | LibC.O_CREAT | O_NOFOLLOW | LibC.O_CLOEXEC, 0600);
        if (fd < 0) {
            throw new IllegalStateException("cannot lock " + file + ": errno " + LibC.errno());
        }
        return fd;
    }

    public Path file() {
        return file;
    }

    /** Releases the lock (closes the descriptor); a second call does nothing. */
    @Override
    public synchronized void close() {
        if (fd >= 0) {
            LibC.INSTANCE.close(fd);
            fd = -1;
        }
    }
}
