package org.shmconform.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.engine.Trial;
import org.shmconform.history.Execution;
import org.shmconform.history.History;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.ScheduleValidation;
import org.shmconform.schedule.Steps;
import org.shmconform.schedule.WorkerSpec;

/**
 * A schedule the campaign could not judge (UNKNOWN) is saved where a failing one's original goes, and its line says how
 * to replay it: fuzz qt68-sysv-safe seed 8 was a mutant, whose steps no seed alone gives back, and it was not saved.
 */
class UnknownScheduleKeptTest {
    @Test
    void anUnknownSchedulesFileIsSavedAndReadsBackAsTheScheduleRun(@TempDir Path out) throws Exception {
        Schedule mutant = new Schedule("fuzz-qt68-sysv-safe-8-m", 8L,
                List.of(WorkerSpec.local("B", "qt68-sysv-safe"), WorkerSpec.local("C", "qt68-sysv-safe")),
                List.of(Steps.create("C", "k", 64), Steps.detach("C"), Steps.create("B", "j", 64), Steps.lock("B"),
                        Steps.lock("C"), Steps.unlock("C")));
        Execution x = new Execution(mutant.name(), "shmcfx", new History(), Map.of(), List.of(),
                List.of("step 6 (unlock by C) not performed: C was already gone (blocked by the engine)"));

        String line = FuzzCampaign.keepUnknown(out, 8, new Trial(mutant, x, null));

        Path file = out.resolve("seed-8/original.schedule.json");
        assertEquals("replay: shmconform replay " + file, line);
        assertTrue(Files.exists(out.resolve("seed-8/original.history.jsonl")));
        Schedule back = Schedule.load(file, new ScheduleValidation.Vocabulary(Set.of("qt68-sysv-safe"), Set.of("local")));
        assertEquals(mutant.steps(), back.steps());
        assertEquals(mutant.workers(), back.workers());
    }
}
