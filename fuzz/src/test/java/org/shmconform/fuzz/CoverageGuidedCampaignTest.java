package org.shmconform.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.shmconform.engine.RunContext;

/**
 * A short campaign on real sysv workers measures model transitions, keeps the schedules that reached
 * new ones and mutates them. The campaign's run context removes every object it made.
 */
class CoverageGuidedCampaignTest {
    @Test
    void coverageIsMeasuredAndTheCorpusIsMutated() throws Exception {
        Path out = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "coverage-").toAbsolutePath();
        FuzzResult r;
        try (RunContext run = RunContext.create()) {
            r = FuzzCampaign.run(FuzzCampaign.Options.of("sysv").seed(1).count(8).time(Duration.ofMinutes(10)).outDir(out)
                    .stopAtFirstFailure(true), run, line -> { }, t -> { });
        }
        FuzzResult.Coverage c = r.coverage();
        assertNotNull(c);
        assertEquals(c.seen().size(), c.transitions());
        assertTrue(c.transitions() > 10, c.seen().toString());
        // The first create of a fresh object on a missing key succeeds: every campaign exercises it.
        assertTrue(c.seen().contains("seg=no att=0 lock=free me=fresh | create -> OK"), c.seen().toString());
        assertTrue(c.seen().stream().allMatch(t -> t.matches("seg=(yes|no) att=(0|1|2\\+) lock=\\S+ me=\\S+( rekey)? \\| \\w+ -> .+")),
                c.seen().toString());
        assertTrue(c.corpus() >= 1 && c.corpus() <= r.schedulesRun(), c.toString());
        assertTrue(c.mutants() >= 1, "no schedule was a mutant of the corpus: " + c);
        // The throughput series: the start, then one sample per schedule, cumulative, ending at the campaign's totals.
        java.util.List<FuzzResult.Sample> t = r.throughput();
        assertEquals(r.schedulesRun() + 1, t.size(), t.toString());
        assertEquals(new FuzzResult.Sample(0, 0, 0, 0), t.get(0));
        assertEquals(r.schedulesRun(), t.get(t.size() - 1).schedules());
        assertEquals(r.operationsRun(), t.get(t.size() - 1).operations());
        for (int i = 1; i < t.size(); i++) {
            assertEquals(i, t.get(i).schedules());
            assertTrue(t.get(i).millis() >= t.get(i - 1).millis() && t.get(i).fuzzMillis() >= t.get(i - 1).fuzzMillis()
                    && t.get(i).operations() > t.get(i - 1).operations() && t.get(i).fuzzMillis() <= t.get(i).millis(), t.toString());
        }
    }
}
