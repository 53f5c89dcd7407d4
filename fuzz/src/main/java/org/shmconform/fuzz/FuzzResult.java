package org.shmconform.fuzz;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * What a fuzz campaign did and found.
 *
 * @param schedulesRun    generated schedules executed (re-runs for shrinking not counted)
 * @param operationsRun   worker operations and kills executed in those schedules
 * @param seconds         wall time of the campaign, shrinking included
 * @param fuzzSeconds     wall time spent running generated schedules (throughput is over this)
 * @param unknown         seeds whose verdict was UNKNOWN (the harness broke, the checker gave up), with why
 * @param outDir          where the schedules and histories were saved
 * @param coverage        the model transitions the campaign exercised and the differences from the
 *                        documentation it found (null: not measured)
 * @param throughput      the campaign's progress over time, for the operations/s and schedules/s charts: a
 *                        sample at its start and after each schedule, thinned evenly to at most
 *                        {@value ThroughputSeries#MAX_POINTS} (null: not recorded)
 */
public record FuzzResult(String backend, long firstSeed, int schedulesRun, long operationsRun, double seconds,
                         double fuzzSeconds, List<Failure> failures, List<String> unknown, Path outDir,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Coverage coverage,
                         @JsonInclude(JsonInclude.Include.NON_NULL) List<Sample> throughput) {

    /** A result without coverage (as campaigns before coverage-guided search gave). */
    public FuzzResult(String backend, long firstSeed, int schedulesRun, long operationsRun, double seconds,
                      double fuzzSeconds, List<Failure> failures, List<String> unknown, Path outDir) {
        this(backend, firstSeed, schedulesRun, operationsRun, seconds, fuzzSeconds, failures, unknown, outDir, null, null);
    }

    /** A result without a throughput series. */
    public FuzzResult(String backend, long firstSeed, int schedulesRun, long operationsRun, double seconds,
                      double fuzzSeconds, List<Failure> failures, List<String> unknown, Path outDir, Coverage coverage) {
        this(backend, firstSeed, schedulesRun, operationsRun, seconds, fuzzSeconds, failures, unknown, outDir, coverage, null);
    }

    /**
     * Where the campaign stood at one moment: all counts cumulative from its start.
     *
     * @param millis     wall time since the campaign started (shrinking included)
     * @param fuzzMillis time spent running generated schedules so far (the rates are over this)
     * @param schedules  generated schedules run so far
     * @param operations worker operations and kills run in them so far
     */
    public record Sample(long millis, long fuzzMillis, int schedules, long operations) {
    }

    /**
     * What the coverage-guided search reached.
     *
     * @param transitions  distinct (abstract model state, operation, outcome) transitions exercised
     * @param corpus       schedules kept because they reached a transition no earlier one had
     * @param mutants      schedules made by mutating the corpus (the rest were generated from their seed)
     * @param differences  histories legal as the column declares but not as documented, first one per property
     * @param seen         the transitions themselves (not in results.json: {@code fuzz} prints them on request)
     */
    public record Coverage(int transitions, int corpus, int mutants, List<Difference> differences,
                           @JsonIgnore Set<String> seen) {
    }

    /**
     * A schedule whose history the column's declaration allows but the documentation does not (DEVIATES).
     *
     * @param secondsToFind fuzzing time from the start of the campaign until this schedule had run
     * @param shrunkSteps   -1 when it did not shrink (it did not deviate again)
     */
    public record Difference(long seed, String property, String why, double secondsToFind, int schedulesToFind,
                             int originalSteps, int shrunkSteps, Path originalFile, Path shrunkFile) {
        /**
         * "shrunk 19 -> 4 steps: file", or, when the re-runs never showed it again (a difference that needs a race to
         * go one way), that it was not shrunk and where the original is.
         */
        public String shrinkSummary() {
            return shrunkFile != null ? "shrunk " + originalSteps + " -> " + shrunkSteps + " steps: " + shrunkFile
                    : "not shrunk (it did not differ again): " + originalSteps + " steps as it ran: " + originalFile;
        }
    }

    public double operationsPerSecond() {
        return fuzzSeconds <= 0 ? 0 : operationsRun / fuzzSeconds;
    }

    public double schedulesPerSecond() {
        return fuzzSeconds <= 0 ? 0 : schedulesRun / fuzzSeconds;
    }

    public boolean found() {
        return !failures.isEmpty();
    }

    /**
     * One failing seed.
     *
     * @param property         the property id the declared profile found broken, e.g. "LOCK-EXCLUSIVE"
     * @param why              the model's reason on the original run
     * @param rerunFails       failures in k re-runs of the original (FLAKY when 0 &lt; rerunFails &lt; k - rerunUnknown)
     * @param rerunUnknown     re-runs of the original that could not be judged (UNKNOWN), left out of its rate; all k:
     *                         the failure is an unknown of the campaign (not in results.json when 0)
     * @param shrunkSteps      -1 when nothing was shrunk (the failure did not reproduce)
     * @param shrunkWhy        the model's reason on the shrunk schedule's last (failing) run
     * @param shrinkRuns       re-executions the shrinker spent
     * @param shrunkFile       null when nothing was shrunk
     */
    public record Failure(long seed, String property, String why, int rerunFails, int k,
                          @JsonInclude(JsonInclude.Include.NON_DEFAULT) int rerunUnknown, int originalSteps,
                          int originalWorkers, int originalKills, int shrunkSteps, int shrunkWorkers, int shrunkKills,
                          String shrunkWhy, int shrinkRuns, boolean shrinkBudgetSpent, Path originalFile,
                          Path originalHistory, Path shrunkFile, Path shrunkHistory) {
        /** Every re-run judged. */
        public Failure(long seed, String property, String why, int rerunFails, int k, int originalSteps,
                       int originalWorkers, int originalKills, int shrunkSteps, int shrunkWorkers, int shrunkKills,
                       String shrunkWhy, int shrinkRuns, boolean shrinkBudgetSpent, Path originalFile,
                       Path originalHistory, Path shrunkFile, Path shrunkHistory) {
            this(seed, property, why, rerunFails, k, 0, originalSteps, originalWorkers, originalKills, shrunkSteps, shrunkWorkers,
                    shrunkKills, shrunkWhy, shrinkRuns, shrinkBudgetSpent, originalFile, originalHistory, shrunkFile, shrunkHistory);
        }

        public boolean flaky() {
            return rerunFails > 0 && rerunFails < judgedReruns();
        }

        /** Re-runs the checker could judge: the rate is over these. */
        private int judgedReruns() {
            return k - rerunUnknown;
        }

        /**
         * "3/3", or "FLAKY 1/3", or "not reproduced 0/3", over the judged re-runs, with the UNKNOWN ones after it:
         * "FLAKY 1/2 (1 UNKNOWN re-run left out)"; "not judged again: 3 UNKNOWN re-runs of 3" when none was judged.
         */
        public String rate() {
            if (rerunUnknown > 0 && judgedReruns() == 0) {
                return "not judged again: " + rerunUnknown + " UNKNOWN re-runs of " + k;
            }
            String r = rerunFails + "/" + judgedReruns();
            String unknown = rerunUnknown == 0 ? "" : " (" + rerunUnknown + " UNKNOWN re-run" + (rerunUnknown == 1 ? "" : "s") + " left out)";
            return (rerunFails == 0 ? "not reproduced " + r : flaky() ? "FLAKY " + r : r) + unknown;
        }

        /** Whether the shrinker made a smaller schedule (a failure that never came back is kept as it ran). */
        public boolean shrunk() {
            return shrunkFile != null && shrunkSteps >= 0;
        }

        /**
         * "shrunk 18 -> 4 steps, 2 workers, 0 kills", or, for a failure the shrinker could not work on because it did
         * not fail again, "not shrunk (it did not fail again): 25 steps, 3 workers, 1 kills as it ran".
         */
        public String shrinkSummary() {
            return shrunk() ? "shrunk " + originalSteps + " -> " + shrunkSteps + " steps, " + shrunkWorkers + " workers, " + shrunkKills + " kills"
                    : "not shrunk (it did not fail again): " + originalSteps + " steps, " + originalWorkers + " workers, " + originalKills
                    + " kills as it ran";
        }

        /** The schedule to replay: the shrunk one, else the original. */
        public Path replayFile() {
            return shrunk() ? shrunkFile : originalFile;
        }
    }
}
