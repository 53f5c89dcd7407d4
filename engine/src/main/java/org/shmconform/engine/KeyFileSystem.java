package org.shmconform.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.shmconform.backends.host.MountTable;
import org.shmconform.engine.launch.SystemTools;
import org.shmconform.engine.launch.ToolRun;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * A small ext4 of the run's own, on a loop device, mounted on a worker TMPDIR so that its key files share their file
 * system with no other workers' ({@link RunContext#keyFilesOnAFileSystemOfTheirOwn}: each own-namespace lane's). Qt keys
 * a System V object by ftok() of its key file, which is the file's inode; ext4 gives a new file the lowest free inode,
 * so a key file made after another was unlinked takes its inode, and so its key, and may meet the set that outlived it
 * (a nameless set). One schedule alone on a file system does that the same way every time, as the generator's shadow
 * foresees; two lanes' schedules side by side on one file system take each other's freed inodes in an order nothing
 * foresees (OwnNamespaceLanes). On a file system of its own, a lane reuses inodes as one schedule alone does in the
 * user's TMPDIR on ext4; tmpfs, which reuses none, would hide the Qt behaviour that a reused inode leads to.
 *
 * <p>No journal, as the ext4 of this project's machine, and nosuid, nodev, noexec. The ledger says {@code keyfs <dir>}
 * before anything is made; the image is {@code <run>/keyfs-<dir's name>.img} in the run's private directory, mounted
 * with {@code mount -o loop} (autoclear: the loop device goes with the mount). The reaper takes it down with the run,
 * also after the harness was killed ({@link #takeDown}), only where the mount on that directory is an ext4 whose loop
 * device reads that very image: nothing of another's is ever unmounted.
 */
final class KeyFileSystem {
    /** The ledger line's kind. */
    static final String LEDGER_KIND = "keyfs";
    /** 4 MiB in 1 KiB blocks and 1,024 inodes: a lane's schedule keeps a few key files at a time, removed after it. */
    private static final long IMAGE_BYTES = 4L << 20;

    private KeyFileSystem() {
    }

    /** Where the image of {@code dir}'s file system is: in the run's private directory, named after the TMPDIR. */
    static Path imageOf(Path dir, Path runDir) {
        return runDir.resolve("keyfs-" + dir.getFileName() + ".img");
    }

    /**
     * Makes and mounts the file system on {@code dir} (a fresh, empty TMPDIR of the run, ours), 0700.
     *
     * @return null when mounted, else why not in one line with what fixes it
     */
    static String makeOn(Path dir, Path runDir, Ledger ledger) {
        Path image = imageOf(dir, runDir);
        ledger.write(LEDGER_KIND + " " + dir);
        try {
            // Made in one open, O_EXCL and never through a link, 0600: a sparse file of IMAGE_BYTES (its last byte written).
            try (FileChannel f = FileChannel.open(image, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                f.write(ByteBuffer.allocate(1), IMAGE_BYTES - 1);
            }
            String failed = run(List.of(tool("mkfs.ext4"), "-q", "-F", "-O", "^has_journal", "-m", "0", "-N", "1024", image.toString()));
            if (failed == null) {
                failed = run(List.of(tool("mount"), "-t", "ext4", "-o", "loop,nosuid,nodev,noexec", image.toString(), dir.toString()));
            }
            if (failed != null) {
                Files.deleteIfExists(image);
                return failed;
            }
            PrivateDirectory.setMode(dir, "rwx------"); // the new root, 0755 as mkfs made it
            Files.deleteIfExists(dir.resolve("lost+found")); // an empty TMPDIR, as a fresh one is
            return null;
        } catch (IOException | RuntimeException e) {
            return "cannot make an ext4 for key files on " + dir + ": " + e.getMessage();
        }
    }

    /**
     * Takes down the run's file system on each of {@code dirs} that has one (lazily), before the directories are deleted.
     *
     * @return one line per file system taken down
     */
    static List<String> takeDown(List<Path> dirs, Path runDir) {
        List<String> lines = new ArrayList<>();
        for (Path dir : dirs) {
            Optional<MountTable.Mount> m = MountTable.on(dir);
            Path image = imageOf(dir, runDir);
            if (m.isPresent() && m.get().type().equals("ext4")
                    && MountTable.loopBackingFile(m.get().source()).filter(image::equals).isPresent() && MountTable.detach(dir)) {
                lines.add("ext4 " + m.get().source() + " (" + image + ") on " + dir);
            }
        }
        return lines;
    }

    private static String tool(String name) {
        try {
            return SystemTools.path(name);
        } catch (RuntimeException e) {
            throw new IllegalStateException(name + " is not installed (fix: apt-get install e2fsprogs mount)", e);
        }
    }

    /** Runs a system tool with the trusted PATH; null if it exited 0, else its command and first line of output. */
    private static String run(List<String> argv) {
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().put("PATH", SystemTools.trustedPath());
        ToolRun r = ToolRun.merged(pb, Duration.ofSeconds(30));
        String out = r.output().strip();
        return r.ok() ? null : r.exitCode() == ToolRun.TIMED_OUT ? out : String.join(" ", argv) + ": exit " + r.exitCode()
                + (out.isEmpty() ? "" : ": " + out.lines().findFirst().orElse(""));
    }
}
