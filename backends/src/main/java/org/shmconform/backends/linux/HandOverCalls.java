package org.shmconform.backends.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The calls of descriptor hand-over (memfd-fd): socket options and shutdown for the SCM_RIGHTS
 * server, fallocate for the growth a sealed memfd refuses, and posix_spawn with file actions for
 * a child that inherits a descriptor (exec, never fork). Kept apart from {@link LibC}.
 */
public interface HandOverCalls extends Library {
    HandOverCalls INSTANCE = Native.load(Platform.C_LIBRARY_NAME, HandOverCalls.class);

    int SOL_SOCKET = 1;
    int SCM_RIGHTS = 1;
    int SO_PEERCRED = 17;
    int SHUT_RDWR = 2;
    int MSG_CMSG_CLOEXEC = 0x40000000;
    int F_DUPFD_CLOEXEC = 1030;
    int O_CLOEXEC = 02000000;

    int POSIX_SPAWN_SETSIGDEF = 0x04;
    int POSIX_SPAWN_SETSIGMASK = 0x08;
    /** glibc: posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128: room for each. */
    int SPAWN_STRUCT_SIZE = 512;

    int getsockopt(int fd, int level, int name, Pointer value, int[] length);

    int shutdown(int fd, int how);

    /** Used on a socket just bound in a directory only we can write: nobody can have swapped the name. */
    int chmod(String path, int mode);

    int lchown(String path, int owner, int group);

    int fallocate(int fd, int mode, long offset, long length);

    int pipe2(int[] fds, int flags);

    NativeLong read(int fd, Pointer buf, NativeLong count);

    int waitpid(int pid, int[] status, int options);

    int geteuid();

    int posix_spawn_file_actions_init(Pointer actions);

    int posix_spawn_file_actions_destroy(Pointer actions);

    int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newFd);

    int posix_spawn_file_actions_addopen(Pointer actions, int fd, String path, int flags, int mode);

    /** glibc 2.34+: closes every descriptor from {@code from} up in the child. */
    int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int from);

    int posix_spawnattr_init(Pointer attr);

    int posix_spawnattr_destroy(Pointer attr);

    int posix_spawnattr_setflags(Pointer attr, short flags);

    int posix_spawnattr_setsigmask(Pointer attr, Pointer mask);

    int posix_spawnattr_setsigdefault(Pointer attr, Pointer signals);

    int sigemptyset(Pointer set);

    int sigfillset(Pointer set);

    int posix_spawnp(int[] pid, String file, Pointer actions, Pointer attr, String[] argv, String[] envp);
}
