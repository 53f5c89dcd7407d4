package org.shmconform.backends.linux;

import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.shmconform.backends.linux.Errno;

/**
 * Unix stream sockets on a filesystem path, and one descriptor per message with SCM_RIGHTS. The
 * structs are LP64 Linux (x86_64 and aarch64 alike): {@code msghdr} 56 bytes (name@0, namelen@8,
 * iov@16, iovlen@24, control@32, controllen@40, flags@48), {@code cmsghdr} len@0 (8 bytes),
 * level@8, type@12, data@16, so one int needs CMSG_LEN 20 and CMSG_SPACE 24.
 */
public final class UnixSockets {
    /** sizeof(struct sockaddr_un): sa_family_t + sun_path[108]. */
    private static final int SOCKADDR_UN_SIZE = 110;
    private static final int MSGHDR_SIZE = 56;
    private static final int CMSG_DATA = 16;
    private static final int CMSG_LEN_ONE_FD = 20;
    private static final int CMSG_SPACE_ONE_FD = 24;

    private UnixSockets() {
    }

    /** An IOException that keeps the errno of the call that failed. */
    public static final class ErrnoException extends IOException {
        private static final long serialVersionUID = 1L;
        private final int errno;

        ErrnoException(String call, int errno) {
            super(call + ": " + Errno.describe(errno));
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }

    static Memory address(Path path) throws IOException {
        byte[] bytes = path.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= SOCKADDR_UN_SIZE - 2) {
            throw new IOException("socket path of " + bytes.length + " bytes is longer than sun_path's 107: " + path);
        }
        Memory address = new Memory(SOCKADDR_UN_SIZE);
        address.clear();
        address.setShort(0, (short) LibC.AF_UNIX);
        address.write(2, bytes, 0, bytes.length);
        return address;
    }

    static int newSocket() throws IOException {
        int fd = LibC.INSTANCE.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new ErrnoException("socket(AF_UNIX)", LibC.errno());
        }
        return fd;
    }

    /** Connects to the socket at {@code path} and returns the one descriptor the server sends (O_CLOEXEC). */
    public static int receiveDescriptor(Path path) throws IOException {
        Memory address = address(path);
        int sock = newSocket();
        try {
            if (LibC.INSTANCE.connect(sock, address, SOCKADDR_UN_SIZE) != 0) {
                throw new ErrnoException("connect(" + path + ")", LibC.errno());
            }
            return receiveOn(sock);
        } finally {
            LibC.INSTANCE.close(sock);
        }
    }

    private static int receiveOn(int sock) throws IOException {
        Memory byteBuf = new Memory(1);
        Memory iov = iovec(byteBuf);
        Memory control = new Memory(CMSG_SPACE_ONE_FD);
        control.clear();
        Memory msg = message(iov, control);
        long n;
        do {
            n = LibC.INSTANCE.recvmsg(sock, msg, HandOverCalls.MSG_CMSG_CLOEXEC).longValue();
        } while (n < 0 && LibC.errno() == Errno.EINTR);
        if (n < 0) {
            throw new ErrnoException("recvmsg", LibC.errno());
        }
        long controlLength = msg.getLong(40);
        if (n == 0 || controlLength < CMSG_LEN_ONE_FD || control.getInt(8) != HandOverCalls.SOL_SOCKET
                || control.getInt(12) != HandOverCalls.SCM_RIGHTS) {
            throw new IOException("the server closed the connection without sending a descriptor");
        }
        return control.getInt(CMSG_DATA);
    }

    /** Sends {@code descriptor} on a connected socket (one data byte, one SCM_RIGHTS message); 0 or errno. */
    static int sendDescriptor(int sock, int descriptor) {
        Memory byteBuf = new Memory(1);
        byteBuf.setByte(0, (byte) 'F');
        Memory control = new Memory(CMSG_SPACE_ONE_FD);
        control.clear();
        control.setLong(0, CMSG_LEN_ONE_FD);
        control.setInt(8, HandOverCalls.SOL_SOCKET);
        control.setInt(12, HandOverCalls.SCM_RIGHTS);
        control.setInt(CMSG_DATA, descriptor);
        Memory msg = message(iovec(byteBuf), control);
        while (true) {
            NativeLong n = LibC.INSTANCE.sendmsg(sock, msg, 0x4000 /* MSG_NOSIGNAL */);
            if (n.longValue() >= 0) {
                return 0;
            }
            if (LibC.errno() != Errno.EINTR) {
                return LibC.errno();
            }
        }
    }

    /** The uid of the process at the other end of a connected socket (SO_PEERCRED), or -1. */
    static int peerUid(int sock) {
        Memory ucred = new Memory(12);
        int[] length = {12};
        if (HandOverCalls.INSTANCE.getsockopt(sock, HandOverCalls.SOL_SOCKET, HandOverCalls.SO_PEERCRED, ucred, length) != 0) {
            return -1;
        }
        return ucred.getInt(4);
    }

    private static Memory iovec(Pointer buffer) {
        Memory iov = new Memory(16);
        iov.setPointer(0, buffer);
        iov.setLong(8, 1);
        return iov;
    }

    private static Memory message(Memory iov, Memory control) {
        Memory msg = new Memory(MSGHDR_SIZE);
        msg.clear();
        msg.setPointer(16, iov);
        msg.setLong(24, 1);
        msg.setPointer(32, control);
        msg.setLong(40, control.size());
        return msg;
    }
}
