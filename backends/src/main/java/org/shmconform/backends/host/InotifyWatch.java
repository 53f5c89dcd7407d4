package org.shmconform.backends.host;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An inotify instance watching directories for names that appear (created, moved in) and
 * disappear (deleted, moved out). Not thread-safe for reading: one thread calls {@link #next};
 * {@link #watch} may be called from any thread. Close it from the reading thread, after its last
 * {@link #next}, so the descriptor's number is not reused while a read may still use it.
 */
public final class InotifyWatch implements AutoCloseable {
    private static final int IN_NONBLOCK = 04000;
    private static final int IN_CLOEXEC = 02000000;
    private static final int IN_CREATE = 0x100;
    private static final int IN_DELETE = 0x200;
    private static final int IN_MOVED_FROM = 0x40;
    private static final int IN_MOVED_TO = 0x80;
    private static final short POLLIN = 1;

    private interface Inotify extends Library {
        Inotify INSTANCE = Native.load(Platform.C_LIBRARY_NAME, Inotify.class);

        int inotify_init1(int flags);

        int inotify_add_watch(int fd, String path, int mask);

        long read(int fd, byte[] buf, long count);

        int poll(Memory fds, long nfds, int timeoutMs);

        int close(int fd);
    }

    /** A name that appeared in or left a watched directory. */
    public record Event(Path file, boolean created) {
    }

    private final int fd;
    private final Map<Integer, Path> dirs = new ConcurrentHashMap<>();
    private final byte[] buf = new byte[64 * 1024];
    private final Memory pollFd = new Memory(8);
    private boolean closed;

    private InotifyWatch(int fd) {
        this.fd = fd;
    }

    /** A new watch, or null where this kernel or C library has no inotify. */
    public static InotifyWatch open() {
        try {
            int fd = Inotify.INSTANCE.inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
            return fd < 0 ? null : new InotifyWatch(fd);
        } catch (UnsatisfiedLinkError e) {
            return null;
        }
    }

    /** Starts reporting names created in or removed from {@code dir}; false if the kernel refused. */
    public boolean watch(Path dir) {
        int wd = Inotify.INSTANCE.inotify_add_watch(fd, dir.toString(), IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO);
        if (wd >= 0) {
            dirs.put(wd, dir);
        }
        return wd >= 0;
    }

    /** Waits up to {@code timeoutMillis} for events and returns those that arrived (empty when none did). */
    public List<Event> next(int timeoutMillis) {
        List<Event> events = new ArrayList<>();
        pollFd.clear();
        pollFd.setInt(0, fd);
        pollFd.setShort(4, POLLIN);
        if (Inotify.INSTANCE.poll(pollFd, 1, timeoutMillis) <= 0) {
            return events;
        }
        long n = Inotify.INSTANCE.read(fd, buf, buf.length);
        // struct inotify_event: wd, mask, cookie, len (4 bytes each), then len bytes of NUL-padded name.
        for (int off = 0; n > 0 && off + 16 <= n; ) {
            int wd = intAt(buf, off);
            int mask = intAt(buf, off + 4);
            int len = intAt(buf, off + 12);
            String name = new String(buf, off + 16, len, StandardCharsets.UTF_8).replace("\0", "");
            off += 16 + len;
            Path dir = dirs.get(wd);
            if (dir == null || name.isEmpty()) {
                continue;
            }
            if ((mask & (IN_CREATE | IN_MOVED_TO)) != 0) {
                events.add(new Event(dir.resolve(name), true));
            } else if ((mask & (IN_DELETE | IN_MOVED_FROM)) != 0) {
                events.add(new Event(dir.resolve(name), false));
            }
        }
        return events;
    }

    private static int intAt(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Inotify.INSTANCE.close(fd);
        }
    }
}
