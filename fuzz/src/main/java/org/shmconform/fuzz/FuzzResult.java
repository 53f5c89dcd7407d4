package org.shmconform.fuzz;

import java.nio.file.Path;
import java.util.List;

/**
 * What a fuzz campaign did and found.
 *
 * @param schedulesRun    generated schedules executed (re-runs for shrinking not counted)
 * @param operationsRun   worker operations and kills executed in those schedules
 * @param seconds         wall time of the campaign, shrinking included
 * @param fuzzSeconds     wall time spent running generated schedules (throughput is over this)
 * @param unknown         seeds whose verdict was UNKNOWN (the harness broke, the checker gave up), with why
 * @param outDir          where the schedules and histories were saved
 */
public record FuzzResult(String backend, long firstSeed, int schedulesRun, long operationsRun, double seconds,
                         double fuzzSeconds, List<Failure> failures, List<String> unknown, Path outDir) {

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
     * @param rerunFails       failures in k re-runs of the original (FLAKY when 0 &lt; rerunFails &lt; k)
     * @param shrunkSteps      -1 when nothing was shrunk (the failure did not reproduce)
     * @param shrunkWhy        the model's reason on the shrunk schedule's last (failing) run
     * @param shrinkRuns       re-executions the shrinker spent
     * @param shrunkFile       null when nothing was shrunk
     */
    public record Failure(long seed, String property, String why, int rerunFails, int k, int originalSteps,
                          int originalWorkers, int originalKills, int shrunkSteps, int shrunkWorkers, int shrunkKills,
                          String shrunkWhy, int shrinkRuns, boolean shrinkBudgetSpent, Path originalFile,
                          Path originalHistory, Path shrunkFile, Path shrunkHistory) {
        public boolean flaky() {
            return rerunFails > 0 && rerunFails < k;
        }

        /** "3/3", or "FLAKY 1/3", or "not reproduced 0/3". */
        public String rate() {
            String r = rerunFails + "/" + k;
            return rerunFails == 0 ? "not reproduced " + r : flaky() ? "FLAKY " + r : r;
        }
    }
}
