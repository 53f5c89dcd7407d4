package org.shmconform.fuzz;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.shmconform.history.ReportLayout;
import org.shmconform.engine.RunContext;
import org.shmconform.engine.ScheduleRunner;
import org.shmconform.engine.Subjects;
import org.shmconform.engine.Trial;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.schedule.Schedule;

/**
 * Property-based fuzzing of one backend: runs the generated schedules of seeds seed, seed+1, ...
 * on real workers until the count or the time budget is spent, checks each against the backend's
 * declared semantics, and shrinks the first failure (or every failure, if asked) by re-execution.
 * The original and the shrunk schedule are saved with their histories in the campaign folder
 * {@code outDir} as {@link ReportLayout} lays it out ({@code seed-N/}), so {@code shmconform replay} can run them again without the seed.
 */
public final class FuzzCampaign {

    /**
     * @param seed               the first seed; schedule i uses seed + i
     * @param count              at most this many schedules
     * @param time               and at most this long for generating and running them (shrinking is budgeted apart)
     * @param workers            2 to 4 worker processes per schedule
     * @param length             steps per schedule
     * @param stopAtFirstFailure stop fuzzing after the first failure that reproduced has been shrunk
     */
    public record Options(String backend, long seed, int count, Duration time, int workers, int length, Path outDir,
                          Shrinker.Budget shrink, ScheduleRunner.Timing timing, boolean stopAtFirstFailure) {

        public static Options of(String backend) {
            return new Options(backend, 1, 100, Duration.ofSeconds(60), 3, 16, Path.of("shmconform-fuzz"),
                    Shrinker.Budget.defaults(), fuzzTiming(), true);
        }

        public Options seed(long s) {
            return new Options(backend, s, count, time, workers, length, outDir, shrink, timing, stopAtFirstFailure);
        }

        public Options count(int n) {
            return new Options(backend, seed, n, time, workers, length, outDir, shrink, timing, stopAtFirstFailure);
        }

        public Options time(Duration d) {
            return new Options(backend, seed, count, d, workers, length, outDir, shrink, timing, stopAtFirstFailure);
        }

        public Options workers(int n) {
            return new Options(backend, seed, count, time, n, length, outDir, shrink, timing, stopAtFirstFailure);
        }

        public Options length(int n) {
            return new Options(backend, seed, count, time, workers, n, outDir, shrink, timing, stopAtFirstFailure);
        }

        public Options outDir(Path dir) {
            return new Options(backend, seed, count, time, workers, length, dir, shrink, timing, stopAtFirstFailure);
        }

        public Options shrink(Shrinker.Budget b) {
            return new Options(backend, seed, count, time, workers, length, outDir, b, timing, stopAtFirstFailure);
        }

        public Options timing(ScheduleRunner.Timing t) {
            return new Options(backend, seed, count, time, workers, length, outDir, shrink, t, stopAtFirstFailure);
        }

        public Options stopAtFirstFailure(boolean stop) {
            return new Options(backend, seed, count, time, workers, length, outDir, shrink, timing, stop);
        }
    }

    /**
     * The engine's defaults: a lock that stays held after its holder died is confirmed blocked by the
     * kernel at once, so shrinking re-runs cost no waiting, and no shorter deadline may decide anything.
     */
    public static ScheduleRunner.Timing fuzzTiming() {
        return ScheduleRunner.Timing.defaults();
    }

    private FuzzCampaign() {
    }

    public static FuzzResult run(Options o) throws InterruptedException {
        return run(o, line -> { });
    }

    /** @param progress told one line per schedule run and per shrinking result */
    public static FuzzResult run(Options o, Consumer<String> progress) throws InterruptedException {
        try (RunContext run = RunContext.create()) {
            return run(o, run, progress);
        }
    }

    public static FuzzResult run(Options o, RunContext run, Consumer<String> progress) throws InterruptedException {
        return run(o, run, progress, c -> { });
    }

