package org.shmconform.backends.host;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import org.shmconform.backends.linux.LibC;

/**
 * A pipe's read end that this process owns, read line by line by whichever thread asks, with a timeout ({@code ppoll}
 * on the descriptor, then {@code read}): how the engine reads a worker's replies in the thread that waits for them. A
 * thread of its own that read them and handed them over through a queue cost every reply one more wake-up and one more
 * context switch, which on one CPU was most of what a round trip cost beyond the pipe itself (docs/fuzz-notes.md,
 * "Replies read by the thread that waits for them").
 * <p>
 * Each line is dated when the {@code read} that brought its end returned, and keeps that date however late it is asked
 * for. A line's end of line is its LF; what follows the last LF at the end of the pipe is a last line, as
 * {@code BufferedReader.readLine} gives it. Bytes are UTF-8, malformed ones replaced, as an {@code InputStreamReader} does.
 */
public final class PipeLines implements AutoCloseable {
    private static final int POLLIN = 1;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 02000000;
    private static final int O_ACCMODE = 3;
    /** The longest a {@link #next} waits in one {@code ppoll}: between two, an interrupt of the caller is seen. */
    private static final long SLICE_NANOS = 50_000_000L;
    /** Bytes a read takes at most: a reply line is some 100 bytes; a longer one (a large read's data) takes several reads. */
    private static final int CHUNK = 16 * 1024;

    static {
        // Direct mapping: a ppoll and a read per reply of every worker.
        Native.register(PipeLines.class, Platform.C_LIBRARY_NAME);
    }

    private static native int ppoll(int[] pollfd, long count, long[] timespec, Pointer sigmask) throws LastErrorException;

    private static native long read(int fd, Pointer buffer, long count) throws LastErrorException;

    /** A line, without its LF, and the {@link System#nanoTime} at which the read that brought its end returned. */
    public record Line(String text, long nanos) { }

    private static final Cleaner CLEANER = Cleaner.create();

    private final int fd;
    /** Closes {@link #fd} once: at {@link #close}, or when this object is no longer reachable (a worker left unreaped). */
    private final Cleaner.Cleanable closer;
    private boolean closed;
    /**
     * Set by {@link #close} before it waits for this object's monitor: a {@link #next} that holds it (a wait of up to a
     * minute for a hello) returns at the end of its current slice instead of at its timeout.
     */
    private volatile boolean closing;
    /** The pipe ended (a read gave nothing) or was closed: nothing more is read from {@link #fd}. */
    private boolean ended;
    private final Deque<Line> ready = new ArrayDeque<>();
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private final Memory buffer = new Memory(CHUNK);
    private final byte[] chunk = new byte[CHUNK];
    /** struct pollfd {int fd; short events; short revents;} (little-endian) and a struct timespec, reused under the monitor. */
    private final int[] pollfd;
    private final long[] timespec = new long[2];

    private PipeLines(int fd) {
        this.fd = fd;
        this.pollfd = new int[] {fd, POLLIN};
        this.closer = CLEANER.register(this, new Closer(fd));
    }

    /** Holds the number only, never the object: a Cleaner's action that reached it would keep it reachable for good. */
    private record Closer(int fd) implements Runnable {
        @Override
        public void run() {
            LibC.INSTANCE.close(fd);
        }
    }

