package org.shmconform.engine.env;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * "ipcns": each group in a new IPC namespace ({@code unshare --ipc}). That isolates System V
 * objects and POSIX message queues only: /dev/shm (shm_open, sem_open) is still the host's tmpfs,
 * so POSIX segments stay visible between groups and with the host.
 */
public final class IpcNamespaceEnvironment extends UnsharedNamespaceEnvironment {
    public static final String NAME = "ipcns";

    public IpcNamespaceEnvironment() {
        super(false, null);
    }

    private IpcNamespaceEnvironment(boolean forkedWorkers) {
        super(false, null, forkedWorkers);
    }

    /**
     * One whose workers of a program that forks them (the Qt workers) are forked by a fork server of the group's, which
     * runs in the group's namespace, instead of each entered with nsenter: a fuzz campaign's lanes, each in a group of its
     * own ({@code FuzzCampaign}). Its pool's fork servers in a group are ended with {@code WorkerPool#retire}.
     */
    public static IpcNamespaceEnvironment forkingWorkers() {
        return new IpcNamespaceEnvironment(true);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, String> namespaces(String group) {
        Map<String, String> ns = new LinkedHashMap<>(host());
        ns.put("ipc", NAME + ":" + instanceId + "/" + group);
        return ns;
    }
}
