package org.shmconform.fuzz;

import java.util.Optional;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScheduleChecker;
import org.shmconform.checker.Verdict;
import org.shmconform.history.Execution;
import org.shmconform.history.EventType;
import org.shmconform.schedule.Schedule;

/** One execution of a schedule and the checker's outcome on it. */
public record Checked(Schedule schedule, Execution execution, ScheduleChecker.Outcome outcome) {

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
