package org.shmconform.backends.mmapfile;

import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.DirectoryStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.shmconform.spi.TemporaryFiles;
import org.shmconform.backends.linux.Errno;
import org.shmconform.spi.AccessMode;
import org.shmconform.spi.SegmentError;
import org.shmconform.backends.DescriptorSegment;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.linux.OfdLock;

/**
 * One QSharedMemory-like object on a tmpfs file.
 *
 * <p><b>Lock.</b> Qt's documentation suggests an atomic at a fixed offset in the segment. This
 * backend uses an OFD write lock on a byte past EOF instead ({@link DescriptorSegment}), because a
 * spin-lock in the segment would (a) take bytes out of the user's segment, (b) stay held forever
 * when its holder is SIGKILLed, since nothing releases memory words for the dead, and (c) spin on
 * a 2-core machine while the holder is descheduled. The kernel releases an OFD lock of a dead
 * holder, as SysV's SEM_UNDO does for Qt's semaphore.
 *
 * <p><b>Last detach destroys.</b> Every attached object holds an OFD read lock on the byte after
 * the lock byte. detach() unmaps, then tries to convert its read lock into a write lock: that
 * succeeds only when no other open file description holds a read lock, i.e. nobody else is
 * attached, and then it unlinks the file. A killed holder's read lock dies with it, so after a
 * crash the file survives (create gives AlreadyExists, attach sees the old bytes) and the next
 * attach+detach removes it, as with Qt's SysV backend (P14).
 *
 * <p><b>Races.</b> create, attach and detach run under the segment lock, like Qt's
 * QSharedMemoryLocker. create builds the file unnamed (O_TMPFILE), sized, allocated, locked and
 * mapped, and only then names it with linkat, which fails with EEXIST if the name is taken: an
 * attacher never sees a half-made (size 0) file, and a creator that dies midway leaves nothing.
 * An attacher may open the file just before the last detacher unlinks it; after taking its locks
 * it checks that its descriptor still is the file at the path and otherwise tries again, ending
 * in NotFound once the path is gone.
 *
 * <p><b>Differences from Qt.</b> The descriptor is O_RDWR even for ReadOnly (the OFD write lock
 * needs it; PROT_READ enforces ReadOnly). lock() needs an attached object (LockError otherwise),
 * whereas Qt's semaphore stays usable after detach. A file name over NAME_MAX (a very long key)
 * gives KeyError, which is what Qt users see for such keys (P5: the semaphore fails first).
 */
final class MmapFileSegment extends KeyFileSegment implements TemporaryFiles {
    private static final int NAME_MAX = 255;

    /** Attempts at a fresh random name for a temporary file before giving up (each O_EXCL). */
    private static final int TEMP_ATTEMPTS = 100;
    /**
     * The random part of a temporary file's name, made at the first one rather than with the class: a JVM's first
     * SecureRandom starts the JCA's providers, some 10 ms of CPU that every mmapfile worker paid at its first create
     * (docs/fuzz-notes.md, "Worker starts: no JCA").
     */
    private static final class Names {
        static final SecureRandom RANDOM = new SecureRandom();
    }

    private final Path dir;
    /** The key's file: {@code <dir>/qipc_sharedmemory_<letters><sha1>.mmap}. */
    private final Path keyFile;
    /** The file this object is on: the key's, or while attached through createTemporary its temporary file. */
    private Path file;
    /** Whether {@link #file} is a temporary file this object made (its detach removes it, as QTemporaryFile's destructor). */
    private boolean temporary;

    MmapFileSegment(String key, Path dir) {
        super(key);
        this.dir = dir;
        this.keyFile = MmapFileBackend.fileFor(dir, key);
        this.file = keyFile;
    }

    @Override
    public String nativeKey() {
        return file == null ? "" : file.toString();
    }

    @Override
    public boolean create(long size, AccessMode mode) {
        if (!readyToCreate(size)) {
            return false;
        }
        if (isAttached() || Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return fail(SegmentError.AlreadyExists, "create: " + file + " already exists");
        }
        int fd = LibC.INSTANCE.open(dir.toString(), LibC.O_TMPFILE | LibC.O_RDWR | LibC.O_CLOEXEC, 0600);
        if (fd < 0) {
            return failErrno("create (open O_TMPFILE in " + dir + ")", LibC.errno());
        }
        // Nobody can reach the unnamed file yet, so these locks are granted at once; they are in
        // place when linkat makes the file visible, so attachers wait until it is complete.
        OfdLock.exclusive(fd, LOCK_START, 1);
        OfdLock.shared(fd, ATTACHED_START, 1);
        if (LibC.INSTANCE.ftruncate(fd, size) != 0) {
            return closeAndFail(fd, "create (ftruncate)", LibC.errno());
        }
        int rc = LibC.INSTANCE.posix_fallocate(fd, 0, size); // a full tmpfs fails here, not with SIGBUS later
        if (rc != 0) {
            return closeAndFail(fd, "create (posix_fallocate)", rc);
        }
        Pointer address = mapShared(fd, size, mode);
        if (address == null) {
            return closeAndFail(fd, "create (mmap)", LibC.errno());
        }
        if (LibC.INSTANCE.linkat(LibC.AT_FDCWD, fdPath(fd).toString(), LibC.AT_FDCWD, file.toString(),
                LibC.AT_SYMLINK_FOLLOW) != 0) {
            return closeAndFail(fd, address, size, "create (linkat " + file + ")", LibC.errno());
        }
        attached(fd, address, size, mode);
        unlockStep(fd, true);
        return true;
    }

