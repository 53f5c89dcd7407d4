package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.schedule.Steps.create;
import static org.shmconform.schedule.Steps.detach;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.shmconform.engine.env.LocalEnvironment;
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
    @Test
    void aCreateThatMeetsAnotherProgramsSegmentAtItsKeyIsUnknownOrRunAgainNeverAFailure() throws Exception {
        // The System V key files' turn, from before the segments until they are gone: a run beside this test (its
        // `./mvnw -B verify` beside a `shmconform run`) would meet them too; its System V schedules wait for the turn.
        // A state directory on tmpfs, which numbers its files in order: on the default one (ext4 here), a run beside this
        // test made and removed files in the same groups, and the key files missed the window (skipped in a verify).
        PlantedSegments.inAStateDirectoryOnTmpfs(() -> {
            try (KeyFileTurns.Turn turn = KeyFileTurns.hold();
                 PlantedSegments planted = PlantedSegments.afterAProbe()) { // before the run, as another program's
                Thread.sleep(1100); // the run starts a second after these: an object older than the run is not the run's
                runBeside(planted);
            }
        });
    }

    private static void runBeside(PlantedSegments planted) throws Exception {
        try (RunContext run = RunContext.create()) {
            Path tmp = run.workerTmp();
            ScheduleRunner runner = new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                    ScheduleRunner.Timing.defaults());
            Schedule s = new Schedule("foreign-at-key", null, List.of(WorkerSpec.local("A", "sysv")),
                    List.of(create("A", "k", 64), detach("A")));
            Trial t = Trial.run(runner, s, "sysv", List.of());
            Execution x = t.execution();
            planted.assumeAKeyFileOfTheRunTookOne(run, tmp);
            PlantedSegments.assertToldAndNeverAFailure(t);
            if (!x.problems().isEmpty()) {
                assertTrue(x.metAForeignObject(), "UNKNOWN for that reason: " + x.problems());
                assertTrue(t.unknown() != null, "an execution that met it is UNKNOWN");
            }
            planted.assertAllStillThere("the run never touches what it did not make");
        }
    }
}
