package org.shmconform.backends.memfd;

import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.shmconform.spi.AccessMode;
import org.shmconform.backends.linux.Errno;
import org.shmconform.backends.QtKeys;
import org.shmconform.spi.SegmentError;
import org.shmconform.backends.DescriptorSegment;
import org.shmconform.backends.linux.LibC;

/**
 * One QSharedMemory-like object on a memfd.
 *
 * <p><b>Mechanism.</b> create() makes {@code memfd_create("qipc_memfd_<letters><sha1>")}, sizes
 * and allocates it (posix_fallocate: a full tmpfs fails now instead of a later SIGBUS), then seals
 * it with F_SEAL_SHRINK|F_SEAL_GROW|F_SEAL_SEAL so no peer can ever change its size. A memfd has
 * no name in any filesystem: attach() finds a process holding it by its /proc link
 * {@code /memfd:<name> (deleted)} ({@link ProcFdScan}) and opens {@code /proc/<pid>/fd/<n>},
 * which reopens the same inode. A short {@link AbstractSocketClaim} on the name around the scan
 * makes "scan, then create" atomic across processes (AlreadyExists) and keeps attachers from
 * seeing a memfd that is not yet sized and sealed.
 *
 * <p><b>Lock.</b> An OFD write lock on the memfd ({@link DescriptorSegment}): every opener
 * has its own open file description of the one inode, so it excludes across processes, and the
 * kernel releases it when the holder dies. attach and detach take it like Qt's locker.
 *
 * <p><b>Documented differences from Qt's SysV semantics</b> (reported by the harness):
 * <ul>
 * <li>The segment lives exactly as long as some process holds it: the last detach destroys it
 * (no unlink needed), and when its last holder crashes it does <em>not</em> survive; there is
 * nothing left to reattach, so attach gives NotFound and nothing ever leaks.</li>
 * <li>Visibility: only processes that see the holder in /proc (same pid namespace and /proc
 * mount) and pass the ptrace-read check (same uid, or root) find it. Another user's holder is
 * unreadable in /proc and therefore simply not found (NotFound); EACCES on the reopen itself
 * gives PermissionDenied.</li>
 * <li>truncateBacking fails with EPERM (F_SEAL_SHRINK), which Qt maps to UnknownError.</li>
 * <li>The name is limited to 249 bytes (memfd_create's limit): longer keys give KeyError.</li>
 * <li>The descriptor is O_RDWR even for ReadOnly (for the OFD write lock); PROT_READ enforces
 * ReadOnly. lock() needs an attached object (LockError otherwise).</li>
 * </ul>
 */
class MemfdSegment extends DescriptorSegment {
    static final String PREFIX = "qipc_memfd_";
    /** memfd_create: "memfd:" + name must fit NAME_MAX (255), so 249 bytes; longer is EINVAL. */
    static final int NAME_MAX = 249;
    static final int SEALS = LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW | LibC.F_SEAL_SEAL;
    private static final Duration CLAIM_PATIENCE = Duration.ofSeconds(2);
    private static final System.Logger LOG = System.getLogger(MemfdSegment.class.getName());

    private final String name;

    MemfdSegment(String key) {
        super(key);
        this.name = QtKeys.platformSafeName(key, PREFIX);
    }

    @Override
    public String nativeKey() {
        return name.isEmpty() ? "" : "memfd:" + name;
    }

    @Override
    public boolean create(long size, AccessMode mode) {
        if (!readyToCreate(size)) {
            return false;
        }
        if (isAttached()) {
            return fail(SegmentError.AlreadyExists, "create: " + nativeKey() + " already exists (attached)");
        }
        try (AbstractSocketClaim claim = AbstractSocketClaim.acquire(name, CLAIM_PATIENCE)) {
            List<ProcFdScan.Holder> holders = ProcFdScan.holders(name);
            if (!holders.isEmpty()) {
                return fail(SegmentError.AlreadyExists, "create: " + nativeKey() + " already exists (held by pid "
                        + holders.get(0).pid() + ")");
            }
            return createClaimed(size, mode);
        } catch (IOException e) {
            return fail(SegmentError.LockError, "create: " + e.getMessage());
        }
    }

