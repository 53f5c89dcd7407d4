package org.shmconform.engine.state;

import java.nio.file.Path;
import org.shmconform.backends.host.OfdLockFile;

/**
 * Whether some harness is making a run's directory right now. A run is made under {@code runs/.new-<letters>}, locked,
 * then renamed to its id; a harness killed between that mkdir and the moment its {@code lock} file is in place left a
 * {@code .new-} directory with no lock to take, which no reaper could tell from one being made (seen: an empty one stayed).
 * Every harness holds this file's lock shared from before its mkdir until after its rename; a reaper that takes it
 * exclusively knows that no {@code .new-} directory has a maker left. The file lives in the state directory, beside
 * {@code runs/}, where only its owner can write (lstat-checked by {@link PrivateDirectory}).
 */
public final class RunsBeingMade {
    static final String FILE = "runs-being-made.lock";

    private RunsBeingMade() {
    }

    /** Held (shared with other makers) while this harness makes a run's directory. */
    public static OfdLockFile hold() {
        return OfdLockFile.awaitShared(file());
    }

    /** Held when no harness is making a run's directory (null when one is): every {@code .new-} directory is then left over. */
    public static OfdLockFile noneBeingMade() {
        return OfdLockFile.tryTakeOrMake(file()).lock();
    }

    static Path file() {
        return StateDirectory.root().resolve(FILE);
    }
}
