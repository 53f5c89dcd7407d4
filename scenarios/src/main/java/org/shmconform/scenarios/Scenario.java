package org.shmconform.scenarios;

import java.util.List;
import java.util.function.Function;
import org.shmconform.harness.model.Property;
import org.shmconform.harness.schedule.Schedule;

/**
 * A named conformance scenario: a schedule written by hand for a column (the implementation under
 * test), and the documentation properties it exercises. It never says what the verdict is: the
 * checker computes that from the history.
 *
 * @param build    the schedule for a column
 * @param requires why the scenario cannot run for a column here (e.g. a partner backend is missing), or null
 */
public record Scenario(String id, String title, List<Property> properties, Function<String, Schedule> build,
                       Function<String, String> requires) {

    public Schedule scheduleFor(String column) {
        return build.apply(column);
    }
}
