package org.shmconform.engine.env;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * "ipcns+shm": each group in a new IPC namespace and a new mount namespace with its own tmpfs on
 * /dev/shm, so neither System V nor POSIX objects cross groups or reach the host. This is what a
 * container gives, without Docker. The pid namespace stays the host's.
 */
public final class IpcShmNamespaceEnvironment extends UnsharedNamespaceEnvironment {
    public static final String NAME = "ipcns+shm";
    public static final String DEFAULT_SHM_SIZE = "64m";

    public IpcShmNamespaceEnvironment() {
        this(DEFAULT_SHM_SIZE);
    }

    /** @param shmSize the private /dev/shm's size, as tmpfs's size option (e.g. "64m") */
    public IpcShmNamespaceEnvironment(String shmSize) {
        super(true, shmSize);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, String> namespaces(String group) {
        Map<String, String> ns = new LinkedHashMap<>(host());
        ns.put("ipc", NAME + ":" + instanceId + "/" + group);
        ns.put("shm", NAME + ":" + instanceId + "/" + group + "/tmpfs");
        return ns;
    }
}
