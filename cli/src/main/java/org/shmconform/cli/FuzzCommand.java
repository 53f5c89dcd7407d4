package org.shmconform.cli;

import org.shmconform.schedule.Steps;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.shmconform.conformance.Interruption;
import org.shmconform.engine.RunContext;
import org.shmconform.fuzz.FuzzCampaign;
import org.shmconform.fuzz.FuzzResult;
import org.shmconform.fuzz.Replay;
import org.shmconform.schedule.ScheduleValidation;
import org.shmconform.reports.RunVerdict;
import org.shmconform.engine.state.PrivateDirectory;
import org.shmconform.spi.files.SafeFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code shmconform fuzz}: generated multi-process schedules against one column, failures shrunk and saved. */
@Command(name = "fuzz", mixinStandardHelpOptions = true,
        description = {"Run generated multi-process schedules (create/attach/read/write/lock/unlock/detach/kill) on one"
                + " column, check each against the model, shrink a failure to the smallest schedule that still fails and"
                + " save it for 'shmconform replay'.",
                "The last line is one summary: 'shmconform: PASS|FAIL — fuzz COLUMN: ...'.",
                "Exit status: 0 nothing found, 1 a failure (counted whatever its re-runs gave), a schedule that could not be"
                        + " judged or a probe the column needs that did not finish (UNKNOWN), 2 bad usage or a column that cannot"
                        + " run here."})
final class FuzzCommand implements Callable<Integer> {
    @Option(names = {"-b", "--backend"}, required = true, paramLabel = "NAME", description = "The column: a backend name or 'qt'.")
    String backend;

    @Option(names = "--seed", paramLabel = "N", description = "First seed (schedule i uses seed+i); default: random, printed.")
    Long seed;

    @Option(names = "--count", defaultValue = "50", paramLabel = "N", description = "At most this many schedules (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--seconds", defaultValue = "120", paramLabel = "S", description = "Generate and run schedules for at most this long (default: ${DEFAULT-VALUE}); shrinking a finding has a budget of its own, which adds to it, and so does waiting for the System V key-file turn that another run or test holds.")
    long seconds;

    @Option(names = "--workers", defaultValue = "3", paramLabel = "N", description = "Worker processes per schedule, 2-4 (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--length", paramLabel = "N", description = "Steps per schedule made from a seed (a mutant's may grow to"
            + " twice as many; default: 16 for a column whose worker is a JVM, 64 for a native worker, whose steps are cheap"
            + " beside what a schedule costs on its own: borrowing workers, their resets, the reaper; 16 on qt68-sysv-safe"
            + " and -native, whose model does not yet follow every key-file inode their longer schedules reach).")
    Integer length;

    @Option(names = "--lanes", paramLabel = "N", description = "Schedules run side by side, each on keys of its own (default: 2"
            + " on 2 cores or more for a column whose schedules need not take turns on System V key files: memfd, memfd-fd,"
            + " the mmapfile columns, posix and the qt68-posix columns, and the System V Qt columns in IPC namespaces of"
            + " their own; else 1).")
    Integer lanes;

    @Option(names = "--mutant-kills", paramLabel = "N", description = "A mutant of the corpus may kill a worker, have one"
            + " spawn a child worker, or make a step expected to crash it (a write into a read-only attach, an access past"
            + " a truncation), on one step in N (default: 16 for a column whose worker is a JVM, whose kill, spawn or crash"
            + " costs a JVM start, 4 for a native worker; 1: on every step). A schedule made from its seed alone may do so"
            + " on every step.")
    Integer mutantKills;

    @Option(names = "--own-ipc-namespaces", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "On a System V Qt column, run each lane in an IPC namespace of its own (root: unshare), its"
                    + " workers forked there and its key files on an ext4 of its own, taking no turn on System V key"
                    + " files: two lanes (docs/fuzz-notes.md, \"Lanes in IPC namespaces of their own\"). On by default"
                    + " where it can be had (the first line says where it cannot, and why); --no-own-ipc-namespaces keeps"
                    + " one lane in the host's namespace, taking the turn.")
    boolean ownIpcNamespaces;

