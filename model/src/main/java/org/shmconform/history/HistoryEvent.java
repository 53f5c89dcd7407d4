package org.shmconform.history;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import org.shmconform.spi.Args;

/**
 * One line of a history. The history file spells the arguments flat ({@code key}, {@code size},
 * {@code mode}, {@code offset}, {@code length}, {@code data} in hex) between {@code f} and
 * {@code value}: {@link #fromJson} and the {@code @JsonProperty} accessors are that format.
 *
 * @param index       position in the history
 * @param time        nanoseconds since the schedule started (monotonic clock)
 * @param process     worker id, or "nemesis" for the engine's kills
 * @param type        invoke / ok / fail / info
 * @param f           the operation (create, attach, ..., kill)
 * @param args        the op's arguments (invokes), or a read's bytes ({@code dataHex} of the ok of a read);
 *                    a sleep's {@code ms} is not part of the history format and is dropped
 * @param value       other results: size(), isAttached(), the killed worker (nemesis)
 * @param error       Qt error name after the call
 * @param errorString Qt errorString after the call
 * @param exitStatus  for info completions and kills: how the worker ended (128+signal)
 * @param note        why an info is indeterminate ("killed", "crashed", "timeout"), or other context
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"index", "time", "process", "type", "f", "key", "size", "mode", "offset", "length", "data", "path", "peer",
        "child", "value",
        "error", "errorString", "exitStatus", "note"})
public record HistoryEvent(int index, long time, String process, EventType type, String f, @JsonIgnore Args args,
                           String value, String error, String errorString, Integer exitStatus, String note) {

    public HistoryEvent {
        args = args == null ? Args.NONE : args.withMs(null);
    }

    /**
     * The flat form, argument by argument ({@code data} in hex).
     *
     * @deprecated kept so callers written before {@link Args} compile; new code passes an {@link Args}.
     */
    @Deprecated
    public HistoryEvent(int index, long time, String process, EventType type, String f, String key, Long size,
                        String mode, Long offset, Integer length, String data, String value, String error,
                        String errorString, Integer exitStatus, String note) {
        this(index, time, process, type, f, new Args(key, size, mode, offset, length, data, null), value, error,
                errorString, exitStatus, note);
    }

    /** The history file's flat form. */
    @JsonCreator
    public static HistoryEvent fromJson(@JsonProperty("index") int index, @JsonProperty("time") long time,
                                        @JsonProperty("process") String process, @JsonProperty("type") EventType type,
                                        @JsonProperty("f") String f, @JsonProperty("key") String key,
                                        @JsonProperty("size") Long size, @JsonProperty("mode") String mode,
                                        @JsonProperty("offset") Long offset, @JsonProperty("length") Integer length,
                                        @JsonProperty("data") String data, @JsonProperty("path") String path,
                                        @JsonProperty("peer") String peer, @JsonProperty("child") String child,
                                        @JsonProperty("value") String value,
                                        @JsonProperty("error") String error, @JsonProperty("errorString") String errorString,
                                        @JsonProperty("exitStatus") Integer exitStatus, @JsonProperty("note") String note) {
        return new HistoryEvent(index, time, process, type, f, new Args(key, size, mode, offset, length, data, null, path, peer, child),
                value, error, errorString, exitStatus, note);
    }

    /** The same event at position {@code i}. */
    public HistoryEvent withIndex(int i) {
        return new HistoryEvent(i, time, process, type, f, args, value, error, errorString, exitStatus, note);
    }

    @JsonProperty("key")
    public String key() {
        return args.key();
    }

    @JsonProperty("size")
    public Long size() {
        return args.size();
    }

    @JsonProperty("mode")
    public String mode() {
        return args.mode();
    }

    @JsonProperty("offset")
    public Long offset() {
        return args.offset();
    }

    @JsonProperty("length")
    public Integer length() {
        return args.length();
    }

    /** serveFd, attachFd: the hand-over socket's name, as the schedule gave it. */
    @JsonProperty("path")
    public String path() {
        return args.path();
    }

    /** serveFd: the other user the descriptor is handed to. */
    @JsonProperty("peer")
    public String peer() {
        return args.peer();
    }

    /** spawnChild: the worker started as a child of this one (the relationship, as the history keeps it). */
    @JsonProperty("child")
    public String child() {
        return args.child();
    }

    /** The bytes written (invoke) or read (ok of a read), in hex. */
    @JsonProperty("data")
    public String data() {
        return args.dataHex();
    }
}
