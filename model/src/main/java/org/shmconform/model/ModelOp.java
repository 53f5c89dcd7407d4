package org.shmconform.model;

import org.shmconform.spi.Args;

/**
 * One completed operation as the model sees it: who did what, with which arguments, and what came
 * back. {@code outcome} is OK, FAIL, CRASH (the worker died of a signal during the op), BLOCKED (it
 * never returned while the worker was otherwise idle) or DEATH (the worker was killed: no call).
 *
 * @param args          the op's arguments; for a read, {@code dataHex} is what it returned
 * @param realKeyLength length of the key the worker really used (the run's prefix plus {@code key})
 * @param user          the user the worker runs as (null: the harness's own user, root here)
 * @param space         the key space of the worker's backend plus the namespace identity that decides
 *                      what it can see (two workers reach one object only if their spaces are equal)
 */
public record ModelOp(String process, String f, Args args, int realKeyLength, Outcome outcome, String error,
                      String value, String space, String user) {

    public enum Outcome {
        OK, FAIL, CRASH, BLOCKED, DEATH
    }

    public ModelOp {
        args = args == null ? Args.NONE : args;
    }

    /**
     * The flat form, argument by argument.
     *
     * @deprecated kept so callers written before {@link Args} compile; new code passes an {@link Args}.
     */
    @Deprecated
    public ModelOp(String process, String f, String key, int realKeyLength, Long size, String mode, Long offset,
                   Integer length, String dataHex, Outcome outcome, String error, String value, String space,
                   String user) {
        this(process, f, new Args(key, size, mode, offset, length, dataHex, null), realKeyLength, outcome, error, value,
                space, user);
    }

    public String key() {
        return args.key();
    }

    public Long size() {
        return args.size();
    }

    public String mode() {
        return args.mode();
    }

    public Long offset() {
        return args.offset();
    }

    public Integer length() {
        return args.length();
    }

    public String dataHex() {
        return args.dataHex();
    }

    public boolean readOnly() {
        return args.readOnly();
    }
}
