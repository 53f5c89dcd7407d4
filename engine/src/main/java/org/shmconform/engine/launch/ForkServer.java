package org.shmconform.engine.launch;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.shmconform.backends.host.Pidfd;
import org.shmconform.backends.host.PipeLines;
import org.shmconform.worker.protocol.WorkerProtocol;

/**
 * A native worker program started once as a fork server ({@link WorkerProtocol.ForkServer}): it has loaded its
 * libraries (Qt, ICU) and forks each worker the engine asks for, a real process with a pid of its own that a real
 * SIGKILL ends, instead of the engine exec'ing the program again (perf over a qt fuzz: the Qt workers' starts, exec,
 * the dynamic linker and Qt's relocations, were most of the machine's CPU besides the harness).
 *
 * <p>A forked worker is not the harness's child: it is reached as a {@link ForkedWorkerHandle} (a pidfd opened on the
 * pid the server names; pipes the server made, opened through its /proc descriptors, never FIFOs: files made beside
 * the key files would change which inodes the key files take), and the server reaps it only when its handle asks,
 * after the pidfd said it exited, so until then its pid cannot name another process. The server arms its
 * parent-death signal itself ({@link WorkerLauncher#startSelfArming}) and each child its own at the server's death:
 * a harness killed with SIGKILL leaves neither behind.
 *
 * <p>Thread-safety: requests and their answers are taken one at a time (the methods hold this object's lock).
 */
public final class ForkServer implements AutoCloseable {
    /**
     * A server that does not answer within this is never asked again (retired). A fork takes microseconds, but a loaded
     * machine can keep the server off the CPU for seconds, and a retired server no longer reaps the workers it forked
     * that still serve a pool, whose ends then cannot be told (ENDED_FROM_OUTSIDE: UNKNOWN). 10 s until 2026-12-07; now
     * the project's bound for what only a hung process exceeds.
     */
    private static final Duration ANSWER_DEADLINE = Duration.ofSeconds(120);
    private static final String END = "\0end";
    /** Set in a server's environment, so in its workers' (see {@link #start(WorkerCommand, List, Path)}). */
    private static final String BIND_NOW = "LD_BIND_NOW";
    private final Process process;
    private final OutputStream requests;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private volatile boolean ended;

    private ForkServer(Process process) {
        this.process = process;
        this.requests = process.getOutputStream();
        Thread reader = new Thread(this::readAnswers, "fork-server-" + process.pid() + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code command}'s program as a fork server of its workers, its stderr appended to {@code log}. For a
     * program that arms its own parent-death signal and runs as the harness's user ({@link WorkerCommand#forksWorkers}).
     */
    public static ForkServer start(WorkerCommand command, Path log) throws IOException {
        return start(command, List.of(), log);
    }

    /**
     * As {@link #start(WorkerCommand, Path)}, run through {@code entry} (an environment's {@code nsenter ... --}, which
     * execs the program in place: the server is still the harness's child, and it and every worker it forks are in the
     * namespaces entered).
     */
    public static ForkServer start(WorkerCommand command, List<String> entry, Path log) throws IOException {
        if (!command.forksWorkers() || command.user() != null || !command.armsItsParentDeathSignal()) {
            throw new IllegalArgumentException(command.program() + " is not started as a fork server");
        }
        List<String> argv = new ArrayList<>(entry);
        argv.add(command.program().toString());
        argv.addAll(command.arguments());
        argv.add(WorkerProtocol.ForkServer.ARGUMENT);
        ProcessBuilder builder = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        WorkerEnvironment.reset(builder.environment(), command);
        // The dynamic linker binds every symbol once, in the server, and each forked worker inherits the bound tables
        // instead of binding on first use each function it calls (ld.so(8), LD_BIND_NOW): a forked Qt 6.4 worker's life
        // (hello, create, lock, write, read, unlock, detach, exit) cost 0.81-0.95 times the CPU without it (qt-worker/README.md).
        builder.environment().put(BIND_NOW, "1");
        return new ForkServer(WorkerLauncher.startSelfArming(builder));
    }

    /** A fresh worker forked by the server; its hello is the caller's to await, as for a worker started any other way. */
    public synchronized WorkerHandle fork() throws IOException {
        WorkerProtocol.ForkServer.Answer forked = ask(WorkerProtocol.ForkServer.fork());
        if (!forked.is("forked") || forked.numbers().size() != 3) {
            throw new IOException("the fork server forked no worker: " + forked.why());
        }
        long pid = forked.pid();
        WorkerHandle handle = null;
        IOException failure = null;
        try {
            handle = open(pid, forked.numbers());
        } catch (IOException e) {
            failure = e;
        }
        // The server's copies go whatever happened: the worker must see the harness's end of file, and it the worker's.
        try {
            ask(WorkerProtocol.ForkServer.release(pid));
        } catch (IOException e) {
            failure = failure != null ? failure : e;
        }
        if (failure != null) {
            if (handle != null) {
                handle.kill();
                handle.release();
            }
            throw failure;
        }
        return handle;
    }

    /** The worker pinned by a pidfd (the server reaps it only when asked: the pid is still its), and its pipes opened. */
    private WorkerHandle open(long pid, List<Integer> descriptors) throws IOException {
        Pidfd pidfd = Pidfd.open(pid);
        if (pidfd == null) {
            throw new IOException("the forked worker " + pid + " cannot be pinned (pidfd_open)");
        }
        // Proven the server's child under the pin: a server that died meanwhile took its children with it, and init reaped
        // them, so the number named may be any process's now, which a kill through this pidfd would reach.
        if (!process.isAlive() || !org.shmconform.backends.host.ProcText.children(process.pid()).contains(pid)) {
            pidfd.close();
            throw new IOException("the forked worker " + pid + " is not the fork server's child (the server or the worker is gone)");
        }
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            FileOutputStream in = new FileOutputStream(serversPipe(descriptors.get(0)).toFile());
            opened.add(in);
            PipeLines out = PipeLines.open(serversPipe(descriptors.get(1)));
            opened.add(out);
            FileInputStream err = new FileInputStream(serversPipe(descriptors.get(2)).toFile());
            return new ForkedWorkerHandle(this, pidfd, in, out, err);
        } catch (IOException | RuntimeException e) {
            for (AutoCloseable c : opened) {
                try {
                    c.close();
                } catch (Exception closing) {
                    // closed already
                }
            }
            pidfd.kill(); // nobody will speak to it: not left to wait for its end of file
            try {
                if (pidfd.awaitExit(Duration.ofSeconds(1))) {
                    reap(pid); // and not left a zombie of the server
                }
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            } finally {
                pidfd.close();
            }
            throw e instanceof IOException io ? io : new IOException(e);
        }
    }

