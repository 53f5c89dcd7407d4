package org.shmconform.backends.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The glibc calls the backends make, mapped once through JNA. glibc 2.34+ carries shm_open and
 * sem_open itself, so "c" is the only library. Read {@code errno} with {@link Native#getLastError()}
 * right after a call that failed.
 *
 * <p>Variadic C functions (fcntl, semctl, sem_open, open) are declared with {@code Object...}
 * so JNA passes their trailing arguments the C way.
 *
 * <p>Loaded by its file name ({@code libc.so.6}), here and in every other binding of libc: given {@code "c"}, JNA
 * tries {@code libc.so} (absent, or a linker script dlopen refuses) and then searches the library directories that
 * {@code /sbin/ldconfig -p} lists; by its file name the dynamic loader finds it, so a worker, started with an empty
 * {@code jna.platform.library.path} (engine's WorkerCommands), runs no ldconfig while it starts.
 */
public interface LibC extends Library {
    /** Through JNA's {@code Function}s rather than {@code Native.load}'s proxy: {@link LibCFunctions} says why. */
    LibC INSTANCE = new LibCFunctions();

    int O_RDONLY = 0;
    int O_WRONLY = 1;
    int O_RDWR = 2;
    /** open(2) of a FIFO for writing: fail with ENXIO at once when no process has it open for reading. */
    int O_NONBLOCK = 04000;
    int ENXIO = 6;
    /** Fail with ELOOP when the last component is a symbolic link. */
    int O_NOFOLLOW = 0400000;
    int O_CREAT = 0100;
    int O_EXCL = 0200;
    int O_TRUNC = 01000;
    int O_CLOEXEC = 02000000;
    /** setns: the namespace is an IPC namespace. */
    int CLONE_NEWIPC = 0x08000000;

    int PROT_READ = 1;
    int PROT_WRITE = 2;
    int MAP_SHARED = 1;
    long MAP_FAILED = -1L;

    int IPC_CREAT = 01000;
    int IPC_EXCL = 02000;
    int IPC_NOWAIT = 04000;
    int IPC_RMID = 0;
    int IPC_SET = 1;
    int IPC_STAT = 2;
    int SHM_RDONLY = 010000;
    int GETVAL = 12;
    /** semctl: the pid of the last process that changed the semaphore (semop or SETVAL). */
    int GETPID = 11;
    int SETVAL = 16;
    short SEM_UNDO = 0x1000;

    int F_GETFL = 3;
    int F_OFD_GETLK = 36;
    int F_OFD_SETLK = 37;
    int F_OFD_SETLKW = 38;
    int F_ADD_SEALS = 1033;
    int F_GET_SEALS = 1034;
    int F_SEAL_SEAL = 1;
    int F_SEAL_SHRINK = 2;
    int F_SEAL_GROW = 4;
    int F_SEAL_WRITE = 8;
    short F_RDLCK = 0;
    short F_WRLCK = 1;
    short F_UNLCK = 2;

    int MFD_CLOEXEC = 1;
    int MFD_ALLOW_SEALING = 2;

    int AF_UNIX = 1;
    int SOCK_STREAM = 1;
    int SOCK_SEQPACKET = 5;
    int SOCK_CLOEXEC = 02000000;

    /** x86_64 {@code struct shmid_ds}: 112 bytes; shm_segsz at 48, shm_cpid at 80, shm_nattch at 88. */
    int SHMID_DS_SIZE = 112;
    int SHMID_DS_SEGSZ = 48;
    int SHMID_DS_NATTCH = 88;
    /** x86_64 {@code struct stat}: 144 bytes; st_ino at 8, st_nlink at 16 (8 bytes), st_size at 48. */
    int STAT_SIZE = 144;
    int STAT_INO = 8;
    int STAT_NLINK = 16;
    int STAT_ST_SIZE = 48;

    // --- files and mappings
    int open(String path, int flags, Object... mode);

    int close(int fd);

    int ftruncate(int fd, long length);

    /** glibc 2.33+ exports fstat itself; {@code buf} is a {@link #STAT_SIZE}-byte struct stat. */
    int fstat(int fd, Pointer buf);

    /** Returns the error number (not -1/errno) like every posix_* function. */
    int posix_fallocate(int fd, long offset, long length);

    Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

    int munmap(Pointer addr, long length);

    int fcntl(int fd, int cmd, Object... arg);

    int unlink(String path);

    int getpid();

    /** Moves the calling thread (only it: an IPC namespace may be entered by one thread of many) into fd's namespace. */
    int setns(int fd, int nstype);

    int getuid();

    String strerror(int errnum);

    // --- System V
    int ftok(String path, int projId);

    int shmget(int key, long size, int shmflg);

    Pointer shmat(int shmid, Pointer shmaddr, int shmflg);

    int shmdt(Pointer shmaddr);

    int shmctl(int shmid, int cmd, Pointer buf);

    int semget(int key, int nsems, int semflg);

    int semctl(int semid, int semnum, int cmd, Object... arg);

    /** {@code sops} points at nsops packed {@code struct sembuf} (3 shorts: num, op, flg). */
    int semop(int semid, Pointer sops, long nsops);

    // --- POSIX shm and named semaphores
    int shm_open(String name, int oflag, int mode);

    int shm_unlink(String name);

    Pointer sem_open(String name, int oflag, Object... modeAndValue);

    int sem_wait(Pointer sem);

    int sem_trywait(Pointer sem);

    int sem_post(Pointer sem);

    int sem_getvalue(Pointer sem, int[] value);

    int sem_close(Pointer sem);

    int sem_unlink(String name);

    // --- memfd and sockets
    int memfd_create(String name, int flags);

    int socket(int domain, int type, int protocol);

    int bind(int fd, Pointer addr, int addrlen);

    int listen(int fd, int backlog);

    int accept(int fd, Pointer addr, Pointer addrlen);

    int connect(int fd, Pointer addr, int addrlen);

    NativeLong sendmsg(int fd, Pointer msg, int flags);

    NativeLong recvmsg(int fd, Pointer msg, int flags);

    /** The calling thread's errno after a failed call. */
    static int errno() {
        return Native.getLastError();
    }

    // --- mmapfile and memfd backends (h-filememfd): kept together so parallel additions merge cleanly

    /** {@code O_TMPFILE} (incl. O_DIRECTORY): an unnamed file in a directory, named later by linkat. */
    int O_TMPFILE = 020200000;
    int AT_FDCWD = -100;
    int AT_SYMLINK_FOLLOW = 0x400;
    /** {@code statfs.f_type} of tmpfs. */
    long TMPFS_MAGIC = 0x01021994L;
    /** x86_64 {@code struct statfs}: 120 bytes, f_type (long) at offset 0. */
    int STATFS_SIZE = 120;

    int statfs(String path, Pointer buf);

    int linkat(int olddirfd, String oldpath, int newdirfd, String newpath, int flags);

    /** {@code renameat2(2)} flag: fail with EEXIST rather than replace what is at the new path. */
    int RENAME_NOREPLACE = 1;

    int renameat2(int olddirfd, String oldpath, int newdirfd, String newpath, int flags);
}
