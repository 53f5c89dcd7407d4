package org.shmconform.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.shmconform.backends.host.MountTable;
import org.shmconform.engine.state.PrivateDirectory;
import org.shmconform.engine.state.RunLock;

/**
 * The last step of a run's reaping: its run directory goes, unless a directory of the run is still there because a
 * file system that is not provably the run's is mounted in it ({@link PrivateDirectory#deleteTree} never empties one,
 * as {@code rm --one-file-system}; {@code KeyFileSystem.takeDown} unmounts only the run's own). Then the run directory
 * keeps its lock file and a ledger that names only the directories kept, so that every later reaper (which reaps a
 * run only when it can take its lock: a directory like a run's without one is not provably a dead run,
 * {@code AttacksAsNobodyTest}) tries them again and says why they stay, until the file system is unmounted. Before,
 * the lock file went with the rest, and no later reaper looked at what stayed again, in silence.
 */
final class KeptDirectories {
    /** How a line of the reaping starts when it names a directory of the run it could not remove, and why. */
    static final String KEPT = "kept, not the run's alone: ";

    private KeptDirectories() {
    }

    /**
     * Removes {@code runDir} where nothing of the run stays, else leaves it with its lock and a ledger of what stays.
     *
     * @param elsewhere the run's other directories the reaping removed, by the ledger kind that named them
     * @return one {@link #KEPT} line per directory that stays, with what is mounted in it and the fix
     */
    static List<String> removeRunDirectory(Path runDir, Map<Path, String> elsewhere) {
        Map<Path, String> stay = new LinkedHashMap<>();
        elsewhere.forEach((dir, kind) -> {
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                stay.put(dir, kind);
            }
        });
        Path absolute = runDir.toAbsolutePath().normalize();
        Set<Path> mountedInRun = MountTable.pointsAtOrBelow(absolute);
        if (stay.isEmpty() && mountedInRun.isEmpty()) {
            PrivateDirectory.deleteTree(runDir);
            return Files.exists(runDir, LinkOption.NOFOLLOW_LINKS) ? List.of(KEPT + runDir + ": it could not be removed") : List.of();
        }
        List<String> lines = new ArrayList<>();
        stay.keySet().forEach(dir -> lines.add(KEPT + dir + why(dir)));
        if (!mountedInRun.isEmpty()) {
            lines.add(KEPT + runDir + why(runDir));
        }
        if (!mountedInRun.contains(absolute)) { // where the run directory is itself a mount point, nothing in it is touched
            try {
                keepOnlyLockAndLedgerOf(runDir, stay);
            } catch (IOException e) {
                lines.add(KEPT + runDir + ": its ledger of what stays could not be written: " + e.getMessage());
            }
        }
        return lines;
    }

    private static String why(Path dir) {
        Set<Path> mounts = MountTable.pointsAtOrBelow(dir.toAbsolutePath().normalize());
        return mounts.isEmpty() ? ": it could not be removed (the next run's reaper tries again)"
                : ": another file system is mounted in it, not provably the run's, and was left as it is: "
                + mounts.stream().map(Path::toString).sorted().collect(Collectors.joining(", "))
                + " (fix: umount it; the next run's reaper then removes the directory)";
    }

    /**
     * Everything else in the run directory goes (never through a link, never into a mount); the ledger is replaced,
     * by a rename, with one naming only the directories that stay: the objects the old one recorded are gone, and
     * nothing a later reaper reads may make it remove one again (a System V id is reused).
     */
    private static void keepOnlyLockAndLedgerOf(Path runDir, Map<Path, String> stay) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(runDir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.equals(RunLock.FILE) && !name.equals(Ledger.FILE)) {
                    PrivateDirectory.deleteTree(entry);
                }
            }
        }
        String lines = stay.entrySet().stream().map(e -> e.getValue() + " " + e.getKey() + "\n").collect(Collectors.joining());
        Path part = runDir.resolve(Ledger.FILE + ".kept-" + RunContext.letters(8));
        try (var out = Files.newByteChannel(part, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            out.write(java.nio.ByteBuffer.wrap(lines.getBytes(StandardCharsets.UTF_8)));
        }
        Files.move(part, runDir.resolve(Ledger.FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
