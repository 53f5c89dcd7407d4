package org.shmconform.engine.launch;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.OptionalLong;
import org.shmconform.backends.host.Fifo;
import org.shmconform.backends.host.Pidfd;

/**
 * A worker that another worker starts as its own child (spawnChild): not a child of the harness, so
 * the harness reaches its stdin, stdout and stderr through three FIFOs it makes first
 * ({@code <base>.stdin}, {@code .stdout}, {@code .stderr}, 0600, the worker's user's, in a directory
 * of the harness's that this user can pass through but not write), which the parent opens in the child before exec, and reaches the process itself
 * through a pidfd once the parent names it: SIGKILL through the pidfd, "reaped" when the pidfd turns
 * readable (the kernel has run its exit: descriptors closed, mappings gone), whoever its parent is by
 * then (its parent may have been killed before it).
 *
 * <p>The harness holds the stdin FIFO open read-write, so the child's open never waits for it and the
 * child sees end of file when the harness closes it; stdout and stderr are opened by the harness's
 * reader threads, each waiting in open() until the child opens its end. {@link #release} wakes such
 * an open if the child never came (it opens the FIFO itself for a moment), so no thread is left behind.
 *
 * <p>The exit status of a process is told to its parent only: this handle reports 128+9 after its
 * own SIGKILL; when the child ended by itself, what the kernel tells the pidfd's holder, or -1 (unknown) where it
 * does not ({@link PinnedProcess}).
 */
public final class SpawnedChildHandle implements WorkerHandle {
    private final Path stdinPath;
    private final Path stdoutPath;
    private final Path stderrPath;
    private final FileChannel stdin;
    private volatile PinnedProcess pinned;
    private volatile long hostPid = -1;
    private volatile boolean released;

    private SpawnedChildHandle(Path base, FileChannel stdin) {
        this.stdinPath = suffixed(base, ".stdin");
        this.stdoutPath = suffixed(base, ".stdout");
        this.stderrPath = suffixed(base, ".stderr");
        this.stdin = stdin;
    }

    /** Makes the three FIFOs at {@code base} for a child running as {@code uid} (-1: ours) and opens the harness's end of stdin. */
    public static SpawnedChildHandle prepare(Path base, int uid) throws IOException {
        Path in = suffixed(base, ".stdin");
        Fifo.make(in, uid);
        Fifo.make(suffixed(base, ".stdout"), uid);
        Fifo.make(suffixed(base, ".stderr"), uid);
        // Read-write: a FIFO's open for writing alone would wait for the child (Linux opens O_RDWR at once).
        return new SpawnedChildHandle(base, FileChannel.open(in, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS));
    }

    private static Path suffixed(Path base, String suffix) {
        return base.resolveSibling(base.getFileName() + suffix);
    }

    /**
     * The parent started it: the process, as the harness's pid namespace numbers it, pinned by {@code pidfd} from now on,
     * which the caller opened before it proved the process the parent's child (SpawnedChildren).
     */
    public void started(long pid, Pidfd pidfd) {
        this.hostPid = pid;
        this.pinned = new PinnedProcess(pidfd, null);
    }

    @Override
    public OutputStream stdin() {
        return Channels.newOutputStream(stdin);
    }

    @Override
    public InputStream stdout() {
        return open(stdoutPath);
    }

    @Override
    public InputStream stderr() {
        return open(stderrPath);
    }

    /** Waits in open() until the child opens its end (or {@link #release} wakes it); an empty stream once released. */
    private InputStream open(Path fifo) {
        if (released) {
            return InputStream.nullInputStream();
        }
        try {
            return new FileInputStream(fifo.toFile());
        } catch (IOException e) {
            return InputStream.nullInputStream();
        }
    }

    @Override
    public void kill() {
        PinnedProcess p = pinned;
        if (p != null) {
            p.kill();
        }
    }

    @Override
    public Integer awaitExit(Duration timeout) throws InterruptedException {
        PinnedProcess p = pinned;
        return p == null ? -1 : p.awaitExit(timeout); // never started (or gone before it was pinned): nothing to wait for
    }

    @Override
    public boolean isAlive() {
        PinnedProcess p = pinned;
        return p != null && p.isAlive();
    }

    @Override
    public OptionalLong hostPid() {
        return hostPid < 0 ? OptionalLong.empty() : OptionalLong.of(hostPid);
    }

    /** Closes the harness's ends, wakes a reader still waiting in open(), removes the FIFOs. */
    @Override
    public void release() {
        released = true;
        try {
            stdin.close();
        } catch (IOException e) {
            // closed already
        }
        for (Path fifo : new Path[] {stdoutPath, stderrPath}) {
            try (FileChannel wake = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                // A reader waiting in open() for a writer proceeds, and then reads end of file.
            } catch (IOException e) {
                // gone already
            }
        }
        for (Path fifo : new Path[] {stdinPath, stdoutPath, stderrPath}) {
            try {
                Files.deleteIfExists(fifo);
            } catch (IOException e) {
                // the run's directory goes with the run
            }
        }
        PinnedProcess p = pinned;
        if (p != null) {
            p.release();
        }
    }
}
