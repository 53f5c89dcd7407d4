package org.shmconform.engine.launch;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What to run as a worker, before an environment decides how: a Java worker on a class path, or
 * a native program (the Qt reference worker).
 *
 * @param program     the executable: the java launcher, or the native worker's path
 * @param arguments   its arguments
 * @param classPath   the jars a Java worker needs (empty for native workers); environments that
 *                    cannot see the host's files (containers) mount or copy them
 * @param environment variables to set (always TMPDIR: the run's private key-file directory)
 * @param user        run as this user (e.g. "nobody"); null for the harness's own user
 * @param armsItsParentDeathSignal the program asks the kernel itself for SIGKILL at its parent's death, before it does
 *                    anything, when {@link WorkerLauncher#PARENT_PID} names its parent (the Qt worker: prctl), so
 *                    {@link WorkerLauncher} need not exec setpriv before it
 * @param forksWorkers the program, started with the fork-server argument, forks fresh workers on request
 *                    ({@link ForkServer}): a pool may start its workers that way instead of exec'ing each
 * @param holdDirectory a directory of the harness's own that no other user can enter (the run's, 0700), where the FIFO
 *                    of the worker's {@link PidHold} is made; null: none, and then only a worker of the harness's own user
 *                    is held, with the FIFO in its TMPDIR
 */
public record WorkerCommand(Path program, List<String> arguments, List<Path> classPath, Map<String, String> environment,
                            String user, boolean armsItsParentDeathSignal, boolean forksWorkers, Path holdDirectory) {
    public WorkerCommand(Path program, List<String> arguments, List<Path> classPath, Map<String, String> environment,
                         String user, boolean armsItsParentDeathSignal, boolean forksWorkers) {
        this(program, arguments, classPath, environment, user, armsItsParentDeathSignal, forksWorkers, null);
    }

    public WorkerCommand(Path program, List<String> arguments, List<Path> classPath, Map<String, String> environment, String user) {
        this(program, arguments, classPath, environment, user, false, false);
    }

    public WorkerCommand(Path program, List<String> arguments, List<Path> classPath, Map<String, String> environment,
                         String user, boolean armsItsParentDeathSignal) {
        this(program, arguments, classPath, environment, user, armsItsParentDeathSignal, false);
    }

    /** The same command, its {@link PidHold}'s FIFO made in {@code dir} ({@link #holdDirectory}). */
    public WorkerCommand withHoldDirectory(Path dir) {
        return new WorkerCommand(program, arguments, classPath, environment, user, armsItsParentDeathSignal, forksWorkers, dir);
    }
}
