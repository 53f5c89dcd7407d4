package org.shmconform.history;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One line of a history.
 *
 * @param index       position in the history
 * @param time        nanoseconds since the schedule started (monotonic clock)
 * @param process     worker id, or "nemesis" for the engine's kills
 * @param type        invoke / ok / fail / info
 * @param f           the operation (create, attach, ..., kill)
 * @param key         logical key (invokes of create/attach)
 * @param size        create's size
 * @param mode        ReadOnly / ReadWrite
 * @param offset      read/write offset
 * @param length      read/truncate length
 * @param data        text written (invoke) or read (ok of read)
 * @param value       other results: size(), isAttached(), the killed worker (nemesis)
 * @param error       Qt error name after the call
 * @param errorString Qt errorString after the call
 * @param exitStatus  for info completions and kills: how the worker ended (128+signal)
 * @param note        why an info is indeterminate ("killed", "crashed", "timeout"), or other context
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HistoryEvent(int index, long time, String process, EventType type, String f, String key, Long size,
                           String mode, Long offset, Integer length, String data, String value, String error,
                           String errorString, Integer exitStatus, String note) {
}
