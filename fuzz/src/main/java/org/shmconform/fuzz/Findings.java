package org.shmconform.fuzz;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.shmconform.engine.Trial;
import org.shmconform.history.ReportLayout;
import org.shmconform.schedule.Schedule;

/**
 * What a campaign found, one schedule's result at a time: its line told, a failure or a difference from the
 * documentation shrunk by re-execution and saved with its original, a schedule that could not be judged saved as it ran.
 * Apart from the campaign's loop so that it can be tried on a runner of the test's, without worker processes.
 */
final class Findings {
    final List<FuzzResult.Failure> failures = new ArrayList<>();
    final List<FuzzResult.Difference> differences = new ArrayList<>();
    final List<String> unknown = new ArrayList<>();
    /** Time spent shrinking differences from the documentation, which the campaign gives back to its search. */
    long differenceShrinkNanos;
    private final FuzzCampaign.Options o;
    private final Lanes.Runner runner;
    private final Consumer<String> progress;
    private final BooleanSupplier stopRequested;

    /**
     * @param runner        runs a shrinking candidate (the engine and the checker)
     * @param progress      told each line; it may throw to stop the campaign (FuzzCommand's Ctrl-C)
     * @param stopRequested whether a stop was asked for: a shrink under way ends at its next run and saves its best so far
     */
    Findings(FuzzCampaign.Options o, Lanes.Runner runner, Consumer<String> progress, BooleanSupplier stopRequested) {
        this.o = o;
        this.runner = runner;
        this.progress = progress;
        this.stopRequested = stopRequested;
    }

    /**
     * One schedule's result. What it found (a FAIL's, an UNKNOWN's or a new difference's schedule and history) is saved
     * before its line is told: a stop is noticed in the progress callback, which throws, and the failure just found must
     * outlive it.
     *
     * @param name        "seed 7" or "seed 7 (mutant)"
     * @param coverage    what its line says of the transitions it reached, e.g. " (12 ops, 2 new transitions, 40 in all)"
     * @param fuzzSeconds fuzzing time until it had run
     * @param schedules   schedules run until it had run, itself included
     * @return whether it failed again when run again (a failure the campaign stops at, if asked to)
     */
    boolean add(long seed, String name, Trial c, String coverage, double fuzzSeconds, int schedules) throws InterruptedException {
        String deviates = FuzzCampaign.deviation(c);
        boolean newDifference = deviates != null && differences.stream().noneMatch(d -> d.property().equals(deviates));
        ReportLayout.Evidence originalFiles = ReportLayout.at(o.outDir()).fuzzOriginal(seed);
        if (c.unknown() != null || c.fails() || newDifference) {
            forgetAnEarlierShrink(seed); // the seed's folder tells of this run only, whatever an earlier campaign left there
        }
        if (c.unknown() != null) {
            unknown.add("seed " + seed + ": " + c.unknown() + " (" + FuzzCampaign.keepUnknown(o.outDir(), seed, c) + ")");
        } else if (c.fails() || newDifference) {
            c.keep(originalFiles);
        }
        progress.accept(name + ": " + (c.fails() ? "FAIL " + c.failingProperty()
                : c.unknown() != null ? "UNKNOWN" : deviates != null ? "DEVIATES " + deviates : "ok") + coverage);
        if (newDifference) {
            long shrinkStart = System.nanoTime();
            FuzzResult.Difference d = shrinkDifference(seed, c, originalFiles, deviates, fuzzSeconds, schedules);
            differenceShrinkNanos += System.nanoTime() - shrinkStart;
            progress.accept("seed " + seed + ": differs from the documentation (" + deviates + ") after "
                    + String.format(java.util.Locale.ROOT, "%.1f", d.secondsToFind()) + " s fuzzing, " + schedules
                    + " schedules; " + d.shrinkSummary());
            differences.add(d);
        }
        if (!c.fails()) {
            return false;
        }
        FuzzResult.Failure f = shrinkAndSave(seed, c, originalFiles);
        progress.accept("seed " + seed + ": " + f.property() + " " + f.rate() + " found after "
                + String.format(java.util.Locale.ROOT, "%.1f", fuzzSeconds) + " s fuzzing, " + f.shrinkSummary() + " in "
                + f.shrinkRuns() + " runs: " + f.replayFile());
        failures.add(f);
        return f.rerunFails() > 0;
    }