    @Override
    Path file() {
        return file;
    }

    @Override
    boolean mapAttached(int fd, boolean stepLocked, AccessMode mode) {
        return mapAndAttach(fd, stepLocked, mode, "attach (stat " + file + ")");
    }

    @Override
    public boolean detach() {
        if (!isAttached()) {
            return false; // Qt: false, error untouched (P11)
        }
        int fd = fd();
        lockStep(fd, lockedByMe()); // released with the descriptor below, as Qt's detach releases its locker
        LibC.INSTANCE.munmap(mapping(), size());
        unmapped();
        boolean last = OfdLock.tryExclusive(fd, ATTACHED_START, 1) == 0;
        // A temporary file goes with its creator's object whoever else maps it (QTemporaryFile's autoRemove).
        if ((last || temporary) && isFileAtPath(fd)) {
            LibC.INSTANCE.unlink(file.toString());
        }
        unmapAndClose();
        file = keyFile;
        temporary = false;
        return true;
    }

    /**
     * Seed M3: {@code <key's file>.tmp-<6 random letters>}, made O_CREAT|O_EXCL 0600 (another name on EEXIST, as
     * QTemporaryFile does; O_EXCL also refuses a planted link, dangling or not), sized, allocated and mapped like
     * {@link #create}'s file, with the attach count's read lock.
     */
    @Override
    public boolean createTemporary(long size, AccessMode mode) {
        if (!readyToCreate(size)) {
            return false;
        }
        if (isAttached()) {
            return fail(SegmentError.AlreadyExists, "createTemp: already attached");
        }
        for (int attempt = 0; attempt < TEMP_ATTEMPTS; attempt++) {
            Path candidate = keyFile.resolveSibling(keyFile.getFileName() + RunFiles.TEMP_MARK + randomLetters(6));
            int fd = LibC.INSTANCE.open(candidate.toString(),
                    LibC.O_CREAT | LibC.O_EXCL | LibC.O_RDWR | LibC.O_CLOEXEC, 0600);
            if (fd < 0 && LibC.errno() == Errno.EEXIST) {
                continue;
            }
            if (fd < 0) {
                return failErrno("createTemp (open " + candidate + ")", LibC.errno());
            }
            OfdLock.shared(fd, ATTACHED_START, 1);
            if (LibC.INSTANCE.ftruncate(fd, size) != 0 || LibC.INSTANCE.posix_fallocate(fd, 0, size) != 0) {
                int errno = LibC.errno();
                LibC.INSTANCE.unlink(candidate.toString());
                return closeAndFail(fd, "createTemp (size " + candidate + ")", errno);
            }
            Pointer address = mapShared(fd, size, mode);
            if (address == null) {
                int errno = LibC.errno();
                LibC.INSTANCE.unlink(candidate.toString());
                return closeAndFail(fd, "createTemp (mmap)", errno);
            }
            file = candidate;
            temporary = true;
            attached(fd, address, size, mode);
            return true;
        }
        return fail(SegmentError.UnknownError, "createTemp: " + TEMP_ATTEMPTS + " random names were all taken");
    }

    @Override
    public String temporaryName() {
        return temporary ? file.getFileName().toString() : null;
    }

    /** Regular files named {@code <key's file>.tmp-<6 letters>} in the directory, never following a link. */
    @Override
    public List<String> temporaryFiles() {
        List<String> names = new ArrayList<>();
        if (keyFile == null) {
            return names;
        }
        String start = keyFile.getFileName().toString();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.startsWith(start) && RunFiles.isTempOf(name, MmapFileBackend.SUFFIX)
                        && name.length() == start.length() + RunFiles.TEMP_MARK.length() + 6
                        && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            fail(SegmentError.UnknownError, "tempFiles: " + e.getMessage());
        }
        names.sort(null);
        return names;
    }

    private static String randomLetters(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int c = Names.RANDOM.nextInt(52);
            b.append((char) (c < 26 ? 'a' + c : 'A' + c - 26));
        }
        return b.toString();
    }

    @Override
    protected boolean checkKey(String function) {
        if (file == null) {
            return fail(SegmentError.KeyError, function + ": key is empty");
        }
        int length = file.getFileName().toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > NAME_MAX) {
            return fail(SegmentError.KeyError, function + ": file name of " + length
                    + " bytes is longer than NAME_MAX " + NAME_MAX + " (ENAMETOOLONG)");
        }
        return true;
    }
}
