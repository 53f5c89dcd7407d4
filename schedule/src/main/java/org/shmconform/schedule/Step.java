package org.shmconform.schedule;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import org.shmconform.spi.Args;

/**
 * One step of a schedule: which worker does which operation with which {@link Args}. {@code op} is a
 * protocol op ({@code create}, {@code lock}, ...) or {@code kill} (a SIGKILL of the worker by the
 * engine). {@code key} is the logical key; the engine prefixes it with the run's id. A step with
 * {@code noWait} is issued without waiting for its reply, so the next steps run while it is in
 * flight (or blocked).
 *
 * <p>The schedule file spells the arguments flat beside {@code worker} and {@code op}, and the data
 * written as text ({@code "data":"hello"}); {@link #fromJson} and the {@code @JsonProperty}
 * accessors below are that format. They are written out rather than {@code @JsonUnwrapped}
 * because an unwrapped record swallows unknown fields, and {@link ScheduleValidation} must name them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL) // not NON_DEFAULT: that drops an offset or size of 0
@JsonPropertyOrder({"worker", "op", "key", "size", "mode", "offset", "length", "data", "ms", "path", "peer", "child", "noWait"})
public record Step(String worker, String op, @JsonIgnore Args args,
                   @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean noWait) {

    public Step {
        args = args == null ? Args.NONE : args;
    }

    /** The schedule file's flat form. */
    @JsonCreator
    public static Step fromJson(@JsonProperty("worker") String worker, @JsonProperty("op") String op,
                                @JsonProperty("key") String key, @JsonProperty("size") Long size,
                                @JsonProperty("mode") String mode, @JsonProperty("offset") Long offset,
                                @JsonProperty("length") Integer length, @JsonProperty("data") String data,
                                @JsonProperty("ms") Long ms, @JsonProperty("path") String path,
                                @JsonProperty("peer") String peer, @JsonProperty("child") String child,
                                @JsonProperty("noWait") boolean noWait) {
        return new Step(worker, op, new Args(key, size, mode, offset, length, Args.hexOf(data), ms, path, peer, child), noWait);
    }

    public static Step of(String worker, String op) {
        return new Step(worker, op, Args.NONE, false);
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

    /** The text written (its UTF-8 bytes are what the worker writes). */
    @JsonProperty("data")
    public String data() {
        return args.dataText();
    }

    @JsonProperty("ms")
    public Long ms() {
        return args.ms();
    }

    /** serveFd, attachFd: the hand-over socket's name (the engine picks its path). */
    @JsonProperty("path")
    public String path() {
        return args.path();
    }

    /** serveFd: the one other user whose processes may receive the descriptor. */
    @JsonProperty("peer")
    public String peer() {
        return args.peer();
    }

    /** spawnChild: the worker this step starts as a child of its own worker (the child inherits the segment's descriptor). */
    @JsonProperty("child")
    public String child() {
        return args.child();
    }

    public Step child(String id) {
        return new Step(worker, op, args.withChild(id), noWait);
    }

    public Step path(String name) {
        return new Step(worker, op, args.withPath(name), noWait);
    }

    public Step peer(String user) {
        return new Step(worker, op, args.withPeer(user), noWait);
    }

    public Step key(String k) {
        return new Step(worker, op, args.withKey(k), noWait);
    }

    public Step size(long s) {
        return new Step(worker, op, args.withSize(s), noWait);
    }

    public Step mode(String m) {
        return new Step(worker, op, args.withMode(m), noWait);
    }

    public Step at(long off) {
        return new Step(worker, op, args.withOffset(off), noWait);
    }

    public Step length(int len) {
        return new Step(worker, op, args.withLength(len), noWait);
    }

    public Step data(String text) {
        return new Step(worker, op, args.withText(text), noWait);
    }

    public Step ms(long m) {
        return new Step(worker, op, args.withMs(m), noWait);
    }

    public Step async() {
        return new Step(worker, op, args, true);
    }

    public Step worker(String w) {
        return new Step(w, op, args, noWait);
    }
}
