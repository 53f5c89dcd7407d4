package org.shmconform.backends.mmapfile;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import org.shmconform.backends.testsupport.PeerProcess;
import java.math.BigInteger;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Asks the kernel, not a clock, whether a process is blocked on a segment's in-segment lock: some
 * thread of it sleeps in futex WAIT/WAIT_BITSET on the first word of its shared mapping of the
 * file at file offset 0 (the lock word), read from /proc/&lt;pid&gt;/maps and
 * /proc/&lt;pid&gt;/task/&lt;tid&gt;/{stat,syscall}, as {@link org.shmconform.backends.host.KernelWait} does for any lock wait.
 */
final class FutexWaiters {
    private static final long FUTEX = switch (System.getProperty("os.arch")) {
        case "aarch64" -> 98;
        default -> 202;
    };
    /** Guards a test against hanging; the condition is the kernel's answer, never the passing of time. */
    // A peer JVM may be slow to come to its lock on a busy machine: the peers' own bound, which only a hang reaches.
    private static final long GIVE_UP_MILLIS = PeerProcess.REPLY_TIMEOUT_SECONDS * 1000;

    private FutexWaiters() {
    }

    /** Waits until {@code pid} has a thread asleep on the lock word of {@code file}; fails the test if that never happens. */
    static void awaitBlockedOnLockWord(long pid, Path file) throws Exception {
        long deadline = System.currentTimeMillis() + GIVE_UP_MILLIS;
        while (!blockedOnLockWord(pid, file)) {
            if (System.currentTimeMillis() > deadline) {
                fail("no thread of " + pid + " went to sleep in futex on the lock word of " + file + ": " + describe(pid, file));
            }
            Thread.sleep(5);
        }
    }

    static boolean blockedOnLockWord(long pid, Path file) throws IOException {
        BigInteger word = lockWordAddress(pid, file);
        if (word == null) {
            return false;
        }
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    char state = stat.charAt(stat.lastIndexOf(')') + 2);
                    String[] call = Files.readString(task.resolve("syscall")).trim().split("\\s+");
                    if ((state == 'S' || state == 'D') && call.length >= 7 && !call[0].startsWith("-")
                            && !call[0].equals("running") && Long.parseLong(call[0]) == FUTEX) {
                        int op = (int) hex(call[2]).longValue() & 0x7f;
                        if ((op == 0 || op == 9) && hex(call[1]).equals(word)) {
                            return true;
                        }
                    }
                } catch (IOException | RuntimeException threadGone) {
                    // the thread exited while we read it
                }
            }
        }
        return false;
    }

    /** What the kernel showed instead: the mapping found and every thread in futex, for the failure message. */
    private static String describe(long pid, Path file) {
        StringBuilder out = new StringBuilder();
        try {
            out.append("lock word at ").append(lockWordAddress(pid, file) == null ? "none" : lockWordAddress(pid, file).toString(16));
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
                for (Path task : tasks) {
                    try {
                        String call = Files.readString(task.resolve("syscall")).trim();
                        if (call.startsWith(FUTEX + " ")) {
                            out.append("; ").append(task.getFileName()).append(": ").append(call);
                        }
                    } catch (IOException | RuntimeException gone) {
                        // exited
                    }
                }
            }
        } catch (IOException e) {
            out.append(e);
        }
        return out.toString();
    }

    /** Start of {@code pid}'s shared mapping of {@code file} (same inode) at offset 0, or null. */
    private static BigInteger lockWordAddress(long pid, Path file) throws IOException {
        // By inode: a creator mapped the file before linkat named it, so its maps show the O_TMPFILE name.
        String inode = Files.getAttribute(file, "unix:ino").toString();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/maps"))) {
            String[] f = line.trim().split("\\s+", 6);
            if (f.length == 6 && f[4].equals(inode) && f[1].endsWith("s") && new BigInteger(f[2], 16).signum() == 0) {
                return new BigInteger(f[0].substring(0, f[0].indexOf('-')), 16);
            }
        }
        return null;
    }

    private static BigInteger hex(String s) {
        return new BigInteger(s.startsWith("0x") ? s.substring(2) : s, 16);
    }
}
