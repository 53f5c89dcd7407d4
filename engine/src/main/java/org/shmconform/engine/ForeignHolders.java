package org.shmconform.engine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.shmconform.spi.SharedMemoryBackend;

/**
 * Asks the backends of an execution's columns what processes outside it hold at its names ({@link
 * SharedMemoryBackend#heldOutside}): a memfd is found through the processes that hold it, and another program can hold
 * one of a name of the execution, or the claim on such a name, which the execution's workers would take for theirs.
 */
final class ForeignHolders {
    private ForeignHolders() {
    }

    /**
     * @param columns the execution's columns (its workers' impls)
     * @param keys    the keys its workers' objects were given (the execution's prefix and a schedule's key)
     * @param ours    the host pids of its worker processes; empty when one is not known, and then nothing is told
     */
    static List<String> of(Set<String> columns, String prefix, Collection<String> keys, Set<Long> ours) {
        List<String> found = new ArrayList<>();
        if (ours.isEmpty()) {
            return found; // a worker whose pid is not known could not be told apart from another program
        }
        for (SharedMemoryBackend backend : Reaper.availableBackends()) {
            if (columns.contains(backend.name())) {
                try {
                    found.addAll(backend.heldOutside(prefix, keys, ours));
                } catch (RuntimeException | LinkageError e) {
                    // a plug-in that cannot look has nothing to tell; the look is not the verdict's only guard
                }
            }
        }
        return found;
    }

    /** Whether a column's backend says {@code errorString} is its own patience running out ({@link SharedMemoryBackend#gaveUpWaiting}). */
    static boolean gaveUpWaiting(String column, String errorString) {
        for (SharedMemoryBackend backend : Reaper.availableBackends()) {
            if (backend.name().equals(column)) {
                try {
                    return backend.gaveUpWaiting(errorString);
                } catch (RuntimeException | LinkageError e) {
                    return false;
                }
            }
        }
        return false;
    }
}
