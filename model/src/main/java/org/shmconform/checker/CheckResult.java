package org.shmconform.checker;

import java.util.SortedSet;
import org.shmconform.model.Property;

/**
 * The checker's answer for one history under one profile.
 *
 * @param status       LINEARIZABLE: some order of the operations within their real-time intervals
 *                     is legal for the model; VIOLATION: none is; UNKNOWN: the search gave up
 * @param violated     the property the furthest-reaching order broke (VIOLATION only)
 * @param why          the model's reason, or why the checker gave up
 * @param eventIndex   the history index of the operation that could not be placed
 * @param observations the open branches a legal order took (e.g. "lock after its holder died: released")
 * @param linearization VIOLATION: the longest linearized prefix the search reached and the op(s) it could
 *                      not place next (null otherwise)
 */
public record CheckResult(Status status, Property violated, String why, Integer eventIndex, SortedSet<String> observations,
                          Linearization linearization) {
    /** Without a linearization. */
    public CheckResult(Status status, Property violated, String why, Integer eventIndex, SortedSet<String> observations) {
        this(status, violated, why, eventIndex, observations, null);
    }

    public enum Status {
        LINEARIZABLE, VIOLATION, UNKNOWN
    }
}
