package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.schedule.Steps.attach;
import static org.shmconform.schedule.Steps.create;
import static org.shmconform.schedule.Steps.detach;
import static org.shmconform.schedule.Steps.kill;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
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
    @Test
    void aSegmentMetThenAttachedAndDetachedByAWorkerIsToldThoughGoneNeverAFailure() throws Exception {
        inAStateDirectoryOnTmpfs(List.of(create("A", "k", 64), attach("B", "k"), detach("B"), detach("A")), false);
    }

    @Test
    void aSegmentMetThenAttachedByAKilledWorkerIsToldNeverAFailureAndNeverRemoved() throws Exception {
        inAStateDirectoryOnTmpfs(List.of(create("A", "k", 64), attach("B", "k"), kill("B"), detach("A")), true);
    }

    private static void inAStateDirectoryOnTmpfs(List<Step> steps, boolean allStay) throws Exception {
        PlantedSegments.inAStateDirectoryOnTmpfs(() -> {
            try (KeyFileTurns.Turn turn = KeyFileTurns.hold(); RunContext run = RunContext.create()) {
                plantAndRun(run, steps, allStay);
            }
        });
    }

    private static void plantAndRun(RunContext run, List<Step> steps, boolean allStay) throws Exception {
        java.nio.file.Path tmp = run.workerTmp();
        try (PlantedSegments planted = PlantedSegments.afterAProbe()) {
            assertTrue(planted.stillThere().stream().allMatch(p -> p.ctime() >= run.ledger().startSecond()), "made during the run");
            ScheduleRunner runner = new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                    ScheduleRunner.Timing.defaults());
            Schedule s = new Schedule("foreign-during-run", null, List.of(WorkerSpec.local("A", "sysv"), WorkerSpec.local("B", "sysv")),
                    steps);
            Trial t = Trial.run(runner, s, "sysv", List.of());
            planted.assumeAKeyFileOfTheRunTookOne(run, tmp);
            String told = PlantedSegments.assertToldAndNeverAFailure(t);
            if (allStay) {
                planted.assertAllStillThere("the run never removes what it did not make, a worker's attach notwithstanding\n" + told);
            }
        }
    }
}
