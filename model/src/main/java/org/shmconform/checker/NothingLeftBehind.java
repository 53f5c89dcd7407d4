package org.shmconform.checker;

import org.shmconform.history.Execution;

/**
 * Nothing of ours left behind: every kernel object the execution made is gone once it has ended
 * (the run's ledger looks; {@link Execution#leftovers}). FAIL naming each object that was still there.
 */
public final class NothingLeftBehind implements Checker {
    /** The id of the row it adds to an execution's results when it fails. */
    public static final String ID = "NOTHING-LEFT-BEHIND";

    @Override
    public Judgement check(Execution x) {
        return x.leftovers().isEmpty() ? Judgement.pass()
                : Judgement.of(Verdict.FAIL, "left behind after the execution: " + String.join(", ", x.leftovers()));
    }
}
