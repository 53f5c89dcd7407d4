package org.shmconform.model;

/**
 * One completed operation as the model sees it: who did what, with which arguments, and what came
 * back. {@code outcome} is OK, FAIL, CRASH (the worker died of a signal during the op), BLOCKED (it
 * never returned while the worker was otherwise idle) or DEATH (the worker was killed: no call).
 *
 * @param user  the user the worker runs as (null: the harness's own user, root here)
 * @param space the key space of the worker's backend plus the namespace identity that decides
 *              what it can see (two workers reach one object only if their spaces are equal)
 */
public record ModelOp(String process, String f, String key, int realKeyLength, Long size, String mode, Long offset,
                      Integer length, String dataHex, Outcome outcome, String error, String value, String space,
                      String user) {

    public enum Outcome {
        OK, FAIL, CRASH, BLOCKED, DEATH
    }

    public boolean readOnly() {
        return "ReadOnly".equals(mode);
    }
}
