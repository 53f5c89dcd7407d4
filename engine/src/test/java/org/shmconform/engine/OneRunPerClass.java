package org.shmconform.engine;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One run (its private state, its ledger, its reaper) for all the tests of a class, closed after the last one however it
 * ended: {@code @RegisterExtension static final OneRunPerClass RUN = new OneRunPerClass();}, then {@code RUN.context()}.
 */
final class OneRunPerClass implements BeforeAllCallback, AfterAllCallback {
    private RunContext run;

    @Override
    public void beforeAll(ExtensionContext context) {
        run = RunContext.create();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        run.close();
    }

    RunContext context() {
        return run;
    }
}
