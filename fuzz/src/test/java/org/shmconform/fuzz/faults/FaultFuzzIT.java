package org.shmconform.fuzz.faults;

import org.shmconform.engine.Subjects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.shmconform.backends.linux.LibC;
import org.shmconform.engine.RunContext;
import org.shmconform.engine.Trial;
import org.shmconform.fuzz.FuzzCampaign;
import org.shmconform.fuzz.FuzzResult;
import org.shmconform.fuzz.Replay;
import org.shmconform.schedule.Schedule;
import org.shmconform.fuzz.Shrinker;

/**
 * The fuzzer finds real faults: each test-only backend wraps a real one, injects one fault and
 * declares the real one's semantics. A small fixed budget (96 schedules from seed 1, two workers, 12 steps; its
 * fresh seeds reach every fault, {@link FaultBudgetReachTest}) must
 * find the fault, shrink it to a handful of steps that still fail when replayed from the saved file,
 * with the property the fault breaks; the same budget on the real backend must find nothing.
 */
class FaultFuzzIT {
    private static final long SEED = 1;
    /**
     * 96: fault-nosemundo's situation (a lock() on a lock its killed holder never let go, which no keying re-initialised)
     * comes in about one fresh schedule in eight, and 96 schedules have 34 fresh ones, so campaigns from any seed reach it
     * (FaultBudgetReachTest: 19 or more of 21 campaign seeds 1000 apart). With 24 (9 fresh) the fresh seeds of seed 1 missed
     * it and a mutant found it at schedule 23. The other faults are found earlier and stop their campaign there; the real
     * backends run all 96.
     */
    private static final int SCHEDULES = 96;
    /**
     * The budgets are counts (96 schedules, 30 shrink runs): the time bounds are only a backstop far
     * beyond what the counts take on a loaded 2-core machine, so what is found and how far it shrinks
     * never depends on how busy the machine is.
     */
    private static final Duration BACKSTOP = Duration.ofMinutes(30);
    private static final Shrinker.Budget SHRINK = new Shrinker.Budget(30, BACKSTOP, 3);
    private static RunContext run;
    private static Path out;
    private static final Set<Long> workerPids = ConcurrentHashMap.newKeySet();
    private static Set<String> sysvBefore; // ids that existed before: never ours

