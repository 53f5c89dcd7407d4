package org.shmconform.engine;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.shmconform.backends.linux.LibC;

/**
 * Tells the ledger about key files the moment they appear and disappear in the run's TMPDIRs
 * (inotify), without waiting for the end of a step: Qt 6.4 can make a key file, make a semaphore
 * keyed by it and unlink the file within one step, leaving the semaphore alive. The file's ftok
 * value is recorded when it is created and the objects keyed by it when it is deleted, so the
 * orphan is in the ledger by id before anything else can happen to it.
 */
final class KeyFileWatch implements AutoCloseable {
    private static final int IN_NONBLOCK = 04000;
    private static final int IN_CLOEXEC = 02000000;
    private static final int IN_CREATE = 0x100;
    private static final int IN_DELETE = 0x200;
    private static final int IN_MOVED_FROM = 0x40;
    private static final int IN_MOVED_TO = 0x80;
    private static final short POLLIN = 1;

    private interface Inotify extends Library {
        Inotify INSTANCE = Native.load("c", Inotify.class);

        int inotify_init1(int flags);

        int inotify_add_watch(int fd, String path, int mask);

        long read(int fd, byte[] buf, long count);

        int poll(Memory fds, long nfds, int timeoutMs);
    }

    /** What the watch reports to. */
    interface Listener {
        void created(Path file);

        void deleted(Path file);
    }

    private final int fd;
    private final Listener listener;
    private final Map<Integer, Path> dirs = new ConcurrentHashMap<>();
    private volatile boolean open = true;

    private KeyFileWatch(int fd, Listener listener) {
        this.fd = fd;
        this.listener = listener;
    }

    /** A running watch, or null where inotify is not available (the end-of-step observation still works). */
    static KeyFileWatch start(Listener listener, String threadName) {
        try {
            int fd = Inotify.INSTANCE.inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
            if (fd < 0) {
                return null;
            }
            KeyFileWatch w = new KeyFileWatch(fd, listener);
            Thread t = new Thread(w::loop, threadName);
            t.setDaemon(true);
            t.start();
            return w;
        } catch (UnsatisfiedLinkError e) {
            return null;
        }
    }

    void watch(Path dir) {
        int wd = Inotify.INSTANCE.inotify_add_watch(fd, dir.toString(), IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO);
        if (wd >= 0) {
            dirs.put(wd, dir);
        }
    }

    private void loop() {
        byte[] buf = new byte[64 * 1024];
        Memory pfd = new Memory(8);
        while (open) {
            pfd.clear();
            pfd.setInt(0, fd);
            pfd.setShort(4, POLLIN);
            if (Inotify.INSTANCE.poll(pfd, 1, 200) <= 0) {
                continue;
            }
            long n = Inotify.INSTANCE.read(fd, buf, buf.length);
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
                try {
                    if ((mask & (IN_CREATE | IN_MOVED_TO)) != 0) {
                        listener.created(dir.resolve(name));
                    } else if ((mask & (IN_DELETE | IN_MOVED_FROM)) != 0) {
                        listener.deleted(dir.resolve(name));
                    }
                } catch (RuntimeException e) {
                    // one unreadable event must not stop the watch
                }
            }
        }
        LibC.INSTANCE.close(fd); // here, not in close(): the number must not be reused while this loop may still read it
    }

    private static int intAt(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    @Override
    public void close() {
        open = false;
    }
}
