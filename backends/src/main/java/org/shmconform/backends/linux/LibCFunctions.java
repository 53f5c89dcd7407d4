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
 * replacement is most of a Java column's fuzz (docs/fuzz-notes.md, "What bounds the fuzz on this machine").
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

    /**
     * The functions, each named as in C (as {@code spi.Op} names the protocol's ops) and looked up on its first call; a
     * race looks one up twice and gets the same object, which NativeLibrary caches.
     */
    private enum Fn {
        open, close, ftruncate, fstat, posix_fallocate, mmap, munmap, fcntl, unlink, getpid, setns, getuid, strerror, ftok,
        shmget, shmat, shmdt, shmctl, semget, semctl, semop, shm_open, shm_unlink, sem_open, sem_wait, sem_trywait,
        sem_post, sem_getvalue, sem_close, sem_unlink, memfd_create, socket, bind, listen, accept, connect, sendmsg,
        recvmsg, statfs, linkat, renameat2;

        private Function function;

        private Function function() {
            Function f = function;
            if (f == null) {
                f = C.getFunction(name());
                function = f;
            }
            return f;
        }

        int i(Object... args) {
            return function().invokeInt(args);
        }

        Pointer p(Object... args) {
            return function().invokePointer(args);
        }

        NativeLong l(Object... args) {
            return (NativeLong) function().invoke(NativeLong.class, args);
        }
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
        return Fn.open.i(flat(mode, path, flags));
    }

    @Override
    public int close(int fd) {
        return Fn.close.i(fd);
    }

    @Override
    public int ftruncate(int fd, long length) {
        return Fn.ftruncate.i(fd, length);
    }

    @Override
    public int fstat(int fd, Pointer buf) {
        return Fn.fstat.i(fd, buf);
    }

    @Override
    public int posix_fallocate(int fd, long offset, long length) {
        return Fn.posix_fallocate.i(fd, offset, length);
    }

    @Override
    public Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset) {
        return Fn.mmap.p(addr, length, prot, flags, fd, offset);
    }

    @Override
    public int munmap(Pointer addr, long length) {
        return Fn.munmap.i(addr, length);
    }

    @Override
    public int fcntl(int fd, int cmd, Object... arg) {
        return Fn.fcntl.i(flat(arg, fd, cmd));
    }

    @Override
    public int unlink(String path) {
        return Fn.unlink.i(path);
    }

    @Override
    public int getpid() {
        return Fn.getpid.i();
    }

    @Override
    public int setns(int fd, int nstype) {
        return Fn.setns.i(fd, nstype);
    }

    @Override
    public int getuid() {
        return Fn.getuid.i();
    }

    @Override
    public String strerror(int errnum) {
        return Fn.strerror.function().invokeString(new Object[] {errnum}, false);
    }

    @Override
    public int ftok(String path, int projId) {
        return Fn.ftok.i(path, projId);
    }

    @Override
    public int shmget(int key, long size, int shmflg) {
        return Fn.shmget.i(key, size, shmflg);
    }

    @Override
    public Pointer shmat(int shmid, Pointer shmaddr, int shmflg) {
        return Fn.shmat.p(shmid, shmaddr, shmflg);
    }

    @Override
    public int shmdt(Pointer shmaddr) {
        return Fn.shmdt.i(shmaddr);
    }

    @Override
    public int shmctl(int shmid, int cmd, Pointer buf) {
        return Fn.shmctl.i(shmid, cmd, buf);
    }

    @Override
    public int semget(int key, int nsems, int semflg) {
        return Fn.semget.i(key, nsems, semflg);
    }

    @Override
    public int semctl(int semid, int semnum, int cmd, Object... arg) {
        return Fn.semctl.i(flat(arg, semid, semnum, cmd));
    }

    @Override
    public int semop(int semid, Pointer sops, long nsops) {
        return Fn.semop.i(semid, sops, nsops);
    }

    @Override
    public int shm_open(String name, int oflag, int mode) {
        return Fn.shm_open.i(name, oflag, mode);
    }

    @Override
    public int shm_unlink(String name) {
        return Fn.shm_unlink.i(name);
    }

    @Override
    public Pointer sem_open(String name, int oflag, Object... modeAndValue) {
        return Fn.sem_open.p(flat(modeAndValue, name, oflag));
    }

    @Override
    public int sem_wait(Pointer sem) {
        return Fn.sem_wait.i(sem);
    }

    @Override
    public int sem_trywait(Pointer sem) {
        return Fn.sem_trywait.i(sem);
    }

    @Override
    public int sem_post(Pointer sem) {
        return Fn.sem_post.i(sem);
    }

    @Override
    public int sem_getvalue(Pointer sem, int[] value) {
        return Fn.sem_getvalue.i(sem, value);
    }

    @Override
    public int sem_close(Pointer sem) {
        return Fn.sem_close.i(sem);
    }

    @Override
    public int sem_unlink(String name) {
        return Fn.sem_unlink.i(name);
    }

    @Override
    public int memfd_create(String name, int flags) {
        return Fn.memfd_create.i(name, flags);
    }

    @Override
    public int socket(int domain, int type, int protocol) {
        return Fn.socket.i(domain, type, protocol);
    }

    @Override
    public int bind(int fd, Pointer addr, int addrlen) {
        return Fn.bind.i(fd, addr, addrlen);
    }

    @Override
    public int listen(int fd, int backlog) {
        return Fn.listen.i(fd, backlog);
    }

    @Override
    public int accept(int fd, Pointer addr, Pointer addrlen) {
        return Fn.accept.i(fd, addr, addrlen);
    }

    @Override
    public int connect(int fd, Pointer addr, int addrlen) {
        return Fn.connect.i(fd, addr, addrlen);
    }

    @Override
    public NativeLong sendmsg(int fd, Pointer msg, int flags) {
        return Fn.sendmsg.l(fd, msg, flags);
    }

    @Override
    public NativeLong recvmsg(int fd, Pointer msg, int flags) {
        return Fn.recvmsg.l(fd, msg, flags);
    }

    @Override
    public int statfs(String path, Pointer buf) {
        return Fn.statfs.i(path, buf);
    }

    @Override
    public int linkat(int olddirfd, String oldpath, int newdirfd, String newpath, int flags) {
        return Fn.linkat.i(olddirfd, oldpath, newdirfd, newpath, flags);
    }

    @Override
    public int renameat2(int olddirfd, String oldpath, int newdirfd, String newpath, int flags) {
        return Fn.renameat2.i(olddirfd, oldpath, newdirfd, newpath, flags);
    }
}
