package org.shmconform.scenarios;

import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import org.shmconform.model.Property;
import org.shmconform.schedule.Schedule;

/**
 * A named conformance scenario: a schedule written by hand for a column (the implementation under
 * test), and the documentation properties it exercises. It never says what the verdict is: the
 * checker computes that from the history.
 *
 * @param build    the schedule for a column
 * @param requires  why the scenario cannot run for a column here (e.g. a partner backend is missing), or null
 * @param appliesTo the columns the scenario is about (the Java-Qt interop scenarios are about the qt column)
 */
public record Scenario(String id, String title, List<Property> properties, Function<String, Schedule> build,
                       Function<String, String> requires, Placement placement, Predicate<String> appliesTo) {

    /** Where a scenario's workers run. */
    public enum Placement {
        /** Local only: the property does not depend on namespaces. */
        LOCAL,
        /** Moved as a whole into each environment under test (all workers in one group). */
        EVERY_ENVIRONMENT,
        /** Its workers name their own environments (cross-environment visibility). */
        FIXED
    }

    public Schedule scheduleFor(String column) {
        return build.apply(column);
    }

    /** The schedule with every worker in {@code env}, all in one group (they share its namespaces). */
    public Schedule scheduleFor(String column, String env) {
        Schedule s = build.apply(column);
        if (placement == Placement.FIXED) {
            return s;
        }
        return s.withWorkers(s.workers().stream().map(w -> w.in(env, "g")).toList(), s.steps());
    }

    public Scenario placed(Placement p) {
        return new Scenario(id, title, properties, build, requires, p, appliesTo);
    }

    public Scenario onlyFor(Predicate<String> columns) {
        return new Scenario(id, title, properties, build, requires, placement, columns);
    }
}
