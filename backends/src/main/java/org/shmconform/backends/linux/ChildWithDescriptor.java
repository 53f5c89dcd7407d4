package org.shmconform.backends.linux;

import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.shmconform.backends.linux.Errno;

/**
 * Starts a child process that inherits one descriptor at a fixed number, the other way seed L5
 * names ("let a child process inherit it"). The JDK's ProcessBuilder closes every descriptor above
 * 2 in the child, so this is posix_spawnp (exec, never fork) with file actions: stdin from
 * /dev/null, stdout and stderr into a pipe, {@code descriptor} duplicated to {@code childNumber}
 * (dup2 clears close-on-exec), every other descriptor closed; signal mask empty and dispositions
 * default, whatever the spawning JVM thread had.
 */
public final class ChildWithDescriptor {
    private final int pid;
    private final int output;

    private ChildWithDescriptor(int pid, int output) {
        this.pid = pid;
        this.output = output;
    }

    /**
     * Like {@link #spawn}, but the child's stdin, stdout and stderr are opened from the paths given (FIFOs
     * the harness made, so that it talks to the child directly), and {@code descriptor} may be -1 (a child
     * that inherits nothing). The opens happen in the child before exec: a FIFO's open waits there until its
     * other end is opened, so the harness opens its ends first. The output is not captured ({@link #readOutput} is empty).
     */
    public static ChildWithDescriptor spawnWithStdio(List<String> argv, Map<String, String> env, int descriptor, int childNumber,
                                                     java.nio.file.Path stdin, java.nio.file.Path stdout,
                                                     java.nio.file.Path stderr) throws IOException {
        HandOverCalls c = HandOverCalls.INSTANCE;
        Memory actions = new Memory(HandOverCalls.SPAWN_STRUCT_SIZE);
        Memory attr = new Memory(HandOverCalls.SPAWN_STRUCT_SIZE);
        c.posix_spawn_file_actions_init(actions);
        c.posix_spawnattr_init(attr);
        try {
            defaultSignals(c, attr);
            if (descriptor >= 0) {
                check("adddup2", c.posix_spawn_file_actions_adddup2(actions, descriptor, childNumber));
            }
            check("addopen", c.posix_spawn_file_actions_addopen(actions, 0, stdin.toString(), LibC.O_RDONLY, 0));
            check("addopen", c.posix_spawn_file_actions_addopen(actions, 1, stdout.toString(), O_WRONLY, 0));
            check("addopen", c.posix_spawn_file_actions_addopen(actions, 2, stderr.toString(), O_WRONLY, 0));
            check("addclosefrom_np", c.posix_spawn_file_actions_addclosefrom_np(actions, descriptor >= 0 ? childNumber + 1 : 3));
            int[] pid = new int[1];
            check("posix_spawnp " + argv.get(0), c.posix_spawnp(pid, argv.get(0), actions, attr, argv.toArray(String[]::new),
                    environment(env)));
            return new ChildWithDescriptor(pid[0], -1);
        } finally {
            c.posix_spawn_file_actions_destroy(actions);
            c.posix_spawnattr_destroy(attr);
        }
    }

    private static final int O_WRONLY = 1;

    /** Signal mask empty and every disposition default in the child, whatever the spawning JVM thread had. */
    private static void defaultSignals(HandOverCalls c, Memory attr) {
        Memory noSignals = new Memory(HandOverCalls.SPAWN_STRUCT_SIZE);
        Memory allSignals = new Memory(HandOverCalls.SPAWN_STRUCT_SIZE);
        c.sigemptyset(noSignals);
        c.sigfillset(allSignals);
        c.posix_spawnattr_setsigmask(attr, noSignals);
        c.posix_spawnattr_setsigdefault(attr, allSignals);
        c.posix_spawnattr_setflags(attr, (short) (HandOverCalls.POSIX_SPAWN_SETSIGMASK | HandOverCalls.POSIX_SPAWN_SETSIGDEF));
    }

