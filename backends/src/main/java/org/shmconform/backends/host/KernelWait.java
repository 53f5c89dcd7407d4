package org.shmconform.backends.host;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * Asks the kernel whether one thread of a worker is asleep in a lock wait, so the engine can tell a
 * blocked lock from an operation that is merely slow without ever measuring a silence. Read from
 * {@code /proc/<pid>/task/<tid>/stat} (state S or D) and {@code .../syscall} (the system call and its
 * arguments while the thread sleeps in it). Only these count as a lock wait:
 * <ul>
 * <li>{@code semop}/{@code semtimedop}: a System V semaphore (the sysv backend, Qt's QSystemSemaphore)</li>
 * <li>{@code fcntl} with {@code F_SETLKW} or {@code F_OFD_SETLKW}: a record lock (mmapfile, memfd)</li>
 * <li>{@code flock}</li>
 * <li>{@code futex} WAIT or WAIT_BITSET on an address inside a shared mapping of a file (a POSIX named
 *     semaphore in /dev/shm, or a segment). A JVM-internal futex lives in anonymous memory and never counts.</li>
 * </ul>
 * Reading another process's {@code syscall} file needs ptrace rights over it: the harness runs as the
 * workers' owner or as root.
 */
public final class KernelWait {
    /** What the kernel says about the thread at one instant. */
    public record State(boolean blockedInLockWait, String description) {
        static State not(String why) {
            return new State(false, why);
        }
    }

    /** System call numbers of the calls above: they differ per architecture. */
    record SyscallTable(String arch, int semop, int semtimedop, int fcntl, int flock, int futex) {
    }

    static final SyscallTable X86_64 = new SyscallTable("x86_64", 65, 220, 72, 73, 202);
    static final SyscallTable AARCH64 = new SyscallTable("aarch64", 193, 192, 25, 32, 98);

    private static final int F_SETLKW = 7;
    private static final int F_OFD_SETLKW = 38;
    /** futex op with FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME masked off. */
    private static final int FUTEX_CMD_MASK = 0x7f;
    private static final int FUTEX_WAIT = 0;
    private static final int FUTEX_WAIT_BITSET = 9;

    private final Path proc;
    private final SyscallTable table;

    private KernelWait(Path proc, SyscallTable table) {
        this.proc = proc;
        this.table = table;
    }

    /** The probe for this machine, or null where its system call numbers are not known ({@link #unsupportedReason()}). */
    public static KernelWait forThisMachine() {
        SyscallTable t = tableFor(System.getProperty("os.arch"));
        return t == null || !Files.isDirectory(Path.of("/proc/self/task")) ? null : new KernelWait(Path.of("/proc"), t);
    }

    /** Why blocking cannot be confirmed on this machine, or null. */
    public static String unsupportedReason() {
        if (!Files.isDirectory(Path.of("/proc/self/task"))) {
            return "NOT_AVAILABLE: /proc is not mounted, so a blocked lock cannot be told from a slow op (mount -t proc proc /proc)";
        }
        if (tableFor(System.getProperty("os.arch")) == null) {
            return "NOT_AVAILABLE: the kernel's lock-wait probe knows the system calls of x86_64 and aarch64 only, not "
                    + System.getProperty("os.arch") + " (run on x86_64 or aarch64)";
        }
        return null;
    }

    static SyscallTable tableFor(String osArch) {
        return switch (osArch == null ? "" : osArch) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64", "arm64" -> AARCH64;
            default -> null;
        };
    }

    /**
     * The host tid of a thread whose tid inside the worker's pid namespace is {@code nsTid}: the last
     * number of the {@code NSpid:} line of its status is its tid in the innermost namespace.
     */
    public OptionalLong hostTid(long hostPid, long nsTid) {
        Path tasks = proc.resolve(Long.toString(hostPid)).resolve("task");
        try {
            // A worker in the harness's pid namespace (local, ipcns, a fork server's): its thread of that number is the
            // one, and a Java worker's other threads (a dozen) need no reading. The same test as for any thread below.
            Path same = tasks.resolve(Long.toString(nsTid));
            if (Files.isDirectory(same) && innermostTid(same) == nsTid) {
                return OptionalLong.of(nsTid);
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not this namespace's number: look through every thread
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
            for (Path task : dir) {
                if (innermostTid(task) == nsTid) {
                    return OptionalLong.of(Long.parseLong(task.getFileName().toString()));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the worker is gone or its tasks changed under us: unknown
        }
        return OptionalLong.empty();
    }

    /** The last number of the thread's {@code NSpid:} line: its tid in the innermost pid namespace; -1 without one. */
    private static long innermostTid(Path task) throws IOException {
        for (String line : ProcText.lines(task.resolve("status"))) {
            if (line.startsWith("NSpid:")) {
                String[] ids = ProcText.fields(line.substring(6), 0);
                return Long.parseLong(ids[ids.length - 1]);
            }
        }
        return -1;
    }

    /** Whether thread {@code tid} of process {@code pid} (host ids) sleeps in a lock wait right now. */
    public State probe(long pid, long tid) {
        Path task = proc.resolve(Long.toString(pid)).resolve("task").resolve(Long.toString(tid));
        String stat;
        String syscall;
        try {
            stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
            syscall = Files.readString(task.resolve("syscall"), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return State.not("cannot read " + task + ": " + e.getMessage());
        }
        String field = ProcText.statField(stat, 3);
        char state = field == null ? '?' : field.charAt(0);
        if (state != 'S' && state != 'D') {
            return State.not("thread state " + state);
        }
        return inLockWait(syscall, pid);
    }

    /**
     * The first thread of process {@code pid} that sleeps in a lock wait right now, or a "not" state that says so:
     * for a test that must see a peer (or itself) blocked before it goes on, where the blocked thread's id is not known.
     */
    public State anyThread(long pid) {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve(Long.toString(pid)).resolve("task"))) {
            for (Path task : tasks) {
                State s = probe(pid, Long.parseLong(task.getFileName().toString()));
                if (s.blockedInLockWait()) {
                    return new State(true, "thread " + task.getFileName() + ": " + s.description());
                }
            }
        } catch (IOException | RuntimeException e) {
            return State.not("cannot list the threads of " + pid + ": " + e.getMessage());
        }
        return State.not("no thread of " + pid + " sleeps in a lock wait");
    }

    /**
     * The System V semaphore sets whose ids the threads of process {@code pid} are in a {@code semop}/{@code semtimedop}
     * on right now, asleep or stopped in it (a stopped thread's {@code syscall} line still names the call it is stopped
     * in, measured: T state, "220 0xd19000b ..."). Nothing read: none.
     */
    public java.util.Set<Integer> semaphoreSetsInSemop(long pid) {
        java.util.Set<Integer> sets = new java.util.HashSet<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve(Long.toString(pid)).resolve("task"))) {
            for (Path task : tasks) {
                String[] f;
                try {
                    f = inACall(Files.readString(task.resolve("syscall"), StandardCharsets.US_ASCII).trim());
                } catch (IOException e) {
                    continue; // a thread that ended meanwhile
                }
                if (f != null && isSemop(f)) {
                    sets.add((int) hex(f[1]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process is gone or its threads changed under us: what was read stands
        }
        return sets;
    }

    /** A {@code syscall} line's fields ("nr arg1 ... arg6 sp pc"), or null outside a call ("running", "-1 sp pc"). */
    private static String[] inACall(String syscallLine) {
        String[] f = ProcText.fields(syscallLine, 0);
        return f.length < 7 || f[0].equals("running") || f[0].startsWith("-") ? null : f;
    }

    /** Whether the call is semop or semtimedop, whose first argument is the set's id. */
    private boolean isSemop(String[] call) {
        int nr = Integer.parseInt(call[0]);
        return nr == table.semop() || nr == table.semtimedop();
    }

    /** Decodes a {@code syscall} line: "nr arg1 ... arg6 sp pc", or "running", or "-1 sp pc" outside a call. */
    State inLockWait(String syscallLine, long pid) {
        String[] f = inACall(syscallLine);
        if (f == null) {
            return State.not("not in a system call (" + syscallLine + ")");
        }
        int nr = Integer.parseInt(f[0]);
        long a1 = hex(f[2]);
        if (isSemop(f)) {
            return new State(true, "semop on System V semaphore set " + hex(f[1]));
        }
        if (nr == table.fcntl() && (a1 == F_SETLKW || a1 == F_OFD_SETLKW)) {
            return new State(true, (a1 == F_OFD_SETLKW ? "fcntl(F_OFD_SETLKW)" : "fcntl(F_SETLKW)") + " on fd " + hex(f[1]));
        }
        if (nr == table.flock()) {
            return new State(true, "flock on fd " + hex(f[1]));
        }
        if (nr == table.futex()) {
            int cmd = (int) a1 & FUTEX_CMD_MASK;
            if (cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET) {
                return State.not("futex op " + cmd);
            }
            BigInteger address = new BigInteger(strip(f[1]), 16);
            String mapping = sharedFileMapping(pid, address);
            return mapping == null ? State.not("futex wait on private or anonymous memory")
                    : new State(true, "futex wait in " + mapping);
        }
        return State.not("in system call " + nr);
    }

    /**
     * The file (and inode: glibc maps a named semaphore under a temporary name it then links) of the
     * shared mapping of {@code pid} that holds {@code address}, or null (anonymous, private, none).
     */
    String sharedFileMapping(long pid, BigInteger address) {
        List<String> maps;
        try {
            maps = ProcText.lines(proc.resolve(Long.toString(pid)).resolve("maps"));
        } catch (IOException e) {
            return null;
        }
        for (String line : maps) {
            // start-end perms offset dev inode path
            String[] f = ProcText.fields(line, 6);
            if (f.length < 6) {
                continue;
            }
            int dash = f[0].indexOf('-');
            BigInteger start = new BigInteger(f[0].substring(0, dash), 16);
            BigInteger end = new BigInteger(f[0].substring(dash + 1), 16);
            if (address.compareTo(start) < 0 || address.compareTo(end) >= 0) {
                continue;
            }
            boolean shared = f[1].length() == 4 && f[1].charAt(3) == 's';
            String path = f[5];
            boolean file = !f[4].equals("0") && !path.startsWith("[") && !path.startsWith("/dev/zero");
            return shared && file ? path + " inode " + f[4] : null;
        }
        return null;
    }

    private static long hex(String s) {
        return new BigInteger(strip(s), 16).longValue();
    }

    private static String strip(String s) {
        return s.startsWith("0x") ? s.substring(2) : s;
    }
}
