package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.schedule.Steps.attach;
import static org.shmconform.schedule.Steps.create;
import static org.shmconform.schedule.Steps.detach;
import static org.shmconform.schedule.Steps.kill;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.shmconform.schedule.Step;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.host.FileSystems;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.sysv.QtKeyFile;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.engine.state.PrivateDirectory;
import org.shmconform.history.Execution;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.WorkerSpec;

/**
 * Another program's System V segment made while the run goes on (after its start second), at the ftok value a key file
 * of the run then gets: what a program that unlinks its key files and keeps its segments (Qt 6.8's platform-safe keys,
 * a test's maker) leaves on ext4, which gives the freed inode to the next file made in the flex group, the run's key
 * files included. Trigger: `fuzz -b qt` beside such a program FAILed CREATE-SIZE ("create(200) of a new key returned
 * false (AlreadyExists)") in its first 8 schedules, and two campaigns logged the same FAIL once each: only objects older
 * than the run counted as another program's, so this one made the create's AlreadyExists the backend's answer.
 * Planted as {@link ForeignObjectAtAKeyTest} plants (a window of inodes after a probe's, on tmpfs), but after the run
 * started. The execution must say what it met and never FAIL for it. Two shapes: B attaches the segment met and
 * detaches, which removes it (Qt's last detach does, whoever made it), so only what the workers were proven to use
 * tells it at the end; B attaches it and is killed, which leaves it with B its last user, so the ledger recorded it as
 * the run's and the reaper removed another program's segment: it must stay.
 */
class ForeignObjectMadeDuringTheRunTest {
    private static final int WINDOW = 1_500;

    @Test
    void aSegmentMetThenAttachedAndDetachedByAWorkerIsToldThoughGoneNeverAFailure() throws Exception {
        inAStateDirectoryOnTmpfs(List.of(create("A", "k", 64), attach("B", "k"), detach("B"), detach("A")), false);
    }

    @Test
    void aSegmentMetThenAttachedByAKilledWorkerIsToldNeverAFailureAndNeverRemoved() throws Exception {
        inAStateDirectoryOnTmpfs(List.of(create("A", "k", 64), attach("B", "k"), kill("B"), detach("A")), true);
    }

    private static void inAStateDirectoryOnTmpfs(List<Step> steps, boolean allStay) throws Exception {
        Path dir = Path.of("/dev/shm/shmconform-test-" + RunContext.letters(8));
        Assumptions.assumeTrue(Files.isDirectory(dir.getParent()) && FileSystems.name(FileSystems.fType(dir.getParent())).equals("tmpfs"),
                "/dev/shm is not a tmpfs here");
        // The columns' availability is taken once per JVM, the Qt worker's binary with it: in the default state directory,
        // not in this test's, which is gone when a later test of the JVM asks for that binary.
        Subjects.here();
        PrivateDirectory.createFresh(dir, "rwx------");
        try (KeyFileTurns.Turn turn = KeyFileTurns.hold()) {
            System.setProperty(RunContext.STATE_DIR_PROPERTY, dir.resolve("state").toString());
            try (RunContext warm = RunContext.create()) {
                new WorkerCommands(warm).command("sysv", null, null); // its cache now, not between the probe and the key files
            }
            try (RunContext run = RunContext.create()) {
                plantAndRun(run, steps, allStay);
            }
        } finally {
            System.clearProperty(RunContext.STATE_DIR_PROPERTY);
            PrivateDirectory.deleteTree(dir);
        }
    }

    private static void plantAndRun(RunContext run, List<Step> steps, boolean allStay) throws Exception {
        Path tmp = run.workerTmp();
        Path probe = Files.createTempFile(RunContext.shareRoot(), "probe", "");
        long dev = (Long) Files.getAttribute(probe, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        long ino = (Long) Files.getAttribute(probe, "unix:ino", LinkOption.NOFOLLOW_LINKS);
        Files.delete(probe);
        List<SysVObjects.Segment> planted = new ArrayList<>();
        try {
            Set<Integer> ids = new HashSet<>();
            for (int i = 0; i < WINDOW; i++) {
                int id = LibC.INSTANCE.shmget(QtKeyFile.ftok(dev, ino + i), 1, LibC.IPC_CREAT | LibC.IPC_EXCL | 0600);
                if (id >= 0) {
                    ids.add(id);
                }
            }
            planted.addAll(SysVObjects.segments().stream().filter(s -> ids.contains(s.id())).toList());
            assertEquals(ids.size(), planted.size());
            assertTrue(planted.stream().allMatch(p -> p.ctime() >= run.ledger().startSecond()), "made during the run");
            ScheduleRunner runner = new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                    ScheduleRunner.Timing.defaults());
            Schedule s = new Schedule("foreign-during-run", null, List.of(WorkerSpec.local("A", "sysv"), WorkerSpec.local("B", "sysv")),
                    steps);
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
            if (!allStay) {
                return;
            }
            Set<String> still = SysVObjects.segments().stream().map(seg -> seg.id() + "@" + seg.ctime()).collect(Collectors.toSet());
            assertEquals(planted.size(), planted.stream().filter(p -> still.contains(p.id() + "@" + p.ctime())).count(),
                    "every planted segment is still there: the run never removes what it did not make, a worker's attach"
                            + " notwithstanding\n" + told);
        } finally {
            Set<String> ours = planted.stream().map(p -> p.id() + "@" + p.ctime()).collect(Collectors.toSet());
            SysVObjects.segments().stream().filter(seg -> ours.contains(seg.id() + "@" + seg.ctime()))
                    .forEach(seg -> SysVObjects.remove(seg.obj()));
        }
    }
}