    @BeforeAll
    static void start() throws IOException {
        sysvBefore = sysvIds();
        run = RunContext.create();
        out = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "fault-fuzz-").toAbsolutePath(); // evidence kept with the build, never in /tmp
    }

    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of("fault-nosemundo", Set.of("LOCK-HOLDER-DEATH")),
                Arguments.of("fault-neverdestroy", Set.of("LAST-DETACH-DESTROYS")),
                // After a crash the model blames the key's fate on CRASH-SURVIVES.
                Arguments.of("fault-createexisting", Set.of("CREATE-EXISTS-FALLBACK", "CRASH-SURVIVES")),
                Arguments.of("fault-pageround", Set.of("CREATE-SIZE")),
                // A key gone by a last detach: the model blames LAST-DETACH-DESTROYS for a wrong attach.
                Arguments.of("fault-wrongerror", Set.of("ATTACH-EXISTING", "LAST-DETACH-DESTROYS")),
                Arguments.of("fault-nonexclusive", Set.of("LOCK-EXCLUSIVE")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void findsShrinksAndReplays(String fault, Set<String> properties) throws Exception {
        FuzzResult r = fuzz(fault);
        assertTrue(r.schedulesRun() > 0 && r.operationsRun() > 0, "the fuzzer ran nothing");
        assertTrue(r.found(), fault + ": nothing found in " + r.schedulesRun() + " schedules");
        // The first failure that reproduced (a one-off that never failed again does not stop the campaign).
        FuzzResult.Failure f = r.failures().get(r.failures().size() - 1);
        assertTrue(properties.contains(f.property()), fault + " broke " + f.property() + ": " + f.why());
        assertTrue(f.rerunFails() > 0, "did not reproduce: " + f.rate());
        assertNotNull(f.shrunkFile());
        assertTrue(f.shrunkSteps() <= 8, "shrunk to " + f.shrunkSteps() + " steps");
        assertTrue(f.shrunkSteps() < f.originalSteps() && f.shrunkWorkers() <= f.originalWorkers());
        assertTrue(Files.exists(f.originalFile()) && Files.exists(f.originalHistory()) && Files.exists(f.shrunkHistory()));
        assertEquals(f.shrunkSteps(), Schedule.load(f.shrunkFile(), Subjects.here().vocabulary()).steps().size());

        Trial replay = Replay.run(Schedule.load(f.shrunkFile(), Subjects.here().vocabulary()), null, run, FuzzCampaign.fuzzTiming());
        record(replay);
        Replay.print(replay, System.out);
        assertTrue(replay.fails(), "the shrunk schedule passed when replayed");
        assertEquals(f.property(), replay.failingProperty());
        System.out.printf("%s: found at seed %d after %d schedules (%.1f s fuzzing), %s %s, shrunk %d→%d steps, %d workers,"
                        + " %d kills in %d runs; %.1f ops/s, %.2f schedules/s%n", fault, f.seed(), r.schedulesRun(),
                r.fuzzSeconds(), f.property(), f.rate(), f.originalSteps(), f.shrunkSteps(), f.shrunkWorkers(),
                f.shrunkKills(), f.shrinkRuns(), r.operationsPerSecond(), r.schedulesPerSecond());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sysv", "mmapfile"})
    void theRealBackendPassesTheSameBudget(String backend) throws Exception {
        FuzzResult r = fuzz(backend);
        assertEquals(SCHEDULES, r.schedulesRun());
        assertTrue(r.operationsRun() >= SCHEDULES * 10L);
        // Nothing that reproduces. A one-off is printed: with Qt's System V semaphore ownership a lock can
        // split in two when the kernel does not reuse a key file's inode (see the report), which is rare.
        assertEquals(List.of(), r.failures().stream().filter(f -> f.rerunFails() > 0).toList());
        r.failures().forEach(f -> System.out.println(backend + ": one-off, not reproduced: seed " + f.seed() + " "
                + f.property() + ": " + f.why() + " (" + f.originalHistory() + ")"));
        System.out.printf("%s: %d schedules, %d operations, nothing found; %.1f ops/s, %.2f schedules/s, unknown %s%n",
                backend, r.schedulesRun(), r.operationsRun(), r.operationsPerSecond(), r.schedulesPerSecond(), r.unknown());
    }

    private static FuzzResult fuzz(String backend) throws InterruptedException {
        return FuzzCampaign.run(budget(backend).outDir(out.resolve(backend)), run, System.out::println, FaultFuzzIT::record);
    }

    /** The campaign each fault gets; {@code FaultBudgetReachTest} checks that its fresh seeds reach every fault. */
    static FuzzCampaign.Options budget(String backend) {
        return FuzzCampaign.Options.of(backend).seed(SEED).count(SCHEDULES).time(BACKSTOP).workers(2).length(12).shrink(SHRINK);
    }

    private static void record(Trial c) {
        c.execution().workers().values().forEach(w -> workerPids.add(w.pid()));
    }

    /**
     * Nothing of ours is left: no run directory (key and lock files), no /dev/shm names with our
     * prefix, no System V segment our workers created, no semaphore set they used last.
     */
    @AfterAll
    static void cleanedUp() throws IOException {
        String prefix = run.keyPrefix();
        Path dir = run.runDir();
        run.close();
        assertFalse(Files.exists(dir), "run directory left: " + dir);
        try (Stream<Path> shm = Files.list(Path.of("/dev/shm"))) {
            List<Path> left = shm.filter(p -> p.getFileName().toString().contains(prefix)).toList();
            assertEquals(List.of(), left);
        }
        List<String> ours = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/sysvipc/shm")).subList(1, Files.readAllLines(Path.of("/proc/sysvipc/shm")).size())) {
            String[] f = line.trim().split("\\s+");
            // key shmid perms size cpid lpid nattch ...
            if (!sysvBefore.contains("shm " + f[1]) && workerPids.contains(Long.parseLong(f[4]))) {
                ours.add(line);
            }
        }
        assertEquals(List.of(), ours, "System V segments made by our workers are left");
        List<String> sems = new ArrayList<>();
        List<String> semLines = Files.readAllLines(Path.of("/proc/sysvipc/sem"));
        for (String line : semLines.subList(1, semLines.size())) {
            int id = Integer.parseInt(line.trim().split("\\s+")[1]);
            long last = LibC.INSTANCE.semctl(id, 0, 11 /* GETPID: the last process that operated on it */);
            if (workerPids.contains(last)) {
                sems.add(line);
            }
        }
        assertEquals(List.of(), sems, "System V semaphores last used by our workers are left");
        assertFalse(workerPids.isEmpty());
    }

    private static Set<String> sysvIds() throws IOException {
        Set<String> ids = ConcurrentHashMap.newKeySet();
        for (String kind : new String[] {"shm", "sem"}) {
            List<String> lines = Files.readAllLines(Path.of("/proc/sysvipc/" + kind));
            for (String line : lines.subList(1, lines.size())) {
                ids.add(kind + " " + line.trim().split("\\s+")[1]);
            }
        }
        return ids;
    }
}
