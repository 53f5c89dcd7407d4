package org.shmconform.engine.launch;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Starts the harness's long-lived children (workers, namespace holders, docker exec clients) so
 * that none outlives the harness: each is exec'd through {@code setpriv --pdeathsig KILL}, which
 * asks the kernel to SIGKILL it when its parent dies, and which survives the execs of unshare,
 * nsenter and the worker itself.
 *
 * <p>Two kernel rules shape this class:
 * <ul>
 * <li>The "parent" whose death fires the signal is the <em>thread</em> that forked the child. The
 *     engine starts workers from short-lived pool threads; a worker forked by one of them would be
 *     killed as soon as that thread ended. So every start runs on one launcher thread that lives as
 *     long as the JVM and does nothing else.</li>
 * <li>The setting is cleared when the process's credentials change. A worker run as another user
 *     goes through {@code setpriv --reuid ...}: that setpriv must set the signal itself, after the
 *     uid change (util-linux applies --pdeathsig after setresuid), see {@link #userSwitch}.</li>
 * </ul>
 * Where setpriv lacks --pdeathsig (util-linux before 2.33), children start without it and the
 * harness says so once on stderr; they still end when their stdin closes unless they are blocked.
 * A program that asks for the signal itself (the Qt workers and the Qt 6.8 launcher: {@link #startSelfArming})
 * is started directly, still from the launcher thread, and learns its parent's pid from {@link #PARENT_PID}.
 */
public final class WorkerLauncher {
    private static final BlockingQueue<FutureTask<Process>> STARTS = new LinkedBlockingQueue<>();
    /** Started with the class, never ended: see the class comment. */
    private static final Thread LAUNCHER = launcherThread();
    private static volatile Boolean supported;

    private WorkerLauncher() {
    }

    /**
     * Starts {@code argv} (through the parent-death wrapper when this machine has it) on the
     * launcher thread, with the builder's environment, directory and redirects.
     */
    public static Process start(ProcessBuilder builder) throws IOException {
        builder.environment().remove(PARENT_PID); // one inherited from elsewhere would name a parent this child does not have
        // What the wrappers (unshare, nsenter, sh) exec by name is looked up in the system's directories only.
        builder.environment().put("PATH", SystemTools.trustedPath());
        List<String> argv = new java.util.ArrayList<>(diesWithParentPrefix());
        argv.addAll(builder.command());
        return startOnTheLauncherThread(builder.command(argv));
    }

    /**
     * The variable that tells a program which arms its own parent-death signal (qt_shm_worker) the pid its parent must
     * have: it calls {@code prctl(PR_SET_PDEATHSIG, SIGKILL)} first and then exits at once if {@code getppid()} is not
     * that pid (the harness died before the signal was armed), as setpriv would have left it.
     */
    public static final String PARENT_PID = "SHMCONFORM_PARENT_PID";

    /**
     * Starts {@code builder}'s program directly (no setpriv exec before it) on the launcher thread, with
     * {@link #PARENT_PID} set: for a program that arms the parent-death signal itself.
     */
    public static Process startSelfArming(ProcessBuilder builder) throws IOException {
        builder.environment().put(PARENT_PID, Long.toString(ProcessHandle.current().pid()));
        return startOnTheLauncherThread(builder);
    }

    private static Process startOnTheLauncherThread(ProcessBuilder wrapped) throws IOException {
        List<String> argv = wrapped.command();
        FutureTask<Process> start = new FutureTask<>(wrapped::start);
        STARTS.add(start);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    // Uninterruptibly: a start given up half-way would leave a process nobody owns.
                    return start.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    throw new IOException("cannot start " + argv.get(0) + ": " + e.getCause(), e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@code setpriv --pdeathsig KILL --}, or nothing where setpriv cannot do it. */
    public static List<String> diesWithParentPrefix() {
        return supported() ? List.of(SystemTools.path("setpriv"), "--pdeathsig", "KILL", "--") : List.of();
    }

    /**
     * The wrapper that runs the rest of the command as {@code user} (group "nogroup" for "nobody"):
     * it sets the parent-death signal again after the uid change, which cleared the outer one.
     */
    public static List<String> userSwitch(String user) {
        List<String> argv = new java.util.ArrayList<>(List.of(SystemTools.path("setpriv"), "--reuid=" + user,
                "--regid=" + user.replace("nobody", "nogroup"), "--clear-groups"));
        if (supported()) {
            argv.addAll(List.of("--pdeathsig", "KILL"));
        }
        argv.add("--");
        return argv;
    }

    /** Whether children die with the harness on this machine (setpriv knows --pdeathsig). */
    public static boolean supported() {
        Boolean s = supported;
        if (s == null) {
            synchronized (WorkerLauncher.class) {
                if (supported == null) {
                    supported = probe();
                    if (!supported) {
                        System.err.println("shmconform: setpriv --pdeathsig is not available (util-linux 2.33 or later:"
                                + " apt-get install util-linux); workers blocked in a lock may outlive a killed harness");
                    }
                }
                s = supported;
            }
        }
        return s;
    }

    private static boolean probe() {
        try {
            Process p = new ProcessBuilder(SystemTools.path("setpriv"), "--pdeathsig", "KILL", "--", SystemTools.path("true"))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The one thread every child is forked from; it never ends while the JVM runs. */
    private static Thread launcherThread() {
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    STARTS.take().run(); // FutureTask.run keeps any exception for the caller
                } catch (InterruptedException e) {
                    // Nobody may end this thread: its children would be killed with it.
                }
            }
        }, "shmconform-worker-launcher");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
