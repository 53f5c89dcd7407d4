package org.shmconform.engine.launch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.shmconform.backends.host.PipeLines;

/**
 * A worker that is a child process of the harness, exec'd by ProcessBuilder (never forked from an
 * attached process: P15), possibly through a wrapper that execs it in place ({@code unshare},
 * {@code setpriv}), so that the child's pid is the worker's pid and SIGKILL reaches the worker.
 */
public final class ProcessWorkerHandle implements WorkerHandle {
    private final Process process;
    /** Keeps its pid its own after its death until its last look ({@link PidHold}); null where it was started without. */
    private final PidHold hold;
    /** See {@link #stdoutLines}. */
    private PipeLines lines;
    private boolean linesAsked;

    private ProcessWorkerHandle(Process process, PidHold hold) {
        this.process = process;
        this.hold = hold;
    }

    /**
     * {@code -Dshmconform.pidHold=false} (SHMCONFORM_JVM_OPTS): local workers are exec'd without a {@link PidHold}, as
     * before; what one SIGKILLed from outside made in its last op is then never proven the run's.
     */
    /** Said once per harness: the pid hold could not be made (a silent fallback would hide what is left unproven). */
    private static final java.util.concurrent.atomic.AtomicBoolean NO_HOLD_SAID = new java.util.concurrent.atomic.AtomicBoolean();

    static final boolean HOLD_PIDS = Boolean.parseBoolean(System.getProperty("shmconform.pidHold", "true")) && !isPidOne();

    /**
     * A harness that is its pid namespace's init (`docker run IMAGE shmconform run` without --init) inherits every orphan,
     * and a JVM waits only for its own children: each released helper, orphaned once its worker died, would stay a zombie
     * there for the harness's life (one per worker start, thousands in a fuzz campaign). There no pid is held.
     */
    private static boolean isPidOne() {
        return ProcessHandle.current().pid() == 1;
    }

    /**
     * Starts {@code prefix + program + arguments}; the prefix (e.g. {@code nsenter ...}) must exec
     * the program in place. A non-null {@link WorkerCommand#user()} is honoured with setpriv. The
     * worker is started by {@link WorkerLauncher}: it is SIGKILLed by the kernel if the harness dies,
     * also when it runs as another user or in unshared namespaces.
     */
    public static ProcessWorkerHandle start(WorkerCommand command, String program, String... prefix) throws IOException {
        List<String> argv = new ArrayList<>(List.of(prefix));
        if (command.user() != null) {
            argv.addAll(WorkerLauncher.userSwitch(command.user()));
        }
        argv.add(program);
        argv.addAll(command.arguments());
        // The worker itself is exec'd, no setpriv before it; through a pid hold, its parent is still the harness (setsid
        // forks only a group leader, and a child of the JVM is none; sh execs it in place), as its PARENT_PID check wants.
        boolean selfArming = prefix.length == 0 && command.user() == null && command.armsItsParentDeathSignal();
        // A worker in the harness's namespaces is held (PidHold). Its FIFO is made in the command's hold directory (the
        // run's, 0700), else, for a worker of the harness's own user, in its TMPDIR: never in a directory another user
        // owns. One of another user is held too: the wrapper (setsid, sh, cat: root's, by absolute path) comes before the
        // user switch, so its helper is the harness's, opened the FIFO before the switch, and the worker, of another uid,
        // can neither signal nor trace it (PidHold#pin takes no other helper). Not one behind a prefix (nsenter into a
        // group's IPC namespace): the readings that prove a dead worker's objects are of the harness's IPC namespace, which
        // holds none of its objects (those the group's namespace keeps are removed there whole, OwnNamespaceReaper).
        // The command's hold directory must be the harness's alone: a program that switches users itself (the Qt 6.8
        // launcher's --userspec) has no user() to tell.
        PidHold hold = null;
        String tmp = command.environment().get("TMPDIR");
        Path holdDirectory = command.holdDirectory() != null ? command.holdDirectory()
                : command.user() == null && tmp != null ? Path.of(tmp) : null;
        if (HOLD_PIDS && prefix.length == 0 && holdDirectory != null) {
            try {
                hold = PidHold.in(holdDirectory, command.holdDirectory() != null || command.user() != null);
                argv = hold.wrap(argv);
            } catch (IOException | RuntimeException e) {
                hold = null; // no FIFO, or no setsid/sh/cat of root's: started as before, nothing proven after its death
                if (NO_HOLD_SAID.compareAndSet(false, true)) {
                    System.err.println("shmconform: local workers start without a pid hold here (" + e.getMessage() + "): what one"
                            + " killed by another hand makes in its last op is not proven the run's and is left");
                }
            }
        }
        ProcessBuilder builder = new ProcessBuilder(argv);
        WorkerEnvironment.reset(builder.environment(), command);
        try {
            return new ProcessWorkerHandle(selfArming ? WorkerLauncher.startSelfArming(builder) : WorkerLauncher.start(builder), hold);
        } catch (IOException | RuntimeException e) {
            if (hold != null) {
                hold.close();
            }
            throw e;
        }
    }

    public long pid() {
        return process.pid();
    }

    /** The started process is the worker (wrappers exec it in place). */
    @Override
    public boolean hasItsPidFromTheStart() {
        return true;
    }

    @Override
    public java.util.OptionalLong hostPid() {
        return java.util.OptionalLong.of(process.pid());
    }

    @Override
    public OutputStream stdin() {
        return process.getOutputStream();
    }

    @Override
    public InputStream stdout() {
        return process.getInputStream();
    }

    @Override
    public InputStream stderr() {
        return process.getErrorStream();
    }

    /**
     * A read end of its own of the worker's stdout ({@link PipeLines#ofChildStdout}), made at the first call; the
     * Process's stream is closed then, so the pipe has one reader, and Java's reaper, which drains an ended child's
     * stdout stream into memory, leaves the pipe to it. Null where it cannot be made (the worker already gone, its
     * stdout no pipe): its stream is read instead. Asked as the worker's reader is made, long before its hello, so
     * nothing it said can be drained by that reaper between the copy and the close.
     */
    @Override
    public synchronized PipeLines stdoutLines() {
        if (!linesAsked) {
            linesAsked = true;
            lines = PipeLines.ofChildStdout(process.pid());
            if (lines != null) {
                try {
                    process.getInputStream().close();
                } catch (IOException e) {
                    // closed already: the copy is the pipe's one reader either way
                }
            }
        }
        return lines;
    }

    @Override
    public void kill() {
        process.destroyForcibly(); // SIGKILL on Linux
    }

    @Override
    public Integer awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public PidHold pidHold() {
        return hold;
    }

    /** Lets its {@link PidHold} go: its helper exits. */
    @Override
    public void release() {
        if (hold != null) {
            hold.close();
        }
        PipeLines made;
        synchronized (this) {
            made = lines;
        }
        if (made != null) {
            made.close();
        }
    }
}
