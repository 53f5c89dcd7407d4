package org.shmconform.checker;

import java.util.List;

/**
 * The longest linearization the search found, Porcupine's view of a history: the operations it could
 * place one after the other (each within its real-time interval, each process in program order) with
 * the model's state after each, and the operation(s) none of which the model allowed next. For an
 * illegal history that prefix is where the explanation ran out; the first unplaced op is the one blamed.
 *
 * @param initialState the model's state before the first step, in the model's words
 * @param steps        the placed operations in linearization order (an indeterminate op the search left
 *                     out, as if it never took effect, is not a step)
 * @param unplaced     the operations that were eligible next but that the model rejected, the blamed one
 *                     first (empty for a complete linearization)
 */
public record Linearization(String initialState, List<Step> steps, List<Unplaced> unplaced) {
    public Linearization {
        steps = List.copyOf(steps);
        unplaced = List.copyOf(unplaced);
    }

    /**
     * One placed operation.
     *
     * @param eventIndex the history index of its invoke
     * @param operation  the op in the model's words
     * @param state      the model's state after it
     */
    public record Step(int eventIndex, String process, String operation, String state) {
    }

    /**
     * An operation that could not be placed after the last step.
     *
     * @param eventIndex the history index of its invoke
     * @param why        the model's reason
     */
    public record Unplaced(int eventIndex, String process, String operation, String why) {
    }
}
