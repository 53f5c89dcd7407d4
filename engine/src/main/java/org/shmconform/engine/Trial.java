package org.shmconform.engine;

import org.shmconform.history.ReportLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScheduleChecker;
import org.shmconform.checker.Verdict;
import org.shmconform.history.EventType;
import org.shmconform.history.Execution;
import org.shmconform.model.Property;
import org.shmconform.schedule.Schedule;

/**
 * One schedule run on real workers, its history checked, and (when asked) its evidence kept: what the
 * named suite, the fuzzer (every generated schedule and every shrinking re-run) and replay each do
 * with a schedule. The verdicts are the checker's, judged under the subject column's declared
 * semantics as well as the documented ones.
 *
 * @param schedule  the schedule as run (or as the evidence names it, see {@link #renamed})
 * @param execution what the engine saw: the history, the workers, the notes, what could not be done
 * @param outcome   the checker's verdicts on the history
 */
public record Trial(Schedule schedule, Execution execution, ScheduleChecker.Outcome outcome) {

    /**
     * Runs the schedule and checks its history.
     *
     * @param subject    the column whose declared semantics judge the history
     * @param properties the properties to give a verdict on (none: only whether the declared profile holds)
     */
    public static Trial run(ScheduleRunner runner, Schedule schedule, String subject, List<Property> properties)
            throws InterruptedException {
        Execution x = runner.run(schedule);
        for (int again = 0; again < RUNS_AFTER_AN_OUTSIDE_HAND && x.metAnOutsideHand(); again++) {
            Execution met = x;
            x = withNotes(runner.run(schedule), met, RUN_AGAIN
                    + " (new inodes, so new ftok keys; its workers proven clean, its lockers new: WorkerPool#readmit) after execution "
                    + met.keyPrefix() + ": " + met.broken());
        }
        return new Trial(schedule, x, ScheduleChecker.check(x, subject, properties, Subjects.here()));
    }

    /**
     * How many times a schedule runs again when something outside the run acted on its execution ({@link
     * Execution#metAnOutsideHand}): another program's System V object at one of its keys ({@link Ledger.Foreign}), or a
     * worker ended by another hand (an OOM kill); still met after that, the execution stays UNKNOWN with the reason. On a
     * file system that gives a freed inode to the next file made (ext4), the next key file may take the same inode again
     * (three times out of three in ForeignObjectAtAKeyTest's first version, on ext4); on tmpfs it takes a new number.
     */
    static final int RUNS_AFTER_AN_OUTSIDE_HAND = 2;
    private static final String RUN_AGAIN = "run again on fresh key files";

    /** The execution with the earlier one's notes of running again, and this one's. */
    private static Execution withNotes(Execution x, Execution earlier, String note) {
        List<String> notes = new java.util.ArrayList<>(x.notes());
        earlier.notes().stream().filter(n -> n.startsWith(RUN_AGAIN)).forEach(notes::add);
        notes.add(note);
        return new Execution(x.scheduleName(), x.keyPrefix(), x.history(), x.workers(), notes, x.problems(), x.leftovers());
    }

    /** Writes the schedule and the history where the report folder's layout puts them. */
    public Trial keep(ReportLayout.Evidence where) {
        try {
            schedule.save(where.scheduleFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        execution.history().write(where.historyFile());
        return this;
    }

    /** The same run, its schedule named and seeded anew (same workers, same steps), e.g. a shrunk schedule. */
    public Trial renamed(String name, Long seed) {
        return new Trial(new Schedule(name, seed, schedule.workers(), schedule.steps()), execution, outcome);
    }

    /** Whether the declared profile found the history illegal (a FAIL). */
    public boolean fails() {
        return outcome.fails();
    }

    /** The property the declared profile found broken (FAIL), if any. */
    public Optional<PropertyResult> failure() {
        return outcome.results().stream().filter(r -> r.verdict() == Verdict.FAIL).findFirst();
    }

    public String failingProperty() {
        return failure().map(PropertyResult::property).orElse(null);
    }

    /** Why nothing could be concluded (harness broken, checker gave up), or null. */
    public String unknown() {
        if (fails()) {
            return null;
        }
        return outcome.results().stream().filter(r -> r.verdict() == Verdict.UNKNOWN).map(PropertyResult::why)
                .findFirst().orElse(null);
    }

    /** Operations issued: every worker invoke plus every kill. */
    public long operations() {
        return execution.history().events().stream().filter(e -> e.type() == EventType.invoke).count();
    }
}
