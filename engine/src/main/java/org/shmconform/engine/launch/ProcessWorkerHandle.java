package org.shmconform.engine.launch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A worker that is a child process of the harness, exec'd by ProcessBuilder (never forked from an
 * attached process: P15), possibly through a wrapper that execs it in place ({@code unshare},
 * {@code setpriv}), so that the child's pid is the worker's pid and SIGKILL reaches the worker.
 */
public final class ProcessWorkerHandle implements WorkerHandle {
    private final Process process;

    private ProcessWorkerHandle(Process process) {
        this.process = process;
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
        ProcessBuilder builder = new ProcessBuilder(argv);
        builder.environment().putAll(command.environment());
        if (prefix.length == 0 && command.user() == null && command.armsItsParentDeathSignal()) {
            return new ProcessWorkerHandle(WorkerLauncher.startSelfArming(builder)); // the worker itself is exec'd
        }
        return new ProcessWorkerHandle(WorkerLauncher.start(builder));
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
}
