package org.shmconform.engine.env;

import org.shmconform.engine.launch.ToolRun;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The kernel facts every environment test asserts: a System V segment and a /dev/shm file made in
 * group "a" are seen by a second process of group "a", and by group "b" and the host exactly as
 * expected; and namespaces() predicted the same before any worker ran. Removes both objects in
 * all cases.
 */
final class VisibilityCheck {
    record Expected(boolean sysvAcrossGroups, boolean shmAcrossGroups, boolean sysvWithHost, boolean shmWithHost) {
    }

    private VisibilityCheck() {
    }

    static void check(Environment env, Path tmpDir, Expected expected) throws Exception {
        assertPredicted(env, expected);
        EnvProbe probe = new EnvProbe(env, tmpDir);
        int size = 40_000 + ThreadLocalRandom.current().nextInt(20_000); // makes the segment easy to tell apart
        String file = "shmconform-envtest-" + UUID.randomUUID();
        String key = null;
        try {
            key = probe.makeSysvSegment("a", size);
            probe.sh("a", "touch /dev/shm/" + file);
            String k = key;
            assertAll(
                    () -> assertTrue(probe.seesSysv("a", k), "a second process of group a sees a's segment"),
                    () -> assertTrue(probe.seesDevShm("a", file), "a second process of group a sees a's /dev/shm file"),
                    () -> assertEquals(expected.sysvAcrossGroups(), probe.seesSysv("b", k), "group b sees a's segment"),
                    () -> assertEquals(expected.shmAcrossGroups(), probe.seesDevShm("b", file), "group b sees a's /dev/shm file"),
                    () -> assertEquals(expected.sysvWithHost(), probe.seesSysv(null, k), "the host sees a's segment"),
                    () -> assertEquals(expected.shmWithHost(), probe.seesDevShm(null, file), "the host sees a's /dev/shm file"));
        } finally {
            // Removed from inside the group: objects shared with the host would otherwise stay there.
            String cleanup = (key == null ? "" : "ipcrm -M " + key + " 2>/dev/null; ") + "rm -f /dev/shm/" + file;
            try {
                probe.sh("a", cleanup);
            } finally {
                // If the group could not run it, objects that reached the host are still removed from there.
                if (expected.sysvWithHost() || expected.shmWithHost()) {
                    ToolRun.of(java.time.Duration.ofSeconds(10), "sh", "-c", cleanup);
                }
            }
        }
        if (expected.sysvWithHost()) {
            assertFalse(probe.seesSysv(null, key), "segment removed from the host");
        }
        assertFalse(probe.seesDevShm(null, file), "no file left in the host's /dev/shm");
    }

    /** The identities namespaces() gives before any worker starts must predict the kernel's answer. */
    private static void assertPredicted(Environment env, Expected expected) {
        Map<String, String> a = env.namespaces("a");
        Map<String, String> b = env.namespaces("b");
        Map<String, String> host = new LocalEnvironment().namespaces("host");
        assertAll(
                () -> assertEquals(a, env.namespaces("a"), "a group's identities are stable"),
                () -> assertEquals(expected.sysvAcrossGroups(), a.get("ipc").equals(b.get("ipc")), "ipc a vs b: " + a + " " + b),
                () -> assertEquals(expected.shmAcrossGroups(), a.get("shm").equals(b.get("shm")), "shm a vs b: " + a + " " + b),
                () -> assertEquals(expected.sysvWithHost(), a.get("ipc").equals(host.get("ipc")), "ipc a vs host: " + a + " " + host),
                () -> assertEquals(expected.shmWithHost(), a.get("shm").equals(host.get("shm")), "shm a vs host: " + a + " " + host));
    }
}