    @Option(names = {"-o", "--out"}, defaultValue = "shmconform-fuzz", paramLabel = "DIR",
            description = "Where failing schedules and their histories go, in a folder per column: DIR/<column>/seed-N"
                    + " (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = {"-q", "--quiet"}, description = "No line per schedule.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        validateOptions();
        Columns.describe(backend); // unknown names are a usage error
        SafeFiles.checkRoot(out, PrivateDirectory.myUid()); // where failing schedules go: a link, a file, another's folder is exit 2
        long first = seed != null ? seed : Math.abs(new java.security.SecureRandom().nextInt());
        FuzzCampaign.Options options = FuzzCampaign.settled(FuzzCampaign.Options.of(backend).seed(first).count(count)
                .time(Duration.ofSeconds(seconds)).workers(workers).length(length == null ? 0 : length).outDir(out.resolve(backend)).lanes(lanes == null ? 0 : lanes)
                .mutantKillShare(mutantKills == null ? 0 : mutantKills).ownIpcNamespaces(ownIpcNamespaces));
        System.out.printf("shmconform fuzz %s: seed %d, up to %d schedules or %d s, %d workers x %d steps, %d lane(s),"
                        + " mutants may kill, spawn or crash on 1 step in %d%n", backend, first, count, seconds, workers, options.length(), options.lanes(),
                options.mutantKillShare());
        FuzzResult result = null;
        RunContext run = RunContext.create();
        Interruption stop = Interruption.install(run::close);
        int[] lines = {0};
        try {
            try {
                // A line is told once what it reports is saved: a SIGINT/SIGTERM stops at the next line (a shrink under
                // way first ends early and saves its best so far), and the run is reaped below.
                result = FuzzCampaign.run(options, run, line -> {
                    stop.check();
                    lines[0]++;
                    if (!quiet) {
                        System.out.println("  " + line);
                    }
                }, t -> { }, stop::requested);
            } catch (Interruption.Stop e) {
                // reported below, after the clean-up
            } catch (Replay.ProbeUndecided e) {
                // Nothing tried, and nothing says it cannot be: not a pass, not a usage error either.
                System.out.println("shmconform: UNKNOWN — " + e.getMessage());
                return Shmconform.FAILED;
            } catch (IllegalStateException e) {
                // This column cannot run on this machine: nothing was tried, which is not a pass.
                throw new Shmconform.UsageException("NOT_AVAILABLE: " + e.getMessage());
            } finally {
                run.close();
            }
            if (result == null) {
                System.out.println("shmconform: INTERRUPTED by " + stop.signalName() + " — fuzz " + backend + ": stopped after "
                        + lines[0] + " schedule lines; workers killed, run directory reaped; failures found so far are in " + out.resolve(backend));
                return Shmconform.FAILED; // the JVM exits with 128 + the signal's number
            }
        } finally {
            stop.finished();
        }
        print(result);
        System.out.println(summaryLine(result));
        return failed(result) ? Shmconform.FAILED : Shmconform.OK;
    }

    private void validateOptions() {
        if (lanes != null && lanes < 1) {
            throw new Shmconform.UsageException("--lanes must be 1 or more, not " + lanes);
        }
        if (mutantKills != null && mutantKills < 1) {
            throw new Shmconform.UsageException("--mutant-kills must be 1 or more, not " + mutantKills);
        }
        if (workers < 2 || workers > 4) {
            throw new Shmconform.UsageException("--workers must be 2, 3 or 4, not " + workers);
        }
        if (count < 1) {
            throw new Shmconform.UsageException("--count must be 1 or more, not " + count);
        }
        if (seconds < 1) {
            throw new Shmconform.UsageException("--seconds must be 1 or more, not " + seconds);
        }
        if (length != null && (length < 1 || length > ScheduleValidation.MAX_STEPS)) {
            throw new Shmconform.UsageException("--length must be between 1 and " + ScheduleValidation.MAX_STEPS + ", not " + length);
        }
        if (seed != null && seed < 0) {
            throw new Shmconform.UsageException("--seed must be 0 or more, not " + seed);
        }
    }

    /**
     * As in 'run': a failure (whatever its re-runs gave: a history the checker judged illegal, with no problem, is one) or
     * a schedule that could not be judged fails.
     */
    static boolean failed(FuzzResult r) {
        return !r.failures().isEmpty() || !r.unknown().isEmpty();
    }

    /** The last line: "shmconform: FAIL — fuzz sysv: 1 failure, 0 unknown in 50 schedules — replay: ...". */
    static String summaryLine(FuzzResult r) {
        long failures = r.failures().size();
        String replay = r.failures().stream().findFirst()
                .map(f -> " — replay: shmconform replay " + f.replayFile()).orElse("");
        return "shmconform: " + (failed(r) ? "FAIL" : "PASS") + " — fuzz " + r.backend() + ": " + failures + " failure"
                + (failures == 1 ? "" : "s") + ", " + r.unknown().size() + " unknown in " + r.schedulesRun() + " schedules (first seed "
                + r.firstSeed() + ")" + replay;
    }

    /** The transition coverage and the differences from the documentation (legal as declared, not as documented). */
    static void printCoverage(FuzzResult r) {
        FuzzResult.Coverage c = r.coverage();
        if (c == null) {
            return;
        }
        System.out.printf("  coverage %s: %d model transitions (state, operation, outcome); corpus %d schedules, %d mutants%n",
                r.backend(), c.transitions(), c.corpus(), c.mutants());
        for (FuzzResult.Difference d : c.differences()) {
            System.out.printf(java.util.Locale.ROOT, "  DIFFERS from the documentation: %s at seed %d after %.1f s, %d schedules: %s%n"
                            + "    %s%n", d.property(), d.seed(), d.secondsToFind(), d.schedulesToFind(), d.why(), d.shrinkSummary());
        }
    }

    static void print(FuzzResult r) {
        System.out.printf("%s: %d schedules, %d operations in %.1f s (%.1f ops/s, %.2f schedules/s)%n", r.backend(),
                r.schedulesRun(), r.operationsRun(), r.seconds(), r.operationsPerSecond(), r.schedulesPerSecond());
        for (FuzzResult.Failure f : r.failures()) {
            System.out.printf("  FAIL %s at seed %d (%s): %s%n    %s: %s%n    replay: shmconform replay %s%n",
                    f.property(), f.seed(), f.rate(), f.why(), f.shrinkSummary(), f.replayFile(), f.replayFile());
        }
        r.unknown().forEach(u -> System.out.println("  UNKNOWN " + u));
        printCoverage(r);
        if (r.failures().isEmpty()) {
            System.out.println("  nothing found (not falsified in " + r.schedulesRun() + " schedules)");
        }
    }
}
