package org.shmconform.engine;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For a test that makes System V objects keyed by ftok of key files outside a schedule (its workers started by hand, or
 * a backend called in the test's JVM): holds {@link KeyFileTurns#hold()} from before the test until its
 * {@code @AfterEach} has removed what it made, as a schedule holds it until the reaper's pass, so no run beside the test
 * makes key files meanwhile (ReaperTest's comment says what happened without it). A schedule the test runs on its own
 * thread takes no second turn.
 */
public final class TakesTheKeyFileTurn implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace HERE = ExtensionContext.Namespace.create(TakesTheKeyFileTurn.class);

    @Override
    public void beforeEach(ExtensionContext context) throws InterruptedException {
        context.getStore(HERE).put(KeyFileTurns.Turn.class, KeyFileTurns.hold());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        KeyFileTurns.Turn held = context.getStore(HERE).remove(KeyFileTurns.Turn.class, KeyFileTurns.Turn.class);
        if (held != null) {
            held.close();
        }
    }
}