    /** @param executions told of every execution, the shrinker's re-runs included (for evidence and clean-up checks) */
    public static FuzzResult run(Options o, RunContext run, Consumer<String> progress, Consumer<Trial> executions)
            throws InterruptedException {
        ScheduleRunner plain = new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()), o.timing());
        Runner runner = s -> {
            Trial c = Trial.run(plain, s, o.backend(), List.of());
            executions.accept(c);
            return c;
        };
        ScheduleGenerator generator = new ScheduleGenerator(o.backend(), Subjects.here().semantics(o.backend()), o.workers(), o.length());
        String missing = plain.unavailableReason(generator.generate(o.seed()));
        if (missing != null) {
            throw new IllegalStateException("cannot fuzz " + o.backend() + " here: " + missing);
        }
        long start = System.nanoTime();
        long fuzzNanos = 0;
        int schedules = 0;
        long operations = 0;
        List<FuzzResult.Failure> failures = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        long deadline = start + o.time().toNanos();
        for (int i = 0; i < o.count() && System.nanoTime() < deadline; i++) {
            long seed = o.seed() + i;
            Schedule schedule = generator.generate(seed);
            long t0 = System.nanoTime();
            Trial c = runner.run(schedule);
            fuzzNanos += System.nanoTime() - t0;
            schedules++;
            operations += c.operations();
            progress.accept("seed " + seed + ": " + (c.fails() ? "FAIL " + c.failingProperty()
                    : c.unknown() != null ? "UNKNOWN" : "ok") + " (" + c.operations() + " ops)");
            if (c.unknown() != null) {
                unknown.add("seed " + seed + ": " + c.unknown());
            }
            if (c.fails()) {
                FuzzResult.Failure f = shrinkAndSave(o, runner, seed, c);
                progress.accept("seed " + seed + ": " + f.property() + " " + f.rate() + ", shrunk to " + f.shrunkSteps()
                        + " steps, " + f.shrunkWorkers() + " workers, " + f.shrunkKills() + " kills in " + f.shrinkRuns()
                        + " runs: " + f.shrunkFile());
                failures.add(f);
                // A one-off that never failed again in k re-runs is kept in the result, but does not end the campaign.
                if (o.stopAtFirstFailure() && f.rerunFails() > 0) {
                    break;
                }
            }
        }
        return new FuzzResult(o.backend(), o.seed(), schedules, operations, (System.nanoTime() - start) / 1e9,
                fuzzNanos / 1e9, failures, unknown, o.outDir());
    }

    /** Runs and checks one schedule. */
    private interface Runner {
        Trial run(Schedule s) throws InterruptedException;
    }

    private static FuzzResult.Failure shrinkAndSave(Options o, Runner runner, long seed, Trial original)
            throws InterruptedException {
        String property = original.failingProperty();
        ReportLayout campaign = ReportLayout.at(o.outDir());
        ReportLayout.Evidence originalFiles = campaign.fuzzOriginal(seed);
        Schedule schedule = original.schedule();
        original.keep(originalFiles);
        Shrinker.Result<Trial> r = Shrinker.shrink(schedule, property, s -> {
            Trial c = runner.run(s);
            return new Shrinker.Trial<>(c.fails(), c.failingProperty(), c);
        }, o.shrink());
        Schedule shrunk = null;
        ReportLayout.Evidence shrunkFiles = null;
        String shrunkWhy = null;
        if (r.shrunk() != null) {
            Trial last = r.lastTrial().evidence().renamed(schedule.name() + "-shrunk", seed);
            shrunk = last.schedule();
            shrunkFiles = campaign.fuzzShrunk(seed);
            last.keep(shrunkFiles);
            shrunkWhy = last.failure().map(p -> p.why()).orElse(null);
        }
        return new FuzzResult.Failure(seed, property, original.failure().map(p -> p.why()).orElse(null), r.rerunFails(),
                r.k(), schedule.steps().size(), schedule.workers().size(), kills(schedule),
                shrunk == null ? -1 : shrunk.steps().size(), shrunk == null ? -1 : shrunk.workers().size(),
                shrunk == null ? -1 : kills(shrunk), shrunkWhy, r.runs(), r.budgetSpent(),
                originalFiles.scheduleFile(), originalFiles.historyFile(),
                shrunkFiles == null ? null : shrunkFiles.scheduleFile(), shrunkFiles == null ? null : shrunkFiles.historyFile());
    }

    static int kills(Schedule s) {
        return (int) s.steps().stream().filter(st -> "kill".equals(st.op())).count();
    }
}
