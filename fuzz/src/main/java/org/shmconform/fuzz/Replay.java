package org.shmconform.fuzz;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.shmconform.engine.RunContext;
import org.shmconform.engine.ScheduleRunner;
import org.shmconform.engine.Subjects;
import org.shmconform.engine.Trial;
import org.shmconform.engine.env.ContainerSweeper;
import org.shmconform.engine.env.Environment;
import org.shmconform.engine.env.Environments;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.checker.PropertyResult;
import org.shmconform.history.HistoryEvent;
import org.shmconform.history.HexText;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.WorkerSpec;

/** Runs a saved schedule again on real workers and checks it: {@code shmconform replay FILE}. */
public final class Replay {
    private Replay() {
    }

    /** Replays with the engine's default timing, judged as the first worker's implementation. */
    public static Trial run(Path scheduleFile) throws IOException, InterruptedException {
        return run(scheduleFile, null, ScheduleRunner.Timing.defaults());
    }

    /** The schedule cannot run on this machine (a backend, the Qt worker or an environment is missing): why. */
    public static final class NotRunnableHere extends IllegalStateException {
        public NotRunnableHere(String message) {
            super(message);
        }
    }

    /**
     * A schedule that a probe which did not finish (Availability's UNDECIDED) keeps from running: nothing was tried and
     * nothing says it cannot be, so it is an UNKNOWN result (exit 1), never a usage error.
     */
    public static final class ProbeUndecided extends IllegalStateException {
        public ProbeUndecided(String message) {
            super(message);
        }
    }

    /**
     * Loads the file (strictly: see {@link org.shmconform.schedule.ScheduleValidation}), makes
     * the environments its workers name, runs it and checks it.
     *
     * @param subjectImpl whose declared semantics judge the history; null: the first worker's impl
     * @throws org.shmconform.schedule.ScheduleValidation.InvalidSchedule when the file is not a valid schedule
     * @throws NotRunnableHere when a worker's implementation or environment is not available here
     */
    public static Trial run(Path scheduleFile, String subjectImpl, ScheduleRunner.Timing timing)
            throws IOException, InterruptedException {
        Schedule schedule = Schedule.load(scheduleFile, Subjects.here().vocabulary());
        try (RunContext run = RunContext.create()) {
            Map<String, Environment> environments = new LinkedHashMap<>();
            try {
                for (String name : new LinkedHashSet<>(schedule.workers().stream().map(WorkerSpec::env).toList())) {
                    environments.put(name, Environments.create(name, run.runId()).orElseThrow());
                }
                return run(schedule, subjectImpl, run, environments, timing);
            } finally {
                environments.values().forEach(Environment::close);
                ContainerSweeper.removeRun(run.runId());
            }
        }
    }

    /** Runs a schedule whose workers are all local. */
    public static Trial run(Schedule schedule, String subjectImpl, RunContext run, ScheduleRunner.Timing timing)
            throws InterruptedException {
        return run(schedule, subjectImpl, run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()), timing);
    }

    public static Trial run(Schedule schedule, String subjectImpl, RunContext run, Map<String, Environment> environments,
                              ScheduleRunner.Timing timing) throws InterruptedException {
        ScheduleRunner runner = new ScheduleRunner(run, environments, timing);
        org.shmconform.spi.Availability here = runner.availability(schedule);
        if (here.undecided()) {
            throw new ProbeUndecided("replay " + schedule.name() + ": a probe it needs did not finish: " + here.reason());
        }
        if (!here.available()) {
            throw new NotRunnableHere("cannot replay " + schedule.name() + " here: " + here.reason());
        }
        String subject = subjectImpl != null ? subjectImpl : schedule.workers().get(0).impl();
        return Trial.run(runner, schedule, subject, List.of());
    }

    /** The history, one readable line per event, then each property's verdict. */
    public static void print(Trial c, PrintStream out) {
        out.println("schedule " + c.schedule().name() + " (seed " + c.schedule().seed() + "), keys "
                + c.execution().keyPrefix() + "*");
        for (HistoryEvent e : c.execution().history().events()) {
            out.println(line(e));
        }
        for (String note : c.execution().notes()) {
            out.println("note: " + note);
        }
        if (c.execution().broken() != null) {
            out.println("BROKEN: " + c.execution().broken());
        }
        for (PropertyResult r : c.outcome().results()) {
            out.println(r.verdict() + " " + r.property() + (r.why() == null ? "" : ": " + r.why())
                    + (r.eventIndex() == null ? "" : " (history line " + r.eventIndex() + ")"));
        }
        out.println(c.fails() ? "verdict: FAIL " + c.failingProperty() : "verdict: no failure");
    }

    static String line(HistoryEvent e) {
        StringBuilder b = new StringBuilder(String.format("%4d %9.3f ms  %-7s %-6s %-10s", e.index(), e.time() / 1e6,
                e.process(), e.type(), e.f()));
        append(b, "key", e.key());
        append(b, "size", e.size());
        append(b, "mode", e.mode());
        append(b, "offset", e.offset());
        append(b, "length", e.length());
        append(b, "data", e.data() == null ? null : HexText.quoted(e.data()));
        append(b, "path", e.path());
        append(b, "peer", e.peer());
        append(b, "child", e.child());
        append(b, "value", e.value());
        append(b, "error", e.error());
        append(b, "exit", e.exitStatus());
        append(b, "note", e.note());
        return b.toString().stripTrailing();
    }

    private static void append(StringBuilder b, String name, Object value) {
        if (value != null && !"NoError".equals(value)) {
            b.append(' ').append(name).append('=').append(value);
        }
    }
}
