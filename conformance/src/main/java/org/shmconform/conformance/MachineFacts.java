package org.shmconform.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.shmconform.engine.env.Environment;
import org.shmconform.engine.env.HostNamespaces;

/**
 * The environment fingerprint every report carries, because shared-memory behaviour depends on it:
 * kernel, distribution, C library, JVM, IPC limits, /dev/shm size and free space, the user, and each
 * environment's own facts.
 */
final class MachineFacts {
    private MachineFacts() {
    }

    /** @param environments each environment's {@link Environment#describe()}, taken while it was open, in the run's order */
    static Map<String, Object> collect(Map<String, Map<String, String>> environments) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("kernel", HostNamespaces.kernel());
        String distribution = distribution(Path.of("/etc/os-release"));
        if (distribution != null) {
            facts.put("distribution", distribution); // the platform axis of 'shmconform merge'
        }
        // java.runtime.version names the build ("17.0.15+6-Debian-1deb12u1"): whose JDK it is, not only its version.
        facts.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        String libc = libc();
        if (libc != null) {
            facts.put("libc", libc); // the C library every backend calls: part of the platform, as the kernel is
        }
        facts.put("user", System.getProperty("user.name"));
        facts.put("cpus", Runtime.getRuntime().availableProcessors());
        facts.putAll(ipcLimits());
        try {
            FileStore shm = Files.getFileStore(Path.of("/dev/shm"));
            facts.put("devShm", shm.type() + " size=" + shm.getTotalSpace() + " free=" + shm.getUsableSpace());
        } catch (IOException e) {
            facts.put("devShm", "unreadable: " + e.getMessage());
        }
        facts.put("tmpdirFs", tmpdirFileSystem());
        facts.put("environments", new LinkedHashMap<>(environments));
        return facts;
    }

    /** The C library this JVM runs on (the backends' host facade asks it: native calls live there). */
    static String libc() {
        return org.shmconform.backends.host.HostIds.libcVersion();
    }

    /**
     * The file system of the workers' TMPDIRs (the share root), where System V key files live: ftok(3) keys
     * are made from inode numbers, and a tmpfs numbers them otherwise than ext4 does (a key file removed and
     * made again gets a new key on tmpfs, often the old one on ext4), so results can differ with it.
     */
    static String tmpdirFileSystem() {
        try {
            return Files.getFileStore(org.shmconform.engine.state.StateDirectory.shareRoot()).type();
        } catch (IOException | RuntimeException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    /** PRETTY_NAME of os-release(5) ("Debian GNU/Linux 12 (bookworm)"), or null when there is none. */
    static String distribution(Path osRelease) {
        try {
            for (String line : Files.readAllLines(osRelease)) {
                if (line.startsWith("PRETTY_NAME=")) {
                    String v = line.substring("PRETTY_NAME=".length()).trim();
                    return v.replaceAll("^[\"']|[\"']$", "");
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    /** The System V IPC limits, named as sysctl names them, each as {@code sysctl -n} prints it (whitespace as one space). */
    static Map<String, String> ipcLimits() {
        Map<String, String> limits = new LinkedHashMap<>();
        for (String limit : new String[] {"shmmax", "shmall", "shmmni", "sem"}) {
            limits.put("kernel." + limit, readSysctl(Path.of("/proc/sys/kernel", limit)));
        }
        return limits;
    }

    /**
     * One read from offset 0. The kernel's numeric sysctl handlers answer a read at a non-zero offset
     * with end-of-file, and Files.readString on a file whose size is 0 (as every /proc file's is) reads
     * one byte first and then the rest from offset 1: it returned "1" for an shmmax of 18446744073692774399.
     * A sysctl value is far shorter than the buffer, so the first read has all of it.
     */
    static String readSysctl(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[8192];
            int n = in.read(buffer);
            String text = n <= 0 ? "" : new String(buffer, 0, n, StandardCharsets.US_ASCII).trim().replaceAll("\\s+", " ");
            return text.isEmpty() ? "unreadable: " + file + " is empty" : text;
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }
}
