package org.shmconform.engine;

import java.nio.file.Path;
import org.shmconform.backends.host.OfdLockFile;
import org.shmconform.engine.env.Environments;
import org.shmconform.engine.state.StateDirectory;
import org.shmconform.model.Profile;
import org.shmconform.schedule.Schedule;

/**
 * Schedules whose System V objects are keyed by {@code ftok} of key files, in the host's IPC namespace, take turns across
 * every run of the user on the machine. Qt unlinks such key files while their sets live on (Qt 6.8 at every last
 * detach; Qt 6.4 when an owner's re-key removes a file under other openers: the model's nameless sets), and on a file
 * system that gives a freed inode to the next file made (ext4: the state directory's own), a key file of another run
 * takes such an inode and its ftok key reaches this run's set. Measured: {@code ./mvnw -B verify} beside a second
 * {@code shmconform run} failed NamedSuiteIT's producer-consumer on qt68-sysv-native (C acquired the lock P held: C's
 * lock met a removed set and made another), a verdict that depended on what the other run did. A turn is an
 * open-file-description lock on {@value #FILE} in the user's default state directory (0700, the user's own; the kernel
 * drops it when its holder dies), whatever state directory the run was given ({@link StateDirectory#machineWide}: a
 * test run in a state directory of its own beside a {@code shmconform run} in the default one takes turns with it; only
 * runs that shared a state directory did before, which the engine tests' makers of sets keyed by ftok did not), held
 * from before the schedule's workers start until the reaper has removed its objects. Columns
 * whose lock is no System V set, and workers in an IPC namespace of their own (where another run's key cannot reach
 * their objects), do not wait. Other programs on the machine that use ftok of files they unlink are not covered:
 * nothing can make them take turns; an execution that meets one of their objects at its keys is told so and UNKNOWN
 * ({@link Ledger#foreignAtKeysOf}, {@link Ledger#foreignAtKeysNow}).
 */
final class KeyFileTurns {
    static final String FILE = "system-v-key-files.turn";
    private static final long POLL_MILLIS = 5;
    /** A schedule holds the turn well under a second on an idle machine: ten seconds of waiting is worth a line. */
    private static final long FIRST_NOTICE_MILLIS = 10_000;
    private static final long NOTICE_EVERY_MILLIS = 60_000;

    private KeyFileTurns() {
    }

    /** A held turn (or none), given back by closing it. */
    interface Turn extends AutoCloseable {
        @Override
        void close();
    }

    /** Whether this thread holds the turn through {@link #hold}, or through a schedule's turn it took. */
    private static final ThreadLocal<Boolean> HELD = ThreadLocal.withInitial(() -> false);

    /**
     * The schedule's turn: held when one of its workers is a column whose sets outlive their key files, else nothing;
     * nothing either when this thread holds the turn already (a second open of the file would wait for the first).
     * {@code stalls} is told when it waits for the turn, gets it and gives it back.
     */
    static Turn take(Schedule schedule, TurnStalls stalls) throws InterruptedException {
        if (!needsTurn(schedule) || HELD.get()) {
            return () -> { };
        }
        stalls.waits();
        Turn held = null;
        try {
            held = hold();
        } finally {
            stalls.waited(held != null);
        }
        Turn turn = held;
        return () -> {
            try {
                turn.close();
            } finally {
                stalls.gaveBack();
            }
        };
    }

    /**
     * Waits for the turn and holds it until the returned turn is closed; a schedule this thread runs meanwhile takes no
     * second one. For a test whose own System V objects keyed like a run's must not meet another run's schedules.
     */
    static Turn hold() throws InterruptedException {
        OfdLockFile lock = take();
        HELD.set(true);
        return () -> {
            HELD.set(false);
            lock.close();
        };
    }

    /** Waits for this state directory's turn and holds it until closed. */
    static OfdLockFile take() throws InterruptedException {
        Path file = turnFile();
        return OfdLockFile.await(file, POLL_MILLIS, new TurnWaitNotice(file, FIRST_NOTICE_MILLIS, NOTICE_EVERY_MILLIS, System.err));
    }

    static Path turnFile() {
        return StateDirectory.machineWide().resolve(FILE);
    }

    /** A worker of a column whose lock is a System V set keyed by a file, in the host's IPC namespace. */
    static boolean needsTurn(Schedule schedule) {
        return schedule.workers().stream().anyMatch(w -> Environments.sharesTheHostsIpcNamespace(w.env())
                && lockIsASystemVSet(w.impl()));
    }

    /** Whether the column declares its lock a System V semaphore set (Qt's System V columns, the Java sysv). */
    static boolean lockIsASystemVSet(String impl) {
        try {
            return Profile.declared(impl, Subjects.here().semantics(impl)).lockIsASystemVSet();
        } catch (IllegalArgumentException e) {
            return false; // a partner program or a column without a readable declaration: not such a column
        }
    }
}
