package org.shmconform.engine;

import java.nio.file.Path;
import org.shmconform.backends.host.OfdLockFile;
import org.shmconform.engine.state.StateDirectory;
import org.shmconform.schedule.Schedule;

/**
 * Schedules with a Qt 6.8 System V worker take turns across every run that shares this state directory. Those columns
 * key segments and semaphore sets by {@code ftok} of key files that Qt unlinks while the sets live on, and on a file
 * system that gives a freed inode to the next file made (ext4: the state directory's own), a key file of another run
 * takes such an inode and its ftok key reaches this run's set. Measured: {@code ./mvnw -B verify} beside a second
 * {@code shmconform run} failed NamedSuiteIT's producer-consumer on qt68-sysv-native (C acquired the lock P held: C's
 * lock met a removed set and made another), a verdict that depended on what the other run did. A turn is an
 * open-file-description lock on {@value #FILE} in the state directory (0700, the user's own; the kernel drops it when
 * its holder dies), held from before the schedule's workers start until the reaper has removed its objects. Columns
 * whose keys are not such files do not wait. Other programs on the machine that use ftok of files they unlink are not
 * covered: nothing can make them take turns.
 */
final class KeyFileTurns {
    static final String FILE = "qt68-sysv.turn";
    private static final long POLL_MILLIS = 5;

    private KeyFileTurns() {
    }

    /** A held turn (or none), given back by closing it. */
    interface Turn extends AutoCloseable {
        @Override
        void close();
    }

    /** The schedule's turn: held when one of its workers is a column whose sets outlive their key files, else nothing. */
    static Turn take(Schedule schedule) throws InterruptedException {
        return needsTurn(schedule) ? take()::close : () -> { };
    }

    /** Waits for this state directory's turn and holds it until closed. */
    static OfdLockFile take() throws InterruptedException {
        return OfdLockFile.await(turnFile(), POLL_MILLIS);
    }

    static Path turnFile() {
        return StateDirectory.root().resolve(FILE);
    }

    /** Qt 6.8's System V columns: a failed create's object keeps its handle, and the sets outlive their key files. */
    static boolean needsTurn(Schedule schedule) {
        return schedule.workers().stream().anyMatch(w -> {
            try {
                return Subjects.here().semantics(w.impl()).retryRemovesOrphan();
            } catch (IllegalArgumentException e) {
                return false; // a partner program or a column without a readable declaration: not such a column
            }
        });
    }
}
