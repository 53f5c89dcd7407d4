package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.schedule.Steps.create;
import static org.shmconform.schedule.Steps.detach;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.host.FileSystems;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.engine.state.PrivateDirectory;
import org.shmconform.history.Execution;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.WorkerSpec;

/**
 * Another program's System V segment whose key is the ftok value a key file of the run gets (Qt applications key theirs
 * by ftok of their own files with project 'Q' too): a create through that file meets it. Planted here before the run's
 * key files exist, at the ftok values of the inode a probe file got in the directory the run's TMPDIRs are made in and
 * of the numbers after it (the run's state directory is on tmpfs, /dev/shm, which gives a new file the next number), as
 * a program started before the run would have made it; a run whose key files took none of those inodes tells nothing
 * (skipped, saying so). The execution must say so and end UNKNOWN, or pass once run again on fresh key files, never
 * FAIL as if the backend had answered AlreadyExists on its own (CREATE-SIZE, which it did before); and nothing planted
 * is touched. Seen here: all three executions met one (each new key file took a later inode of the window), and the
 * trial ended UNKNOWN naming the segment, its key and the key file. Without the ledger's look at the execution's key
 * files (Ledger.foreignAtKeysOf) the trial FAILs (checked).
 */
class ForeignObjectAtAKeyTest {
    /** How many inode numbers get a segment: the files the run and its worker make before the key files, and gaps. */
    private static final int WINDOW = 1_500;

    @Test
    void aCreateThatMeetsAnotherProgramsSegmentAtItsKeyIsUnknownOrRunAgainNeverAFailure() throws Exception {
        List<SysVObjects.Segment> planted = new ArrayList<>();
        // The System V key files' turn, from before the segments until they are gone: a run beside this test (its
        // `./mvnw -B verify` beside a `shmconform run`) would meet them too; its System V schedules wait for the turn.
        // A state directory on tmpfs, which numbers its files in order: on the default one (ext4 here), a run beside this
        // test made and removed files in the same groups, and the key files missed the window (skipped in a verify).
        Path dir = Path.of("/dev/shm/shmconform-test-" + RunContext.letters(8));
        Assumptions.assumeTrue(Files.isDirectory(dir.getParent()) && FileSystems.name(FileSystems.fType(dir.getParent())).equals("tmpfs"),
                "/dev/shm is not a tmpfs here");
        PrivateDirectory.createFresh(dir, "rwx------");
        try (KeyFileTurns.Turn turn = KeyFileTurns.hold()) {
            System.setProperty(RunContext.STATE_DIR_PROPERTY, dir.resolve("state").toString());
            plantAndRun(planted);
        } finally {
            System.clearProperty(RunContext.STATE_DIR_PROPERTY);
            PrivateDirectory.deleteTree(dir);
        }
    }

    private static void plantAndRun(List<SysVObjects.Segment> planted) throws Exception {
        // The worker's class path and class-data archive, made in the new state directory's cache now, not between the
        // probe and the key files (a few dozen files: under load the key files then missed the window).
        try (RunContext warm = RunContext.create()) {
            new WorkerCommands(warm).command("sysv", null, null);
        }
        // Before the run, as another program's: in the directory the run's TMPDIRs are made in (the same file system).
        Path probe = Files.createTempFile(RunContext.shareRoot(), "probe", "");
        long dev = (Long) Files.getAttribute(probe, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        long ino = (Long) Files.getAttribute(probe, "unix:ino", LinkOption.NOFOLLOW_LINKS);
        Files.delete(probe);
        try {
            Set<Integer> ids = new java.util.HashSet<>();
            for (int i = 0; i < WINDOW; i++) {
                int id = LibC.INSTANCE.shmget(org.shmconform.backends.sysv.QtKeyFile.ftok(dev, ino + i), 1, LibC.IPC_CREAT | LibC.IPC_EXCL | 0600);
                if (id >= 0) {
                    ids.add(id);
                }
            }
            planted.addAll(SysVObjects.segments().stream().filter(s -> ids.contains(s.id())).toList());
            assertEquals(ids.size(), planted.size());
            Thread.sleep(1100); // the run starts a second after these: an object older than the run is not the run's
            runBeside(planted, ino);
        } finally {
            Set<String> ours = planted.stream().map(p -> p.id() + "@" + p.ctime()).collect(Collectors.toSet());
            SysVObjects.segments().stream().filter(seg -> ours.contains(seg.id() + "@" + seg.ctime()))
                    .forEach(seg -> SysVObjects.remove(seg.obj()));
        }
    }

    private static void runBeside(List<SysVObjects.Segment> planted, long ino) throws Exception {
        try (RunContext run = RunContext.create()) {
            Path tmp = run.workerTmp();
            ScheduleRunner runner = new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                    ScheduleRunner.Timing.defaults());
            Schedule s = new Schedule("foreign-at-key", null, List.of(WorkerSpec.local("A", "sysv")),
                    List.of(create("A", "k", 64), detach("A")));
            Trial t = Trial.run(runner, s, "sysv", List.of());
            Execution x = t.execution();
            Set<Integer> keys = planted.stream().map(SysVObjects.Segment::key).collect(Collectors.toSet());
            List<String> hit = Ledger.read(run.runDir()).stream().filter(e -> e.kind().equals("keyfile")
                    && e.fields().get(0).contains(org.shmconform.backends.QtKeys.SHARED_MEMORY_PREFIX)
                    && keys.contains(Integer.parseInt(e.fields().get(3)))).map(e -> e.fields().get(0)).toList();
            Assumptions.assumeFalse(hit.isEmpty(), "no segment key file of the run took one of the " + WINDOW + " inodes from "
                    + ino + " on " + FileSystems.name(FileSystems.fType(tmp)) + ": nothing was met");
            String told = String.join("\n", x.problems()) + "\n" + String.join("\n", x.notes());
            assertTrue(told.contains(Execution.FOREIGN_OBJECT), "the execution says what it met:\n" + told + "\n" + x.history().events());
            assertFalse(t.fails(), "a FAIL from another program's segment: " + t.failure());
            if (!x.problems().isEmpty()) {
                assertTrue(x.metAForeignObject(), "UNKNOWN for that reason: " + x.problems());
                assertTrue(t.unknown() != null, "an execution that met it is UNKNOWN");
            }
            Set<String> still = SysVObjects.segments().stream().map(seg -> seg.id() + "@" + seg.ctime()).collect(Collectors.toSet());
            assertEquals(planted.size(), planted.stream().filter(p -> still.contains(p.id() + "@" + p.ctime())).count(),
                    "every planted segment is still there: the run never touches what it did not make");
        }
    }
}
