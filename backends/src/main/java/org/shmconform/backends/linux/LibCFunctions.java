package org.shmconform.backends.linux;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * {@link LibC} called through JNA's {@link Function}s, each looked up the first time it is called, instead of the
 * interface proxy {@code Native.load} makes. That proxy is generated and reflected over for all of LibC's functions in
 * the first call of every process, which a Java worker is: a worker's start and first create, profiled with
 * async-profiler over ten worker lives (hello, twelve mmapfile operations, exit), spent 14 % of their CPU generating it
 * ({@code Proxy.newProxyInstance}) and 4 % more in its dispatch ({@code Library$Handler}); a killed worker's
 * replacement is most of a Java column's fuzz (README, "What bounds the fuzz on this machine").
 *
 * <p>Arguments and results are converted by the same JNA code the proxy calls ({@code Function.invoke}): a String
 * argument as a C string in JNA's default encoding, a Pointer or Memory as its address, an {@code int[]} written back
 * after the call, a NativeLong or String result read as the proxy reads it; errno is kept for {@link LibC#errno()} as
 * after any JNA call. The variadic functions (open, fcntl, semctl, sem_open) are called with their arguments in one
 * flat array, as the proxy flattens them; they are called as fixed-argument functions, which on Linux's x86-64 and
 * AArch64 passes integer and pointer arguments, the only kinds given here, where a variadic callee reads them (libffi
 * sets the x86-64 vector-register count in every call).
 */
final class LibCFunctions implements LibC {
    private static final NativeLibrary C = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);
    private static final Object[] NONE = new Object[0];

    private static final String[] NAMES = {"open", "close", "ftruncate", "fstat", "posix_fallocate", "mmap", "munmap",
            "fcntl", "unlink", "getpid", "setns", "getuid", "strerror", "ftok", "shmget", "shmat", "shmdt", "shmctl", "semget",
            "semctl", "semop", "shm_open", "shm_unlink", "sem_open", "sem_wait", "sem_trywait", "sem_post", "sem_getvalue",
            "sem_close", "sem_unlink", "memfd_create", "socket", "bind", "listen", "accept", "connect", "sendmsg", "recvmsg",
            "statfs", "linkat", "renameat2"};
    private static final int OPEN = 0, CLOSE = 1, FTRUNCATE = 2, FSTAT = 3, POSIX_FALLOCATE = 4, MMAP = 5, MUNMAP = 6,
            FCNTL = 7, UNLINK = 8, GETPID = 9, SETNS = 10, GETUID = 11, STRERROR = 12, FTOK = 13, SHMGET = 14, SHMAT = 15,
            SHMDT = 16, SHMCTL = 17, SEMGET = 18, SEMCTL = 19, SEMOP = 20, SHM_OPEN = 21, SHM_UNLINK = 22, SEM_OPEN = 23,
            SEM_WAIT = 24, SEM_TRYWAIT = 25, SEM_POST = 26, SEM_GETVALUE = 27, SEM_CLOSE = 28, SEM_UNLINK = 29,
            MEMFD_CREATE = 30, SOCKET = 31, BIND = 32, LISTEN = 33, ACCEPT = 34, CONNECT = 35, SENDMSG = 36, RECVMSG = 37,
            STATFS = 38, LINKAT = 39, RENAMEAT2 = 40;

    /** Looked up on first use; a race looks one up twice and gets the same object, which NativeLibrary caches. */
    private final Function[] functions = new Function[NAMES.length];

    private Function f(int which) {
        Function f = functions[which];
        if (f == null) {
            f = C.getFunction(NAMES[which]);
            functions[which] = f;
        }
        return f;
    }

    private int i(int which, Object... args) {
        return f(which).invokeInt(args);
    }

    private Pointer p(int which, Object... args) {
        return f(which).invokePointer(args);
    }

    /** The fixed arguments, then the variadic ones, in one array: how the C call takes them. */
    private static Object[] flat(Object[] variadic, Object... fixed) {
        if (variadic == null || variadic.length == 0) {
            return fixed;
        }
        Object[] all = new Object[fixed.length + variadic.length];
        System.arraycopy(fixed, 0, all, 0, fixed.length);
        System.arraycopy(variadic, 0, all, fixed.length, variadic.length);
        return all;
    }

    @Override
    public int open(String path, int flags, Object... mode) {
        return f(OPEN).invokeInt(flat(mode, path, flags));
    }

    @Override
    public int close(int fd) {
        return i(CLOSE, fd);
    }

    @Override
    public int ftruncate(int fd, long length) {
        return i(FTRUNCATE, fd, length);
    }

    @Override
    public int fstat(int fd, Pointer buf) {
        return i(FSTAT, fd, buf);
    }

    @Override
    public int posix_fallocate(int fd, long offset, long length) {
        return i(POSIX_FALLOCATE, fd, offset, length);
    }

    @Override
    public Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset) {
        return p(MMAP, addr, length, prot, flags, fd, offset);
    }

    @Override
    public int munmap(Pointer addr, long length) {
        return i(MUNMAP, addr, length);
    }

    @Override
    public int fcntl(int fd, int cmd, Object... arg) {
        return f(FCNTL).invokeInt(flat(arg, fd, cmd));
    }

    @Override
    public int unlink(String path) {
        return i(UNLINK, path);
    }

    @Override
    public int getpid() {
        return f(GETPID).invokeInt(NONE);
    }

    @Override
    public int setns(int fd, int nstype) {
        return i(SETNS, fd, nstype);
    }

    @Override
    public int getuid() {
        return f(GETUID).invokeInt(NONE);
    }

    @Override
    public String strerror(int errnum) {
        return f(STRERROR).invokeString(new Object[] {errnum}, false);
    }

    @Override
    public int ftok(String path, int projId) {
        return i(FTOK, path, projId);
    }

    @Override
    public int shmget(int key, long size, int shmflg) {
        return i(SHMGET, key, size, shmflg);
    }

    @Override
    public Pointer shmat(int shmid, Pointer shmaddr, int shmflg) {
        return p(SHMAT, shmid, shmaddr, shmflg);
    }

    @Override
    public int shmdt(Pointer shmaddr) {
        return i(SHMDT, shmaddr);
    }

    @Override
    public int shmctl(int shmid, int cmd, Pointer buf) {
        return i(SHMCTL, shmid, cmd, buf);
    }

    @Override
    public int semget(int key, int nsems, int semflg) {
        return i(SEMGET, key, nsems, semflg);
    }

    @Override
    public int semctl(int semid, int semnum, int cmd, Object... arg) {
        return f(SEMCTL).invokeInt(flat(arg, semid, semnum, cmd));
    }

    @Override
    public int semop(int semid, Pointer sops, long nsops) {
        return i(SEMOP, semid, sops, nsops);
    }

    @Override
    public int shm_open(String name, int oflag, int mode) {
        return i(SHM_OPEN, name, oflag, mode);
    }

    @Override
    public int shm_unlink(String name) {
        return i(SHM_UNLINK, name);
    }

    @Override
    public Pointer sem_open(String name, int oflag, Object... modeAndValue) {
        return f(SEM_OPEN).invokePointer(flat(modeAndValue, name, oflag));
    }

    @Override
    public int sem_wait(Pointer sem) {
        return i(SEM_WAIT, sem);
    }

    @Override
    public int sem_trywait(Pointer sem) {
        return i(SEM_TRYWAIT, sem);
    }

    @Override
    public int sem_post(Pointer sem) {
        return i(SEM_POST, sem);
    }

    @Override
    public int sem_getvalue(Pointer sem, int[] value) {
        return i(SEM_GETVALUE, sem, value);
    }

    @Override
    public int sem_close(Pointer sem) {
        return i(SEM_CLOSE, sem);
    }

    @Override
    public int sem_unlink(String name) {
        return i(SEM_UNLINK, name);
    }

    @Override
    public int memfd_create(String name, int flags) {
        return i(MEMFD_CREATE, name, flags);
    }

    @Override
    public int socket(int domain, int type, int protocol) {
        return i(SOCKET, domain, type, protocol);
    }

    @Override
    public int bind(int fd, Pointer addr, int addrlen) {
        return i(BIND, fd, addr, addrlen);
    }

    @Override
    public int listen(int fd, int backlog) {
        return i(LISTEN, fd, backlog);
    }

    @Override
    public int accept(int fd, Pointer addr, Pointer addrlen) {
        return i(ACCEPT, fd, addr, addrlen);
    }

    @Override
    public int connect(int fd, Pointer addr, int addrlen) {
        return i(CONNECT, fd, addr, addrlen);
    }

    @Override
    public NativeLong sendmsg(int fd, Pointer msg, int flags) {
        return (NativeLong) f(SENDMSG).invoke(NativeLong.class, new Object[] {fd, msg, flags});
    }

    @Override
    public NativeLong recvmsg(int fd, Pointer msg, int flags) {
        return (NativeLong) f(RECVMSG).invoke(NativeLong.class, new Object[] {fd, msg, flags});
    }

    @Override
    public int statfs(String path, Pointer buf) {
        return i(STATFS, path, buf);
    }

    @Override
    public int linkat(int olddirfd, String oldpath, int newdirfd, String newpath, int flags) {
        return i(LINKAT, olddirfd, oldpath, newdirfd, newpath, flags);
    }

    @Override
    public int renameat2(int olddirfd, String oldpath, int newdirfd, String newpath, int flags) {
        return i(RENAMEAT2, olddirfd, oldpath, newdirfd, newpath, flags);
    }
}
