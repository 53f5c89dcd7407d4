package org.shmconform.schedule;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One step of a schedule: which worker does which operation with which arguments. {@code op} is a
 * protocol op ({@code create}, {@code lock}, ...) or {@code kill} (a SIGKILL of the worker by the
 * engine). {@code key} is the logical key; the engine prefixes it with the run's id. {@code data} is
 * the text written. A step with {@code noWait} is issued without waiting for its reply, so the
 * next steps run while it is in flight (or blocked).
 */
@JsonInclude(JsonInclude.Include.NON_NULL) // not NON_DEFAULT: that drops an offset or size of 0
public record Step(String worker, String op, String key, Long size, String mode, Long offset, Integer length,
                   String data, Long ms, @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean noWait) {

    public static Step of(String worker, String op) {
        return new Step(worker, op, null, null, null, null, null, null, null, false);
    }

    public Step key(String k) {
        return new Step(worker, op, k, size, mode, offset, length, data, ms, noWait);
    }

    public Step size(long s) {
        return new Step(worker, op, key, s, mode, offset, length, data, ms, noWait);
    }

    public Step mode(String m) {
        return new Step(worker, op, key, size, m, offset, length, data, ms, noWait);
    }

    public Step at(long off) {
        return new Step(worker, op, key, size, mode, off, length, data, ms, noWait);
    }

    public Step length(int len) {
        return new Step(worker, op, key, size, mode, offset, len, data, ms, noWait);
    }

    public Step data(String text) {
        return new Step(worker, op, key, size, mode, offset, length, text, ms, noWait);
    }

    public Step ms(long m) {
        return new Step(worker, op, key, size, mode, offset, length, data, m, noWait);
    }

    public Step async() {
        return new Step(worker, op, key, size, mode, offset, length, data, ms, true);
    }

    public Step worker(String w) {
        return new Step(w, op, key, size, mode, offset, length, data, ms, noWait);
    }
}
