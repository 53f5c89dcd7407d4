package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.shmconform.schedule.Steps.attach;
import static org.shmconform.schedule.Steps.create;
import static org.shmconform.schedule.Steps.read;
import static org.shmconform.schedule.Steps.truncate;
import static org.shmconform.schedule.Steps.write;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.shmconform.checker.ScheduleChecker;
import org.shmconform.checker.Verdict;
import org.shmconform.engine.env.IpcShmNamespaceEnvironment;
import org.shmconform.history.Execution;
import org.shmconform.history.HistoryEvent;
import org.shmconform.model.Property;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.WorkerSpec;
import org.shmconform.spi.Availability;

/**
 * Qt's POSIX create reserves no memory (a sparse ftruncate), so a write into a segment whose tmpfs has no room left dies
 * of SIGBUS; what filled the tmpfs may be any program's objects. Before, the checker judged that crash a DATA-SHARED
 * FAIL, a verdict of the machine's state at that moment. Now the Qt worker says the room its /dev/shm had when it faulted,
 * and a SIGBUS with no room for a page makes the execution UNKNOWN (an outside hand), a FAIL included; a SIGBUS with room
 * (past a truncated end) is still the model's to judge. The tmpfs is the private /dev/shm of an ipcns+shm group, 1 MiB,
 * which the first schedule's own writes fill: the fault is certain, not timed.
 */
class FullTmpfsSigbusTest {
    private static final int KIB = 1 << 10;

    @Test
    void aWriteThatFindsTheTmpfsFullIsUnknownNotADataSharedFail() throws Exception {
        // Two segments of 512 KiB each, written whole: 1 MiB of pages and the lock semaphores' into a 1 MiB tmpfs.
        List<Step> steps = new ArrayList<>(List.of(create("A", "k", 512L * KIB), create("B", "j", 512L * KIB)));
        String quarter = "x".repeat(128 * KIB);
        for (int i = 0; i < 4; i++) {
            steps.add(write("A", (long) i * 128 * KIB, quarter));
            steps.add(write("B", (long) i * 128 * KIB, quarter));
        }
        run(Qt68Columns.POSIX, Qt68Columns.POSIX, steps, List.of(), (x, judged) -> {
            assertTrue(x.problems().stream().anyMatch(p -> p.startsWith(Execution.FULL_TMPFS) && p.contains("signal 7 (SIGBUS)")
                    && p.contains("bytes free of 1048576")), "the crash is the full tmpfs's, whose size the worker said: " + x.problems());
            assertFalse(judged.fails(), "no FAIL stands on a fault of a full tmpfs: " + judged.results());
            assertTrue(judged.results().stream().anyMatch(r -> r.verdict() == Verdict.UNKNOWN), "UNKNOWN: " + judged.results());
        });
    }

    @Test
    void aSigbusPastATruncatedEndWithRoomLeftIsStillTheModelsToJudge() throws Exception {
        List<Step> steps = List.of(create("A", "k", 16384), write("A", 8192, "far-page"), attach("B", "k"), truncate("A", 4096),
                read("B", 8192, 8));
        run(Qt68Columns.POSIX, Qt68Columns.POSIX, steps, List.of(Property.TRUNCATION_CRASHES), (x, judged) -> {
            assertEquals(List.of(), x.problems().stream().filter(p -> p.startsWith(Execution.FULL_TMPFS)).toList(),
                    "the tmpfs had room: the SIGBUS is the truncation's");
            assertEquals(List.of(Verdict.PASS), judged.results().stream().map(r -> r.verdict()).toList(), judged.results().toString());
        });
    }

    private interface Judged {
        void check(Execution x, ScheduleChecker.Outcome judged);
    }

    /** Runs {@code steps} by workers A and B of {@code impl} in a 1 MiB ipcns+shm group; judges it under {@code column}'s profile. */
    private static void run(String impl, String column, List<Step> steps, List<Property> properties, Judged judged) throws Exception {
        Availability here = Subjects.here().availability(impl);
        assumeTrue(here.available(), () -> impl + " NOT-AVAILABLE-HERE: " + here.reason());
        try (IpcShmNamespaceEnvironment env = new IpcShmNamespaceEnvironment("1m"); RunContext run = RunContext.create()) {
            assumeTrue(env.availability().available(), () -> "ipcns+shm NOT-AVAILABLE-HERE: " + env.availability().reason());
            ScheduleRunner runner = new ScheduleRunner(run, Map.of(env.name(), env), ScheduleRunner.Timing.defaults());
            Schedule s = new Schedule("full-tmpfs", null, List.of(new WorkerSpec("A", impl, env.name(), "g", null),
                    new WorkerSpec("B", impl, env.name(), "g", null)), steps);
            // One execution, judged as Trial judges it (Trial would run it again, in a tmpfs this one's dead workers left full).
            Execution x = runner.run(s);
            HistoryEvent crash = x.history().events().stream().filter(e -> "crashed".equals(e.note())).findFirst().orElse(null);
            assertNotNull(crash, "a worker died of SIGBUS:\n" + x.history().toJsonLines());
            assertEquals(0, x.problems().stream().filter(p -> p.startsWith(Execution.ENDED_FROM_OUTSIDE)).count(),
                    "a SIGBUS is a fault of the worker's own access, not an outside signal: " + x.problems());
            judged.check(x, ScheduleChecker.check(x, column, properties, Subjects.here()));
        }
    }
}
