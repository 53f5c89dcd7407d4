package org.shmconform.checker;

import org.shmconform.model.ModelOp;

/**
 * An operation with its real-time interval [call, ret] (nanoseconds). An optional op is
 * indeterminate: the worker was killed before it replied, so it may have taken effect or not.
 *
 * @param invokeIndex the history index of its invoke, for evidence
 */
public record CheckedOp(int id, ModelOp op, long call, long ret, boolean optional, int invokeIndex) {
}
