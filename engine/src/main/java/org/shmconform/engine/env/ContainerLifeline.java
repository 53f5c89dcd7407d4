package org.shmconform.engine.env;

import org.shmconform.engine.launch.ToolRun;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.shmconform.backends.host.Fifo;
import org.shmconform.backends.host.OfdLockFile;
import org.shmconform.engine.state.PrivateDirectory;
import org.shmconform.engine.state.RunsBeingMade;

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
public final class ContainerLifeline implements AutoCloseable {
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
        // Made while this harness holds the makers' shared lock: a reaper removes a lifeline nobody holds open
        // (removeUnheld) only while no harness makes one, so never one between its mkfifo and its open.
        try (OfdLockFile making = RunsBeingMade.hold()) {
            Path dir = Files.createTempDirectory(parent, PREFIX); // 0700, unguessable
            Path fifo = dir.resolve(FIFO);
            ToolRun mk = ToolRun.of(Duration.ofSeconds(10), org.shmconform.engine.launch.SystemTools.path("mkfifo"), "-m", "0600", fifo.toString());
            if (!mk.ok()) {
                Files.deleteIfExists(dir);
                throw new IOException("mkfifo " + fifo + " failed: " + mk.lastLine());
            }
            // Read-write: opening never blocks (it is its own writer), and the write end lives exactly as long as this JVM.
            return new ContainerLifeline(dir, fifo, new RandomAccessFile(fifo.toFile(), "rw"));
        }
    }

    static final String PREFIX = "lifeline-";
    private static final String FIFO = "fifo";

    /**
     * Removes the lifelines in {@code root} (the state directory, where an environment whose run has no directory makes
     * its own) that no process holds open: their harness is gone, and with it, at the FIFO's end of file, every container
     * on them. A run's directory, where the others are, goes whole with its run (Reaper). Found so: five such
     * directories from tests and runs of one morning, each left by a harness that ended without closing its environment
     * or was killed. Only while no harness is making one ({@link RunsBeingMade#noneBeingMade}); only a directory of this
     * name (not a link) whose FIFO (not a link) a non-blocking open for writing finds without a reader (ENXIO): the
     * harness holds its own open read-write as long as it lives, a container's reader as long as it waits.
     *
     * @return one line for each lifeline removed
     */
    public static List<String> removeUnheld(Path root) {
        List<String> removed = new java.util.ArrayList<>();
        try (OfdLockFile noneBeingMade = RunsBeingMade.noneBeingMade()) {
            if (noneBeingMade == null) {
                return removed; // a harness is making one: the next reaper decides
            }
            try (java.nio.file.DirectoryStream<Path> dirs = Files.newDirectoryStream(root, PREFIX + "*")) {
                for (Path dir : dirs) {
                    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && heldByNobody(dir.resolve(FIFO))) {
                        PrivateDirectory.deleteTree(dir);
                        removed.add("containers' lifeline of a harness that is gone: " + dir);
                    }
                }
            } catch (IOException e) {
                removed.add("could not list " + root + ": " + e.getMessage());
            }
        }
        return removed;
    }

    /** Whether {@code fifo} is a FIFO (not a link) that no process has open for reading. */
    static boolean heldByNobody(Path fifo) {
        return Fifo.hasNoReader(fifo);
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
