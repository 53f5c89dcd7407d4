package org.shmconform.backends.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The calls of the two in-segment locks (mmapfile-atomic, mmapfile-robust): the futex system call
 * and glibc's process-shared, robust pthread mutex (in libc itself since glibc 2.34). Kept apart
 * from {@link LibC} so that its declarations stay as they are.
 */
public interface LockCalls extends Library {
    LockCalls INSTANCE = Native.load(Platform.C_LIBRARY_NAME, LockCalls.class);

    /** Without FUTEX_PRIVATE_FLAG (128): the kernel keys the wait on the file's inode and offset, so it crosses processes. */
    int FUTEX_WAIT = 0;
    int FUTEX_WAKE = 1;

    int PTHREAD_MUTEX_NORMAL = 0;
    int PTHREAD_PROCESS_SHARED = 1;
    int PTHREAD_MUTEX_ROBUST = 1;
    /** glibc's sizeof(pthread_mutex_t): 40 on x86_64, 48 on aarch64; the segment header reserves 64 bytes for it. */
    int PTHREAD_MUTEX_SIZE = 48;
    /** sizeof(pthread_mutexattr_t) is 4 (x86_64) or 8 (aarch64): room for both. */
    int PTHREAD_MUTEXATTR_SIZE = 16;
    int EOWNERDEAD = 130;
    int ENOTRECOVERABLE = 131;
    int EBUSY = 16;

    /** Variadic, so JNA passes the arguments the C way; returns -1 and sets errno on failure. */
    long syscall(long number, Object... args);

    int getpagesize();

    int pthread_mutexattr_init(Pointer attr);

    int pthread_mutexattr_settype(Pointer attr, int type);

    int pthread_mutexattr_setpshared(Pointer attr, int pshared);

    int pthread_mutexattr_setrobust(Pointer attr, int robust);

    int pthread_mutexattr_destroy(Pointer attr);

    int pthread_mutex_init(Pointer mutex, Pointer attr);

    int pthread_mutex_lock(Pointer mutex);

    int pthread_mutex_trylock(Pointer mutex);

    int pthread_mutex_unlock(Pointer mutex);

    int pthread_mutex_consistent(Pointer mutex);

    /** SYS_futex of this machine's architecture, or -1 where it is not known. */
    static long futexSyscall() {
        return switch (System.getProperty("os.arch", "")) {
            case "amd64", "x86_64" -> 202;
            case "aarch64", "arm64" -> 98;
            default -> -1;
        };
    }
}
