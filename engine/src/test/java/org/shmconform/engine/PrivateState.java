package org.shmconform.engine;

import java.nio.file.Path;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * A state directory of a test's own under /run (runs, reaper and turns see only its runs), made the JVM's for the
 * test and removed after it with the workers' share directory beside it.
 */
final class PrivateState {
    private PrivateState() {
    }

    /** A fresh state directory's path, now the one {@link RunContext} uses. */
    static Path use() {
        Path state = Path.of("/run/shmconform-test-" + RunContext.letters(8));
        System.setProperty(RunContext.STATE_DIR_PROPERTY, state.toString());
        return state;
    }

    /** Removes {@code state} and its share directory, and gives the default state directory back. */
    static void remove(Path state) {
        PrivateDirectory.deleteTree(state);
        PrivateDirectory.deleteTree(state.resolveSibling(state.getFileName() + "-share"));
        System.clearProperty(RunContext.STATE_DIR_PROPERTY);
    }
}
