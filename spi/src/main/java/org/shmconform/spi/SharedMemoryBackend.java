package org.shmconform.spi;

import java.nio.file.Path;
import java.util.List;

/**
 * A shared-memory backend: the service a user's own jar provides through
 * {@code META-INF/services/org.shmconform.spi.SharedMemoryBackend} to be tested the same way
 * as the built-in ones.
 *
 * <p>Implementations must have a public no-argument constructor, must make real kernel objects,
 * and must be usable from several processes at once (the harness runs one per worker process).
 */
public interface SharedMemoryBackend {

    /** Short unique name used on the command line and in reports, e.g. {@code sysv}. */
    String name();

    /** One line: the kernel mechanism for the segment, the lock and clean-up. */
    String mechanism();

    /**
     * What this backend promises where the documentation is silent or where it knowingly differs.
     * A user's backend that says nothing is held to the documentation, with a lock that the kernel
     * releases when its holder dies and objects on /dev/shm.
     */
    default BackendSemantics semantics() {
        return new BackendSemantics(name(), true, true, BackendSemantics.LockOnHolderDeath.RELEASED,
                BackendSemantics.Resize.SHRINKABLE, BackendSemantics.Visibility.DEV_SHM_MOUNT);
    }

    /**
     * The directories this backend puts named objects in, as this process's environment chooses them
     * (seeds M6, L1, L2, L4: the harness measures each one's filesystem type). Empty: it names none
     * (anonymous objects, such as a memfd). A backend that says nothing names none.
     */
    default List<Placement> placements() {
        return List.of();
    }

    /**
     * This backend with its files in {@code directory} instead of its default one, or null when it cannot
     * be told where its objects go (the harness then reports the placement test NOT_AVAILABLE for it).
     * The directory is a private one the harness made; it may be on a disk-backed filesystem.
     */
    default SharedMemoryBackend placedIn(Path directory) {
        return null;
    }

    /** Probed at run time on this machine (never assumed from the OS name). */
    Availability availability();

    /**
     * Like {@code new QSharedMemory(key)}: an object bound to a key that is neither created nor
     * attached yet. Never null; an unusable key is reported by create/attach as KeyError.
     */
    SharedSegment open(String key);

    /**
     * Removes every kernel object and file this backend may have left whose own name starts with {@code keyPrefix}
     * (letters only, so that it survives Qt's key mangling), and the files of that prefix it made in {@code tempDir} (the
     * run's own private TMPDIR). Used by the harness's reaper after each schedule and after a killed run.
     *
     * <p>The harness runs as root beside other programs: remove only what the prefix (which carries the run's id) names,
     * never follow a link (lstat, unlink the name itself), and never match by pid. An object without a name of its own,
     * reached through a key computed from a file (System V through {@code ftok} of a key file), is NOT removed here, only
     * its key file: another program's object can carry the same key (ftok keeps the device's low byte and the inode's low
     * 16 bits), and nothing a backend can see tells the two apart. The harness removes those objects only when one of its
     * worker processes proved it made or used them.
     *
     * <p>A name in a directory any user may write ({@code /dev/shm}) is removed only when it is a regular file that one of
     * {@code owners} owns (lstat, not followed): another user who read one of the run's names there can plant a file at
     * another, and it is not the run's to remove. Say each one left, in a line.
     *
     * @param owners the uids of the users the run's workers ran as, the harness's own included
     * @return a human-readable line per object or file removed or left (empty when nothing was there)
     */
    List<String> removeLeftovers(String keyPrefix, Path tempDir, java.util.Set<Integer> owners);

    /**
     * Processes other than {@code ours} that hold one of this backend's objects at a name of {@code keyPrefix}, or hold
     * what this backend uses to order its creates and attaches of {@code keys} (the keys its objects were given), one line
     * each: where a backend finds an object through the processes that hold it (a memfd, which has no name in any
     * filesystem), another program can hold one of the same name, or hold the claim on it, and the run's workers would
     * take it for the run's. The harness makes every verdict of such an execution UNKNOWN. A process of {@code ours}'s
     * children (a worker's spawned child) is one of ours. Default: none, for a backend whose named objects the harness
     * looks at itself (/dev/shm, System V keys).
     */
    default List<String> heldOutside(String keyPrefix, java.util.Collection<String> keys, java.util.Set<Long> ours) {
        return List.of();
    }

    /**
     * Whether a failed operation's error ({@code errorString}, as its object said it) is this backend's own patience
     * running out (a wait it bounds by a clock, not a kernel's answer): the harness then judges no verdict on that
     * history, since a loaded machine can give it where an idle one would not. Default: none is.
     */
    default boolean gaveUpWaiting(String errorString) {
        return false;
    }
}