    /** Opens {@code path} (a FIFO, or a pipe through /proc/PID/fd) for reading, close-on-exec. */
    public static PipeLines open(Path path) throws IOException {
        int fd = LibC.INSTANCE.open(path.toString(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            throw new IOException("cannot open " + path + " for reading: errno " + Native.getLastError());
        }
        return new PipeLines(fd);
    }

    /**
     * A read end of its own, made by {@code dup}, of the pipe that is process {@code pid}'s stdout, where this process
     * holds exactly one read end of it (the child's stdout that {@code ProcessBuilder} made); null where it does not, or
     * the child's stdout is no pipe, or the child is gone. The copy is checked once made: the same pipe, read-only,
     * so a descriptor closed and reused between the look and the copy is never taken.
     */
    public static PipeLines ofChildStdout(long pid) {
        String pipe = ProcText.link(Path.of("/proc", Long.toString(pid), "fd", "1"));
        if (pipe == null || !pipe.startsWith("pipe:[")) {
            return null;
        }
        Integer found = null;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path entry : fds) {
                int n;
                try {
                    n = Integer.parseInt(entry.getFileName().toString());
                } catch (NumberFormatException e) {
                    continue;
                }
                if (pipe.equals(ProcText.link(entry)) && readOnly(n)) {
                    if (found != null) {
                        return null;
                    }
                    found = n;
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (found == null) {
            return null;
        }
        int copy = LibC.INSTANCE.fcntl(found, F_DUPFD_CLOEXEC, 0);
        if (copy < 0) {
            return null;
        }
        if (!pipe.equals(ProcText.link(Path.of("/proc/self/fd", Integer.toString(copy)))) || !readOnly(copy)) {
            LibC.INSTANCE.close(copy);
            return null;
        }
        return new PipeLines(copy);
    }

    /** Whether this process's descriptor {@code fd} was opened read-only (/proc/self/fdinfo's "flags", octal). */
    private static boolean readOnly(int fd) {
        try {
            for (String line : ProcText.lines(Path.of("/proc/self/fdinfo", Integer.toString(fd)))) {
                if (line.startsWith("flags:")) {
                    return (Integer.parseInt(line.substring("flags:".length()).strip(), 8) & O_ACCMODE) == O_RDONLY;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /**
     * The next line, waiting for it up to {@code timeoutNanos} (0: only what can be read now); null if none came in that
     * time, or the pipe has ended ({@link #ended}) and every line before its end was given.
     */
    public synchronized Line next(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, timeoutNanos);
        while (true) {
            Line line = ready.poll();
            if (line != null) {
                return line;
            }
            if (ended || closing) {
                return null;
            }
            long left = deadline - System.nanoTime();
            if (readable(Math.max(0, Math.min(left, SLICE_NANOS)))) {
                fill();
                continue;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (left <= 0) {
                return null;
            }
        }
    }

    /** Whether every line was given and the pipe has ended (no writer is left), or it was closed. */
    public synchronized boolean ended() {
        return ended && ready.isEmpty();
    }

    private boolean readable(long nanos) {
        pollfd[1] = POLLIN; // revents, the upper half, cleared: the kernel writes it back
        timespec[0] = nanos / 1_000_000_000L;
        timespec[1] = nanos % 1_000_000_000L;
        try {
            return ppoll(pollfd, 1, timespec, null) > 0; // POLLIN, or POLLHUP at the end: read says which
        } catch (LastErrorException e) {
            return e.getErrorCode() != EINTR; // any other failure: the read that follows fails too, and ends it
        }
    }

    /** One read: the lines it completes, dated now; its end, if it read nothing. */
    private void fill() {
        long n;
        try {
            n = read(fd, buffer, CHUNK);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EINTR || e.getErrorCode() == EAGAIN) {
                return;
            }
            n = 0;
        }
        long now = System.nanoTime();
        if (n <= 0) {
            if (partial.size() > 0) {
                ready.add(new Line(partial.toString(StandardCharsets.UTF_8), now));
                partial.reset();
            }
            ended = true;
            return;
        }
        buffer.read(0, chunk, 0, (int) n);
        int from = 0;
        for (int i = 0; i < n; i++) {
            if (chunk[i] == '\n') {
                partial.write(chunk, from, i - from);
                ready.add(new Line(partial.toString(StandardCharsets.UTF_8), now));
                partial.reset();
                from = i + 1;
            }
        }
        partial.write(chunk, from, (int) n - from);
    }

    /**
     * Closes its descriptor. A {@link #next} in another thread returns null at the end of its current slice, and the
     * descriptor is closed after that, never while a ppoll or read of another thread may still use its number.
     */
    @Override
    public void close() {
        closing = true;
        synchronized (this) {
            if (!closed) {
                closed = true;
                ended = true;
                ready.clear();
                closer.clean();
                buffer.close(); // its native memory now, not at a later collection (a campaign reads thousands of workers)
            }
        }
    }
}