    /** The server's descriptor {@code fd}, which must be a pipe: opened through /proc, a new end of that pipe. */
    private Path serversPipe(int fd) throws IOException {
        Path link = Path.of("/proc", Long.toString(process.pid()), "fd", Integer.toString(fd));
        String target = Files.readSymbolicLink(link).toString();
        if (!target.startsWith("pipe:[")) {
            throw new IOException("the fork server's descriptor " + fd + " is " + target + ", not a pipe");
        }
        return link;
    }

    /** Reaps the exited child {@code pid} (for its {@link ForkedWorkerHandle}): its status, or null if the server cannot say. */
    synchronized Integer reap(long pid) {
        try {
            WorkerProtocol.ForkServer.Answer reaped = ask(WorkerProtocol.ForkServer.reap(pid));
            return reaped.is("reaped") && reaped.pid() == pid ? reaped.numbers().get(0) : null;
        } catch (IOException e) {
            return null; // the server is gone: its children went to init, which reaps them
        }
    }

    private WorkerProtocol.ForkServer.Answer ask(String request) throws IOException {
        if (ended) {
            throw new IOException("the fork server has ended");
        }
        String line;
        try {
            requests.write((request + "\n").getBytes(StandardCharsets.UTF_8));
            requests.flush();
            line = answers.poll(ANSWER_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            retire(); // an answer left in the queue would be taken as the next request's
            throw new IOException("interrupted while the fork server answered");
        } catch (IOException e) {
            retire();
            throw e;
        }
        if (line == null || line.equals(END)) {
            retire();
            throw new IOException(line == null ? "the fork server did not answer within " + ANSWER_DEADLINE.toSeconds() + " s"
                    : "the fork server ended");
        }
        return WorkerProtocol.ForkServer.Answer.parse(line);
    }

    private void readAnswers() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                answers.add(line);
            }
        } catch (IOException e) {
            // ended: below
        } finally {
            answers.add(END);
        }
    }

    /**
     * Never asked again (its workers then report no exit status of their own), but not ended: the workers it forked that
     * still live, maybe under a schedule, die with it, so only {@link #close} (the pool's end, after its workers) ends it.
     */
    private void retire() {
        ended = true;
    }

    /** Whether it can still be asked (it lives and never failed an answer). */
    public boolean usable() {
        return !ended && process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL and reaping: the workers it forked and that still live die with it (their parent-death signal). */
    @Override
    public void close() {
        ended = true;
        process.destroyForcibly();
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                try {
                    process.waitFor();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true; // a SIGKILLed process is reaped at once: wait for it all the same
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