    private boolean createClaimed(long size, AccessMode mode) {
        int fd = LibC.INSTANCE.memfd_create(name, LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        if (fd < 0) {
            return failErrno("create (memfd_create)", LibC.errno());
        }
        if (LibC.INSTANCE.ftruncate(fd, size) != 0) {
            return closeAndFail(fd, "create (ftruncate)", LibC.errno());
        }
        int rc = LibC.INSTANCE.posix_fallocate(fd, 0, size);
        if (rc != 0) {
            return closeAndFail(fd, "create (posix_fallocate)", rc);
        }
        if (LibC.INSTANCE.fcntl(fd, LibC.F_ADD_SEALS, SEALS) != 0) {
            return closeAndFail(fd, "create (fcntl F_ADD_SEALS)", LibC.errno());
        }
        Pointer address = mapShared(fd, size, mode);
        if (address == null) {
            return closeAndFail(fd, "create (mmap)", LibC.errno());
        }
        attached(fd, address, size, mode);
        return true;
    }

    @Override
    public boolean attach(AccessMode mode) {
        if (!readyToAttach()) {
            return false;
        }
        if (ProcFdScan.holders(name).isEmpty()) {
            // Without the claim: attachers that retry until the segment exists never hold up its creator.
            return fail(SegmentError.NotFound, "attach: no process holds " + nativeKey());
        }
        int fd;
        try (AbstractSocketClaim claim = AbstractSocketClaim.acquire(name, CLAIM_PATIENCE)) {
            fd = openHolder(); // scans again: under the claim a creator has finished sizing and sealing
        } catch (IOException e) {
            return fail(SegmentError.LockError, "attach: " + e.getMessage());
        }
        if (fd < 0) {
            return false;
        }
        boolean stepLocked = lockStep(fd, false);
        return mapAndAttach(fd, stepLocked, mode, "attach (stat)");
    }

    /** Reopens the memfd through the first holder that lets us; -1 with the error set if none. */
    private int openHolder() {
        List<ProcFdScan.Holder> holders = ProcFdScan.holders(name);
        if (holders.isEmpty()) {
            fail(SegmentError.NotFound, "attach: no process holds " + nativeKey());
            return -1;
        }
        warnIfSeveralInodes(holders);
        int deniedErrno = 0;
        for (ProcFdScan.Holder holder : holders) {
            int fd = LibC.INSTANCE.open(holder.path().toString(), LibC.O_RDWR | LibC.O_CLOEXEC);
            if (fd < 0) {
                int errno = LibC.errno();
                if (errno == Errno.EACCES || errno == Errno.EPERM) {
                    deniedErrno = errno;
                }
                continue; // closed since the scan (ENOENT), or not ours to open: try the next holder
            }
            if (isOurSealedMemfd(fd)) {
                return fd;
            }
            LibC.INSTANCE.close(fd); // the descriptor number was reused for something else meanwhile
        }
        if (deniedErrno != 0) {
            failErrno("attach (open /proc/<pid>/fd of a holder)", deniedErrno);
        } else {
            fail(SegmentError.NotFound, "attach: every holder of " + nativeKey() + " closed it while attaching");
        }
        return -1;
    }

    private boolean isOurSealedMemfd(int fd) {
        try {
            return Files.readSymbolicLink(fdPath(fd)).toString().equals(ProcFdScan.linkTarget(name))
                    && LibC.INSTANCE.fcntl(fd, LibC.F_GET_SEALS) == SEALS;
        } catch (IOException e) {
            return false;
        }
    }

    /** One name should mean one inode; two means two creators raced past the claim: a bug to report. */
    private void warnIfSeveralInodes(List<ProcFdScan.Holder> holders) {
        ProcFdScan.Holder first = holders.get(0);
        for (ProcFdScan.Holder other : holders) {
            if (!other.sameInodeAs(first)) {
                LOG.log(System.Logger.Level.WARNING, "memfd " + name + " exists as two inodes (pid " + first.pid()
                        + " fd " + first.fd() + " vs pid " + other.pid() + " fd " + other.fd()
                        + "); attaching to the first, pid " + first.pid() + " fd " + first.fd());
                return;
            }
        }
    }

    @Override
    public boolean detach() {
        if (!isAttached()) {
            return false; // Qt: false, error untouched (P11)
        }
        lockStep(fd(), lockedByMe()); // released by the close below, as Qt's detach releases its locker
        unmapAndClose(); // the kernel frees the memfd when its last descriptor and mapping go
        return true;
    }

    @Override
    protected boolean checkKey(String function) {
        if (name.isEmpty()) {
            return fail(SegmentError.KeyError, function + ": key is empty");
        }
        int length = name.getBytes(StandardCharsets.UTF_8).length;
        if (length > NAME_MAX) {
            return fail(SegmentError.KeyError, function + ": memfd name of " + length
                    + " bytes is longer than memfd_create's limit of " + NAME_MAX + " (EINVAL)");
        }
        return true;
    }
}