    private static String[] environment(Map<String, String> env) {
        return env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    }

    public static ChildWithDescriptor spawn(List<String> argv, Map<String, String> env, int descriptor, int childNumber)
            throws IOException {
        HandOverCalls c = HandOverCalls.INSTANCE;
        int[] pipe = new int[2];
        if (c.pipe2(pipe, HandOverCalls.O_CLOEXEC) != 0) {
            throw new UnixSockets.ErrnoException("pipe2", LibC.errno());
        }
        Memory actions = new Memory(HandOverCalls.SPAWN_STRUCT_SIZE);
        Memory attr = new Memory(HandOverCalls.SPAWN_STRUCT_SIZE);
        Memory noSignals = new Memory(HandOverCalls.SPAWN_STRUCT_SIZE);
        Memory allSignals = new Memory(HandOverCalls.SPAWN_STRUCT_SIZE);
        c.posix_spawn_file_actions_init(actions);
        c.posix_spawnattr_init(attr);
        try {
            c.sigemptyset(noSignals);
            c.sigfillset(allSignals);
            c.posix_spawnattr_setsigmask(attr, noSignals);
            c.posix_spawnattr_setsigdefault(attr, allSignals);
            c.posix_spawnattr_setflags(attr, (short) (HandOverCalls.POSIX_SPAWN_SETSIGMASK | HandOverCalls.POSIX_SPAWN_SETSIGDEF));
            check("addopen", c.posix_spawn_file_actions_addopen(actions, 0, "/dev/null", LibC.O_RDONLY, 0));
            check("adddup2", c.posix_spawn_file_actions_adddup2(actions, pipe[1], 1));
            check("adddup2", c.posix_spawn_file_actions_adddup2(actions, pipe[1], 2));
            check("adddup2", c.posix_spawn_file_actions_adddup2(actions, descriptor, childNumber));
            check("addclosefrom_np", c.posix_spawn_file_actions_addclosefrom_np(actions, childNumber + 1));
            String[] environment = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
            int[] pid = new int[1];
            check("posix_spawnp " + argv.get(0), c.posix_spawnp(pid, argv.get(0), actions, attr, argv.toArray(String[]::new), environment));
            return new ChildWithDescriptor(pid[0], pipe[0]);
        } catch (IOException e) {
            LibC.INSTANCE.close(pipe[0]);
            throw e;
        } finally {
            LibC.INSTANCE.close(pipe[1]);
            c.posix_spawn_file_actions_destroy(actions);
            c.posix_spawnattr_destroy(attr);
        }
    }

    private static void check(String call, int rc) throws IOException {
        if (rc != 0) {
            throw new UnixSockets.ErrnoException(call, rc);
        }
    }

    public int pid() {
        return pid;
    }

    /** Everything the child writes to stdout and stderr until it exits (or closes them). */
    public String readOutput() {
        if (output < 0) {
            return "";
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        Memory buf = new Memory(4096);
        while (true) {
            long n = HandOverCalls.INSTANCE.read(output, buf, new NativeLong(buf.size())).longValue();
            if (n < 0 && LibC.errno() == Errno.EINTR) {
                continue;
            }
            if (n <= 0) {
                return all.toString(java.nio.charset.StandardCharsets.UTF_8);
            }
            all.write(buf.getByteArray(0, (int) n), 0, (int) n);
        }
    }

    /** Reaps the child: its exit status (wait status decoded: 128 + signal when killed). */
    public int waitFor() {
        int[] status = new int[1];
        while (HandOverCalls.INSTANCE.waitpid(pid, status, 0) < 0) {
            if (LibC.errno() != Errno.EINTR) {
                return -1;
            }
        }
        if (output >= 0) {
            LibC.INSTANCE.close(output);
        }
        int s = status[0];
        return (s & 0x7f) == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f);
    }
}
