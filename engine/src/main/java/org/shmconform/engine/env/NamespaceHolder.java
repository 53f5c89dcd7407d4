package org.shmconform.engine.env;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.shmconform.backends.host.HeldNamespace;
import org.shmconform.engine.launch.SystemTools;

/**
 * A tiny process that owns a group's unshared namespaces, so that workers can join them with
 * nsenter and a scenario may kill any worker without taking the namespace down with it.
 *
 * <p>The holder is {@code unshare ... sh -c '[mount tmpfs] && echo ready && exec cat'}: it prints
 * "ready" once the namespaces (and the private /dev/shm) exist, then blocks reading its stdin, a
 * pipe from the harness. It ends when {@link #close()} kills it, and also by itself when the
 * harness dies (the pipe closes), so a killed harness leaves no holder behind. When the last
 * process in a namespace is gone the kernel frees every IPC object and the tmpfs in it.
 *
 * <p>Workers enter the namespaces this harness holds open ({@link HeldNamespace}), not the holder's pid's: a holder
 * killed from outside (the OOM killer) gives its pid back, and {@code nsenter --target <pid>} run after that could have
 * put a root worker into the namespaces of whichever process got the pid next.
 */
final class NamespaceHolder implements AutoCloseable {
    private final Process process;
    private final boolean privateShm;
    /** Its IPC namespace, read once it said "ready": the harness's own child, not reaped before close(). */
    private final OwnIpcNamespace ipc;
    /** Its IPC namespace and, with privateShm, its mount namespace, held from when the holder was proven alive. */
    private final List<HeldNamespace> held;

    private NamespaceHolder(Process process, boolean privateShm, OwnIpcNamespace ipc, List<HeldNamespace> held) {
        this.process = process;
        this.privateShm = privateShm;
        this.ipc = ipc;
        this.held = held;
    }

    /**
     * @param privateShm also a new mount namespace with its own tmpfs on /dev/shm
     * @param shmSize    the tmpfs size option, e.g. "64m" (used only with privateShm)
     */
    static NamespaceHolder start(boolean privateShm, String shmSize) throws IOException {
        List<String> argv = new ArrayList<>(List.of(SystemTools.path("unshare"), "--ipc"));
        String body = "echo ready && exec " + SystemTools.path("cat") + " >/dev/null";
        if (privateShm) {
            // private propagation: our tmpfs must not leak back into the host's /dev/shm mount.
            argv.addAll(List.of("--mount", "--propagation", "private"));
            body = SystemTools.path("mount") + " -t tmpfs -o size=" + shmSize + ",mode=1777 shmconform-shm /dev/shm && " + body;
        }
        argv.addAll(List.of("--", SystemTools.path("sh"), "-c", body));
        // Through the launcher: the holder also dies with the harness's JVM, not only when its stdin closes.
        Process p = org.shmconform.engine.launch.WorkerLauncher.start(new ProcessBuilder(argv).redirectErrorStream(true));
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        if (!"ready".equals(first)) {
            p.destroyForcibly();
            throw new IOException("namespace holder failed: " + String.join(" ", argv) + ": " + first);
        }
        List<HeldNamespace> held = new ArrayList<>();
        try {
            held.add(HeldNamespace.open(p.pid(), "ipc"));
            if (privateShm) {
                held.add(HeldNamespace.open(p.pid(), "mnt"));
            }
            // Our own child, alive after the opens, was alive during them: the pid was still its own.
            if (!p.isAlive()) {
                throw new IOException("namespace holder " + p.pid() + " ended before its namespaces were held");
            }
            return new NamespaceHolder(p, privateShm, OwnIpcNamespace.of(p.pid()), List.copyOf(held));
        } catch (IOException | RuntimeException e) {
            p.destroyForcibly();
            held.forEach(HeldNamespace::close);
            throw e;
        }
    }

    OwnIpcNamespace ipcNamespace() {
        return ipc;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * The wrapper that runs a program in this holder's namespaces; nsenter execs it in place. It names the namespaces by
     * this harness's descriptors, so it is made just before each start and used at once: after {@link #close()} the
     * numbers may be another file's (a start that raced the environment's close is ended by that close).
     */
    List<String> enterPrefix() {
        List<String> prefix = new ArrayList<>(List.of(SystemTools.path("nsenter"), "--ipc=" + held.get(0).path()));
        if (privateShm) {
            // Entering a mount namespace resets the working directory to its root: keep ours.
            prefix.addAll(List.of("--mount=" + held.get(1).path(), "--wd=" + System.getProperty("user.dir")));
        }
        prefix.add("--");
        return prefix;
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ipc.close();
            held.forEach(HeldNamespace::close);
        }
    }
}