    /**
     * Removes a shrunk schedule and history an earlier campaign left in this seed's folder (the same seed, run again on
     * the same column): beside this run's original, it would pass for what this run shrank to. Links are removed, never
     * followed.
     */
    private void forgetAnEarlierShrink(long seed) {
        ReportLayout.Evidence stale = shrunkFiles(seed);
        for (Path file : List.of(stale.scheduleFile(), stale.historyFile())) {
            try {
                java.nio.file.Files.deleteIfExists(file);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot remove " + file + " left by an earlier campaign", e);
            }
        }
    }

    /** Where a seed's shrunk schedule and history go in the campaign's folder. */
    private ReportLayout.Evidence shrunkFiles(long seed) {
        return ReportLayout.at(o.outDir()).fuzzShrunk(seed);
    }

    /** The shrinker's last (failing) run of its shrunk schedule, named for the seed and kept at its shrunk files; null if none. */
    private Trial keepShrunk(long seed, Schedule original, Shrinker.Result<Trial> r) {
        if (r.shrunk() == null) {
            return null;
        }
        Trial last = r.lastTrial().evidence().renamed(original.name() + "-shrunk", seed);
        last.keep(shrunkFiles(seed));
        return last;
    }

    /** Shrinks a difference from the documentation as a failure is shrunk: candidates must deviate on the same property. */
    private FuzzResult.Difference shrinkDifference(long seed, Trial original, ReportLayout.Evidence originalFiles, String property,
                                                   double secondsToFind, int schedulesToFind) throws InterruptedException {
        Shrinker.Result<Trial> r = Shrinker.shrink(original.schedule(), property, s -> {
            Trial c = runner.run(s);
            if (c.unknown() != null) {
                return Shrinker.Trial.unknown(c);
            }
            String d = FuzzCampaign.deviation(c);
            return new Shrinker.Trial<>(d != null, d, c);
        }, o.shrink(), stopRequested);
        Trial last = keepShrunk(seed, original.schedule(), r);
        return new FuzzResult.Difference(seed, property, original.outcome().documented().why(), secondsToFind, schedulesToFind,
                original.schedule().steps().size(), last == null ? -1 : last.schedule().steps().size(),
                originalFiles.scheduleFile(), last == null ? null : shrunkFiles(seed).scheduleFile());
    }

    /** Shrinks a failure whose original is saved at {@code originalFiles}, and saves the shrunk schedule beside it. */
    private FuzzResult.Failure shrinkAndSave(long seed, Trial original, ReportLayout.Evidence originalFiles) throws InterruptedException {
        String property = original.failingProperty();
        Schedule schedule = original.schedule();
        String[] lastUnknown = {null};
        Shrinker.Result<Trial> r = Shrinker.shrink(schedule, property, s -> {
            Trial c = runner.run(s);
            if (c.unknown() != null) {
                lastUnknown[0] = c.unknown();
                return Shrinker.Trial.unknown(c); // the harness broke: neither a pass nor a fail
            }
            return new Shrinker.Trial<>(c.fails(), c.failingProperty(), c);
        }, o.shrink(), stopRequested);
        Trial last = keepShrunk(seed, schedule, r);
        Schedule shrunk = last == null ? null : last.schedule();
        ReportLayout.Evidence shrunkFiles = last == null ? null : shrunkFiles(seed);
        String shrunkWhy = last == null ? null : last.failure().map(p -> p.why()).orElse(null);
        if (r.rerunUnknown() == r.k()) {
            // Not one re-run could be judged: this FAIL is neither reproduced nor refuted, and the campaign must not pass.
            unknown.add("seed " + seed + ": " + property + " once, then " + r.k() + " re-runs UNKNOWN: " + lastUnknown[0]
                    + " (replay: shmconform replay " + originalFiles.scheduleFile() + ")");
        }
        return new FuzzResult.Failure(seed, property, original.failure().map(p -> p.why()).orElse(null), r.rerunFails(),
                r.k(), r.rerunUnknown(), schedule.steps().size(), schedule.workers().size(), FuzzCampaign.kills(schedule),
                shrunk == null ? -1 : shrunk.steps().size(), shrunk == null ? -1 : shrunk.workers().size(),
                shrunk == null ? -1 : FuzzCampaign.kills(shrunk), shrunkWhy, r.runs(), r.budgetSpent(),
                originalFiles.scheduleFile(), originalFiles.historyFile(),
                shrunkFiles == null ? null : shrunkFiles.scheduleFile(), shrunkFiles == null ? null : shrunkFiles.historyFile());
    }
}
