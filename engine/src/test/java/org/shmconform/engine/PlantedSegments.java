package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.host.FileSystems;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.sysv.QtKeyFile;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.engine.state.PrivateDirectory;
import org.shmconform.history.Execution;

/**
 * Another program's System V segments for the foreign-object tests (ForeignObjectAtAKeyTest,
 * ForeignObjectMadeDuringTheRunTest, ForeignObjectGoneByTheEndTest): one at the ftok value of each inode of a window that
 * starts at a probe file's, in the directory the run's TMPDIRs are made in, where a key file of the run may land. Each
 * is known by its id and change time, so that nothing but what was planted is ever removed (a segment id is reused once
 * its segment is gone).
 */
final class PlantedSegments implements AutoCloseable {
    /** How many inode numbers get a segment: the files the run and its worker make before the key files, and gaps. */
    static final int WINDOW = 1_500;
    private final long firstInode;
    private final Set<Integer> keys = ConcurrentHashMap.newKeySet();
    /** Each planted segment as {@code id@ctime}. */
    private final Set<String> planted = ConcurrentHashMap.newKeySet();

    private PlantedSegments(long firstInode) {
        this.firstInode = firstInode;
    }

    /** A test body run in a state directory of its own. */
    interface Body {
        void run() throws Exception;
    }

    /**
     * Runs {@code body} with the run's state directory on a fresh private directory in /dev/shm (tmpfs numbers new files
     * in order, so a run's key files take the inodes after a probe's; on ext4 a run beside the test makes them miss the
     * window), skipped where /dev/shm is not a tmpfs. The columns' availability is taken first, in the default state
     * directory (the Qt worker's binary with it, which a later test of the JVM asks for once this one is gone), and the
     * sysv worker's class path and archive are made in the new cache before the body, not between its probe and the key
     * files.
     */
    static void inAStateDirectoryOnTmpfs(Body body) throws Exception {
        Path dir = Path.of("/dev/shm/shmconform-test-" + RunContext.letters(8));
        Assumptions.assumeTrue(Files.isDirectory(dir.getParent()) && FileSystems.name(FileSystems.fType(dir.getParent())).equals("tmpfs"),
                "/dev/shm is not a tmpfs here");
        Subjects.here();
        PrivateDirectory.createFresh(dir, "rwx------");
        PlantedRemover remover = PlantedRemover.get();
        if (remover != null) {
            remover.directory(dir); // removed, with what its runs made, if this JVM is killed before the finally below
        }
        try {
            System.setProperty(RunContext.STATE_DIR_PROPERTY, dir.resolve("state").toString());
            try (RunContext warm = RunContext.create()) {
                new WorkerCommands(warm).command("sysv", null, null);
            }
            body.run();
        } finally {
            System.clearProperty(RunContext.STATE_DIR_PROPERTY);
            PrivateDirectory.deleteTree(dir);
            if (remover != null) {
                remover.removedDirectory(dir);
            }
        }
    }

    /** Where the run's next key files land: the device and inode a probe file in its share root got, the file gone again. */
    record Probe(long dev, long ino) {
        static Probe ofTheShareRoot() throws java.io.IOException {
            Path probe = Files.createTempFile(RunContext.shareRoot(), "probe", "");
            long dev = (Long) Files.getAttribute(probe, "unix:dev", LinkOption.NOFOLLOW_LINKS);
            long ino = (Long) Files.getAttribute(probe, "unix:ino", LinkOption.NOFOLLOW_LINKS);
            Files.delete(probe);
            return new Probe(dev, ino);
        }

        /**
         * Asks {@code make} for an object at the ftok value of each of the {@link #WINDOW} inodes from the probe's on, and
         * tells {@code made} of each it made (key, id; a negative id: none, e.g. the key is taken).
         */
        void plant(java.util.function.IntUnaryOperator make, java.util.function.BiConsumer<Integer, Integer> made) {
            for (int i = 0; i < WINDOW; i++) {
                int key = QtKeyFile.ftok(dev, ino + i);
                int id = make.applyAsInt(key);
                if (id >= 0) {
                    made.accept(key, id);
                }
            }
        }
    }

    /** Plants the window's segments (1 byte each) after a probe file's inode in the run's share root. */
    static PlantedSegments afterAProbe() throws Exception {
        Probe probe = Probe.ofTheShareRoot();
        PlantedSegments p = new PlantedSegments(probe.ino());
        try {
            Set<Integer> ids = new HashSet<>();
            probe.plant(key -> LibC.INSTANCE.shmget(key, 1, LibC.IPC_CREAT | LibC.IPC_EXCL | 0600), (key, id) -> {
                ids.add(id);
                p.keys.add(key);
            });
            List<SysVObjects.Segment> made = SysVObjects.segments().stream().filter(s -> ids.contains(s.id())).toList();
            made.forEach(s -> p.planted.add(s.id() + "@" + s.ctime()));
            p.tellTheRemover(made);
            assertEquals(ids.size(), made.size());
        } catch (RuntimeException | AssertionError e) {
            p.close();
            throw e;
        }
        return p;
    }

    /** The ftok values planted at. */
    Set<Integer> keys() {
        return keys;
    }

    /** The planted segments that are still there. */
    List<SysVObjects.Segment> stillThere() {
        return SysVObjects.segments().stream().filter(s -> planted.contains(s.id() + "@" + s.ctime())).toList();
    }

    /** Skips the test, saying so, when none of the run's segment key files took one of the window's inodes. */
    void assumeAKeyFileOfTheRunTookOne(RunContext run, Path tmp) {
        List<String> hit = Ledger.read(run.runDir()).stream().filter(e -> e.kind().equals("keyfile")
                && e.fields().get(0).contains(QtKeys.SHARED_MEMORY_PREFIX)
                && keys.contains(Integer.parseInt(e.fields().get(3)))).map(e -> e.fields().get(0)).toList();
        Assumptions.assumeFalse(hit.isEmpty(), "no segment key file of the run took one of the " + WINDOW + " inodes from "
                + firstInode + " on " + FileSystems.name(FileSystems.fType(tmp)) + ": nothing was met");
    }

    /** The trial's execution said what it met, and the trial is no FAIL; what it said. */
    static String assertToldAndNeverAFailure(Trial t) {
        Execution x = t.execution();
        String told = String.join("\n", x.problems()) + "\n" + String.join("\n", x.notes());
        assertTrue(told.contains(Execution.FOREIGN_OBJECT), "the execution says what it met:\n" + told + "\n" + x.history().events());
        assertFalse(t.fails(), "a FAIL from another program's segment: " + t.failure());
        return told;
    }

    /** Every planted segment is still there: the run never touches what it did not make. */
    void assertAllStillThere(String why) {
        assertEquals(planted.size(), stillThere().size(), "every planted segment is still there: " + why);
    }

    /** The segments' ids, for {@link #close()} to tell the remover they are gone. */
    private final Set<Integer> ids = ConcurrentHashMap.newKeySet();

    /** {@link PlantedRemover} removes them if this JVM dies before {@link #close()}. */
    private void tellTheRemover(List<SysVObjects.Segment> made) {
        PlantedRemover remover = PlantedRemover.get();
        for (SysVObjects.Segment s : made) {
            ids.add(s.id());
            if (remover != null) {
                remover.planted("shm", s.id(), s.key());
            }
        }
    }

    /** Removes what is still there of what was planted, and nothing else. */
    @Override
    public void close() {
        stillThere().forEach(s -> SysVObjects.remove(s.obj()));
        PlantedRemover remover = PlantedRemover.get();
        if (remover != null) {
            ids.forEach(id -> remover.removed("shm", id));
        }
    }
}
