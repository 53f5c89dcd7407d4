package org.shmconform.engine.env;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads a process's namespace identities from /proc, as the kernel names them (e.g. ipc:[4026531839]). */
public final class HostNamespaces {
    private HostNamespaces() {
    }

    /** ipc, shm (the mount namespace plus the device of /dev/shm) and pid identities of a process. */
    public static Map<String, String> of(long pid) {
        Map<String, String> ns = new LinkedHashMap<>();
        ns.put("ipc", link(pid, "ipc"));
        ns.put("shm", link(pid, "mnt") + "/" + devShmDevice(pid));
        ns.put("pid", link(pid, "pid"));
        return ns;
    }

    public static Map<String, String> describe(long pid) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("kernel", kernel());
        facts.putAll(of(pid));
        return facts;
    }

    public static String kernel() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String link(long pid, String ns) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", ns)).toString();
        } catch (IOException e) {
            return ns + ":unknown";
        }
    }

    private static String devShmDevice(long pid) {
        try {
            Object dev = Files.getAttribute(Path.of("/proc", Long.toString(pid), "root", "dev", "shm"), "unix:dev");
            return "dev" + dev;
        } catch (IOException | UnsupportedOperationException e) {
            return "dev?";
        }
    }
}
