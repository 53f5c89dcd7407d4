package org.shmconform.checker;

/**
 * One operation as the linearizability search places it: a process's call with its real-time
 * interval [call, ret]. An optional op is indeterminate (its process was killed before it replied):
 * it may have taken effect or not.
 *
 * @param id          unique within the history; with {@code invokeIndex} it orders a process's ops
 * @param process     whose program order the op belongs to
 * @param input       the op for the model
 * @param invokeIndex the history index of its invoke (program order, and evidence)
 */
public record Operation<O>(int id, String process, O input, long call, long ret, boolean optional, int invokeIndex) {
}
