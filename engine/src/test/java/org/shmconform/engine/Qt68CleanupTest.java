package org.shmconform.engine;

import org.shmconform.engine.state.PrivateDirectory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.shmconform.schedule.Steps.attach;
import static org.shmconform.schedule.Steps.create;
import static org.shmconform.schedule.Steps.kill;
import static org.shmconform.schedule.Steps.lock;
import static org.shmconform.schedule.Steps.write;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.history.EventType;
import org.shmconform.history.Execution;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.WorkerSpec;
import org.shmconform.spi.Availability;

/**
 * Issue 11's "not done if": a Qt 6.8 key file, semaphore, /dev/shm name or XDG_RUNTIME_DIR file left
 * behind. On every Qt 6.8 column, a schedule that never detaches (a creator killed while it holds the
 * lock and its last attacher killed too, so the segment outlives both, another creator that simply ends, a worker of another user with its own runtime directory) makes
 * real objects; after the execution nothing of the run is left in /dev/shm, in the run's directories
 * or among the System V objects the ledger recorded, and after the run its directories are gone.
 */
class Qt68CleanupTest {

    @Test
    void nothingIsLeftAfterQt68SchedulesThatEndWithoutDetaching() throws Exception {
        Availability root = Qt68Columns.availability();
        assumeTrue(root.available(), () -> "Qt 6.8 root NOT-AVAILABLE-HERE: " + root.reason());
        boolean asNobody = PrivateDirectory.myUid() == 0;
        RunContext run = RunContext.create();
        Path share;
        List<Ledger.Entry> ledger;
        try {
            ScheduleRunner runner = new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                    ScheduleRunner.Timing.defaults());
            for (String column : Qt68Columns.NAMES) {
                List<WorkerSpec> workers = new ArrayList<>(List.of(WorkerSpec.local("A", column), WorkerSpec.local("B", column),
                        WorkerSpec.local("C", column)));
                List<org.shmconform.schedule.Step> steps = new ArrayList<>(List.of(create("A", "k", 4096), write("A", 0, "left"),
                        attach("B", "k"), lock("A"), kill("A"), kill("B"), create("C", "j", 64)));
                if (asNobody) {
                    workers.add(new WorkerSpec("N", column, "local", "g", "nobody").withTmpdir("n")); // a TMPDIR it may write
                    steps.addAll(List.of(create("N", "n", 64), lock("N")));
                }
                Schedule s = new Schedule("qt68-cleanup", null, workers, steps);
                assertEquals(null, runner.unavailableReason(s));
                Execution x = runner.run(s);
                // The objects were really made: every create succeeded (C's "j" and N's "n" too).
                long created = x.history().events().stream().filter(e -> e.f().equals("create") && e.type() == EventType.ok).count();
                assertEquals(asNobody ? 3 : 2, created, column + ":\n" + x.history().toJsonLines());
                assertNothingInDevShm(run.keyPrefix(), column);
                for (Path dir : run.workerTmps()) {
                    try (Stream<Path> files = Files.list(dir)) {
                        assertEquals(List.of(), files.map(Path::toString).toList(), column + ": left in " + dir);
                    }
                }
            }
            ledger = Ledger.read(run.runDir());
            share = run.workerTmps().get(0).getParent();
            // The ledger found the System V objects behind both kinds of key file (TMPDIR and XDG_RUNTIME_DIR).
            assertTrue(ledger.stream().anyMatch(e -> e.kind().equals("keyfile") && e.fields().get(0).contains("/xdg-")),
                    "no platformSafeKey System V key file recorded");
            // The segments that outlived their killed holders, on both System V columns, were recorded (and so reaped).
            assertTrue(ledger.stream().filter(e -> e.kind().equals("shm")).count() >= 2, "System V segments not recorded:\n"
                    + ledger.stream().map(e -> e.kind() + " " + e.fields()).toList());
            for (SysVObjects.Obj o : SysVObjects.list()) {
                for (Ledger.Entry e : ledger) {
                    boolean same = e.kind().equals(o.kind()) && Integer.parseInt(e.fields().get(0)) == o.id()
                            && Integer.parseInt(e.fields().get(1)) == o.key();
                    assertFalse(same, "left: " + o);
                }
            }
        } finally {
            run.close();
        }
        assertFalse(Files.exists(share, LinkOption.NOFOLLOW_LINKS), "the run's share directory (TMPDIRs, XDG_RUNTIME_DIRs) is left");
        assertNothingInDevShm(run.keyPrefix(), "after the run");
    }

    /**
     * A Qt 6.8 object given a Java posix backend's name (a native-name step) and killed while it holds its lock:
     * its POSIX object and its semaphore, named after the Java name ({@code sem.qipc_sharedmemory_<prefix>...}),
     * are both the run's and both reaped.
     */
    @Test
    void nothingIsLeftOfANativeNamedQtObjectKilledWithItsLock() throws Exception {
        Availability root = Qt68Columns.availability();
        assumeTrue(root.available(), () -> "Qt 6.8 root NOT-AVAILABLE-HERE: " + root.reason());
        RunContext run = RunContext.create();
        try {
            ScheduleRunner runner = new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                    ScheduleRunner.Timing.defaults());
            Schedule s = new Schedule("native-name-cleanup", null, List.of(WorkerSpec.local("A", Qt68Columns.POSIX_NATIVE)),
                    List.of(create("A", org.shmconform.spi.NativeName.of("qt-posix", "k"), 4096), lock("A"), kill("A")));
            Execution x = runner.run(s);
            assertEquals(2, x.history().events().stream().filter(e -> e.type() == EventType.ok && !e.process().equals(org.shmconform.history.Nemesis.PROCESS)
                    && (e.f().equals("create") || e.f().equals("lock"))).count(), x.history().toJsonLines());
            assertTrue(x.notes().stream().anyMatch(n -> n.contains("sem /qipc_sharedmemory_" + run.keyPrefix())), x.notes().toString());
            assertNothingInDevShm(run.keyPrefix(), "after the native-named object's death");
        } finally {
            run.close();
        }
        assertNothingInDevShm(run.keyPrefix(), "after the run");
    }

    private static void assertNothingInDevShm(String prefix, String when) throws IOException {
        try (Stream<Path> names = Files.list(Path.of("/dev/shm"))) {
            assertEquals(List.of(), names.map(p -> p.getFileName().toString()).filter(n -> n.contains(prefix)).toList(),
                    when + ": left in /dev/shm");
        }
    }
}
