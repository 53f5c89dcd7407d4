package org.shmconform.engine.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A docker worker is killed through a pidfd and only while the process holding its host pid carries its marker: once
 * the worker has died, its number may be any other process's, and root must not signal that one. Real processes stand
 * in for the container's worker (a container's processes are host processes too); no engine is needed.
 */
class DockerWorkerHandleKillTest {
    @Test
    void aLiveWorkerIsKilledAndTheNextHolderOfItsNumberIsNot() throws Exception {
        String id = "kill-test-" + UUID.randomUUID();
        Process worker = withMarker(id);
        Process bystander = null;
        java.util.Set<Long> container = java.util.concurrent.ConcurrentHashMap.newKeySet();
        container.add(worker.pid());
        try {
            DockerWorkerHandle handle = new DockerWorkerHandle(ContainerExec.ofClient(worker), "no-container", () -> Set.copyOf(container),
                    id, exited -> { });
            assertEquals(worker.pid(), handle.hostPid().orElseThrow(), "found by its marker");
            handle.kill();
            assertTrue(worker.waitFor(60, TimeUnit.SECONDS), "the live worker is killed");
            assertEquals(128 + 9, worker.exitValue(), "ended by SIGKILL");

            // Its number now names another process (what pid reuse would make of it): kill() must leave that one alone.
            bystander = new ProcessBuilder("sleep", "120").start();
            container.add(bystander.pid()); // even one of the container's: its marker is what it lacks
            Field hostPid = DockerWorkerHandle.class.getDeclaredField("hostPid");
            hostPid.setAccessible(true);
            hostPid.setLong(handle, bystander.pid());
            handle.kill();
            assertFalse(bystander.waitFor(2, TimeUnit.SECONDS), "a process without the worker's marker was killed");
            assertTrue(bystander.isAlive());
        } finally {
            worker.destroyForcibly().waitFor();
            if (bystander != null) {
                bystander.destroyForcibly().waitFor();
            }
        }
    }

    /**
     * The marker alone proves nothing: through the docker client it is on a command line anyone may read, and anyone may
     * start a process that carries it. One outside the container's processes, started before the worker (so first in any
     * scan of the host's /proc), was taken for the worker before, and killed in its place; it is never taken now.
     */
    @Test
    void aProcessOutsideTheContainerThatCarriesTheMarkerIsNeverTakenForTheWorker() throws Exception {
        String id = "decoy-test-" + UUID.randomUUID();
        Process decoy = withMarker(id);
        Process worker = withMarker(id);
        try {
            DockerWorkerHandle handle = new DockerWorkerHandle(ContainerExec.ofClient(worker), "no-container", () -> Set.of(worker.pid()),
                    id, exited -> { });
            assertEquals(worker.pid(), handle.hostPid().orElseThrow(), "the container's process, not the decoy " + decoy.pid());
            handle.kill();
            assertTrue(worker.waitFor(60, TimeUnit.SECONDS), "the worker is killed");
            assertTrue(decoy.isAlive(), "the decoy outside the container is not");

            DockerWorkerHandle unread = new DockerWorkerHandle(ContainerExec.ofClient(decoy), "no-container", () -> null, id, exited -> { });
            assertTrue(unread.hostPid().isEmpty(), "no container's processes read here: no host pid, whoever carries the marker");
        } finally {
            worker.destroyForcibly().waitFor();
            decoy.destroyForcibly().waitFor();
        }
    }

    /**
     * A sleep that carries the marker, once its /proc environ shows it: start() returns when the exec began, and the
     * kernel fills the new program's environ later in that exec (read empty once, beside a run: PidHoldTest), when the
     * handle, which finds a worker by that marker, would not find it yet.
     */
    private static Process withMarker(String id) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(List.of("sleep", "120"));
        pb.environment().put(DockerWorkerHandle.MARKER, id);
        Process p = pb.start();
        java.nio.file.Path environ = java.nio.file.Path.of("/proc", Long.toString(p.pid()), "environ");
        org.awaitility.Awaitility.await("the marker in the environ of " + p.pid()).atMost(java.time.Duration.ofSeconds(120))
                .pollInterval(java.time.Duration.ofMillis(2))
                .until(() -> List.of(new String(java.nio.file.Files.readAllBytes(environ), java.nio.charset.StandardCharsets.UTF_8)
                        .split("\0")).contains(DockerWorkerHandle.MARKER + "=" + id));
        return p;
    }
}
