package org.shmconform.conformance;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.shmconform.engine.env.Environment;
import org.shmconform.engine.env.HostNamespaces;

/**
 * The environment fingerprint every report carries, because shared-memory behaviour depends on it:
 * kernel, IPC limits, /dev/shm size and free space, the user, and each environment's own facts.
 */
final class MachineFacts {
    private MachineFacts() {
    }

    static Map<String, Object> collect(Map<String, Environment> environments) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("kernel", HostNamespaces.kernel());
        facts.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        facts.put("user", System.getProperty("user.name"));
        facts.put("cpus", Runtime.getRuntime().availableProcessors());
        for (String limit : new String[] {"shmmax", "shmall", "shmmni", "sem"}) {
            facts.put("kernel." + limit, read("/proc/sys/kernel/" + limit));
        }
        try {
            FileStore shm = Files.getFileStore(Path.of("/dev/shm"));
            facts.put("devShm", shm.type() + " size=" + shm.getTotalSpace() + " free=" + shm.getUsableSpace());
        } catch (IOException e) {
            facts.put("devShm", "unreadable: " + e.getMessage());
        }
        Map<String, Object> envs = new LinkedHashMap<>();
        environments.forEach((name, env) -> envs.put(name, env.describe()));
        facts.put("environments", envs);
        return facts;
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim().replaceAll("\\s+", " ");
        } catch (IOException e) {
            return "unreadable";
        }
    }
}
