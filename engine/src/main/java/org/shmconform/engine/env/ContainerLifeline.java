package org.shmconform.engine.env;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Ties a container's life to the harness's JVM. A container's processes are not children of the
 * harness, so the parent-death signal cannot reach them; instead its main process reads a FIFO
 * that only the harness holds open for writing. When the harness dies, even by SIGKILL, the kernel
 * closes that descriptor, the read sees end-of-file, the main process exits and the container
 * stops: every worker exec'd into it (and every container sharing its pid namespace) is killed by
 * the kernel with it. The stopped container is removed by the next run's sweep.
 *
 * <p>The FIFO is in a fresh 0700 directory inside the run's directory (which the reaper removes),
 * mounted read-only into the containers at the same path; children the harness starts do not
 * inherit the descriptor (the JDK closes every descriptor but 0-2 in a child).
 */
final class ContainerLifeline implements AutoCloseable {
    private final Path dir;
    private final Path fifo;
    private final RandomAccessFile held;

    private ContainerLifeline(Path dir, Path fifo, RandomAccessFile held) {
        this.dir = dir;
        this.fifo = fifo;
        this.held = held;
    }

    /** @param parent a directory only the harness's user may write to (the run's directory) */
    static ContainerLifeline create(Path parent) throws IOException {
        Path dir = Files.createTempDirectory(parent, "lifeline-"); // 0700, unguessable
        Path fifo = dir.resolve("fifo");
        ToolRun mk = ToolRun.of(Duration.ofSeconds(10), org.shmconform.engine.launch.SystemTools.path("mkfifo"), "-m", "0600", fifo.toString());
        if (!mk.ok()) {
            Files.deleteIfExists(dir);
            throw new IOException("mkfifo " + fifo + " failed: " + mk.lastLine());
        }
        // Read-write: opening never blocks (it is its own writer), and the write end lives exactly as long as this JVM.
        return new ContainerLifeline(dir, fifo, new RandomAccessFile(fifo.toFile(), "rw"));
    }

    /** The directory to mount read-only at the same path. */
    Path dir() {
        return dir;
    }

    /**
     * The container's main command: wait for the harness to go, then exit. No timeout: the container lives exactly as long
     * as the harness's JVM (its environment removes it before, at close). A timeout (it was the environment's 6-hour
     * lifetime) stopped every container of a longer soak under a live harness, and the kernel then killed their workers,
     * whose ends were judged as the backend's crashes (ContainerLifelineTest).
     */
    List<String> mainCommand() {
        return List.of("/bin/bash", "-c", "read -r _ < '" + fifo + "'; exit 0");
    }

    @Override
    public void close() {
        try {
            held.close();
            Files.deleteIfExists(fifo);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // the run's reaper removes the directory
        }
    }
}
