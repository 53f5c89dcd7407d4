package org.shmconform.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.shmconform.engine.RunContext;
import org.shmconform.engine.ScheduleRunner;
import org.shmconform.engine.Subjects;
import org.shmconform.engine.Trial;
import org.shmconform.engine.env.LocalEnvironment;

/**
 * Schedules of a column whose objects need no turn run side by side on real workers (posix: /dev/shm names and POSIX
 * semaphores, each schedule's under its own execution prefix), each judged as it would be alone; the System V columns,
 * which take turns on key files, keep one lane in the host's IPC namespace (by default a System V Qt column's lanes run in
 * namespaces of their own: {@link OwnNamespaceLanesTest}).
 */
class SideBySideCampaignTest {
    @Test
    void columnsWhoseSchedulesNeedNoTurnGetTwoLanesByDefault() {
        int two = Runtime.getRuntime().availableProcessors() >= 2 ? 2 : 1;
        assertEquals(two, FuzzCampaign.settled(FuzzCampaign.Options.of("posix")).lanes(), "a Java column whose schedules take no turn");
        assertEquals(two, FuzzCampaign.settled(FuzzCampaign.Options.of("mmapfile")).lanes());
        assertEquals(two, FuzzCampaign.settled(FuzzCampaign.Options.of("memfd")).lanes());
        assertEquals(1, FuzzCampaign.settled(FuzzCampaign.Options.of("sysv")).lanes(), "its schedules take the key-file turn");
        assertEquals(1, FuzzCampaign.settled(FuzzCampaign.Options.of("qt").ownIpcNamespaces(false)).lanes(),
                "Qt 6.4's System V sets take turns in the host's namespace");
        if (Subjects.here().availability("qt68-posix").available() && Runtime.getRuntime().availableProcessors() >= 2) {
            assertEquals(2, FuzzCampaign.settled(FuzzCampaign.Options.of("qt68-posix")).lanes());
        }
        assertEquals(3, FuzzCampaign.settled(FuzzCampaign.Options.of("sysv").lanes(3)).lanes(), "asked for: taken as asked");
    }

    @Test
    void twoLanesOverlapRealSchedulesAndEachIsJudgedOnItsOwnKeys() throws Exception {
        Path out = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "lanes-").toAbsolutePath();
        List<long[]> spans = new CopyOnWriteArrayList<>();
        List<Trial> trials = new ArrayList<>();
        List<String> progress = new ArrayList<>();
        String prefix;
        FuzzResult campaign;
        try (RunContext run = RunContext.create()) {
            prefix = run.keyPrefix();
            ScheduleGenerator generator = new ScheduleGenerator("posix", Subjects.here().semantics("posix"), 3, 16);
            ScheduleRunner runner = new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                    FuzzCampaign.fuzzTiming()).reusingWorkers().inLanes(2);
            try (Lanes lanes = new Lanes(2, s -> {
                long start = System.nanoTime();
                Trial t = Trial.run(runner, s, "posix", List.of());
                spans.add(new long[] {start, System.nanoTime()});
                return t;
            })) {
                long seed = 40;
                while (true) {
                    while (lanes.hasRoom() && seed < 48) {
                        lanes.submit(new Lanes.Job(seed, false, null, generator.generate(seed++)));
                    }
                    Lanes.Done d = lanes.takeOldest();
                    if (d == null) {
                        break;
                    }
                    trials.add(d.trial());
                }
            }
            // The campaign itself in two lanes: every schedule judged, in the order of its seeds.
            campaign = FuzzCampaign.run(FuzzCampaign.Options.of("posix").seed(60).count(10).time(Duration.ofMinutes(10))
                    .outDir(out).stopAtFirstFailure(false).lanes(2), run, progress::add, t -> { });
        }
        assertEquals(8, trials.size());
        assertTrue(overlapping(spans), "no two schedules ran at once in two lanes: " + spans.size() + " spans");
        for (Trial t : trials) {
            assertNull(t.unknown(), t.schedule().name() + " could not be judged: " + t.unknown());
            assertFalse(t.fails(), t.schedule().name() + " failed " + t.failingProperty() + " beside another schedule");
        }
        assertEquals(8, new HashSet<>(trials.stream().map(t -> t.execution().keyPrefix()).toList()).size(), "each on keys of its own");

        assertEquals(10, campaign.schedulesRun());
        // One progress line per schedule judged ("seed 64: DEVIATES LOCK-EXCLUSIVE (17 ops, ...)"); a finding's own line
        // ("seed 64: differs from the documentation ... shrunk 16 -> 4 steps") is not one more schedule.
        assertTrue(campaign.unknown().isEmpty(), campaign.unknown().toString());
        assertTrue(campaign.failures().stream().noneMatch(f -> f.rerunFails() > 0), campaign.failures().toString());
        List<String> seeds = progress.stream().filter(l -> l.matches("seed \\d+( \\(mutant\\))?: [^(]*\\(\\d+ ops.*")).map(l -> l.split("[ :]")[1]).toList();
        assertEquals(List.of("60", "61", "62", "63", "64", "65", "66", "67", "68", "69"), seeds, progress.toString());
        assertTrue(campaign.fuzzSeconds() <= campaign.seconds(), campaign.fuzzSeconds() + " > " + campaign.seconds());
        try (Stream<Path> shm = Files.list(Path.of("/dev/shm"))) {
            assertEquals(List.of(), shm.filter(p -> p.getFileName().toString().contains(prefix)).toList(), "left in /dev/shm");
        }
    }

    private static boolean overlapping(List<long[]> spans) {
        for (int i = 0; i < spans.size(); i++) {
            for (int j = i + 1; j < spans.size(); j++) {
                if (spans.get(i)[0] < spans.get(j)[1] && spans.get(j)[0] < spans.get(i)[1]) {
                    return true;
                }
            }
        }
        return false;
    }
}
