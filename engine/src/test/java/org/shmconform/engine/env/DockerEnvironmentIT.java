package org.shmconform.engine.env;

import org.shmconform.engine.launch.ToolRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.engine.launch.WorkerHandle;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three Docker IPC set-ups against the kernel. Without an engine every test reports the reason
 * as a skipped assumption; CI starts one with docker/start-engine.sh, so there they run.
 */
class DockerEnvironmentIT {
    private static final String RUN = "envtest-" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    Path tmp;

    private static DockerEnvironment available(DockerEnvironment.Mode mode, long shmBytes) {
        DockerEnvironment env = new DockerEnvironment(mode, RUN, shmBytes, java.time.Duration.ofMinutes(30));
        if (!env.availability().available()) {
            env.close();
        }
        assumeTrue(env.availability().available(), env.availability().reason());
        return env;
    }

    private static DockerEnvironment available(DockerEnvironment.Mode mode) {
        return available(mode, DockerEnvironment.DEFAULT_SHM_BYTES);
    }

    @Test
    void privateContainersIsolateGroupsFromEachOtherAndTheHost() throws Exception {
        try (DockerEnvironment env = available(DockerEnvironment.Mode.PRIVATE)) {
            VisibilityCheck.check(env, tmp, new VisibilityCheck.Expected(false, false, false, false));
        }
    }

    @Test
    void shareableHolderIsSharedByTheGroupsContainersOnly() throws Exception {
        try (DockerEnvironment env = available(DockerEnvironment.Mode.SHAREABLE)) {
            VisibilityCheck.check(env, tmp, new VisibilityCheck.Expected(false, false, false, false));
            EnvProbe probe = new EnvProbe(env, tmp);
            // Group a's workers run in separate containers that joined one holder: same IPC namespace.
            assertEquals(probe.sh("a", "readlink /proc/self/ns/ipc"), probe.sh("a", "readlink /proc/self/ns/ipc"));
        }
    }

    /**
     * A worker's own container joins its holder's network namespace too (Docker sets up no network for it, which was
     * about half of its start), and that namespace has no network: the loopback device only. The first worker stays
     * alive while the second reads its namespace: a namespace's number is reused once its last process is gone.
     */
    @Test
    void shareableWorkersContainersJoinTheirHoldersNetworkWhichHasNone() throws Exception {
        try (DockerEnvironment env = available(DockerEnvironment.Mode.SHAREABLE)) {
            EnvProbe probe = new EnvProbe(env, tmp);
            String net = "readlink /proc/self/ns/net";
            WorkerHandle first = env.start(new WorkerCommand(Path.of("sh"), List.of("-c", net + "; cat >/dev/null"), List.of(),
                    Map.of("TMPDIR", tmp.toString()), null), "a");
            try {
                String firstNet = new BufferedReader(new InputStreamReader(first.stdout(), StandardCharsets.UTF_8)).readLine();
                assertTrue(firstNet != null && firstNet.startsWith("net:"), "first worker's namespace: " + firstNet);
                assertEquals(firstNet, probe.sh("a", net).strip(), "two live workers' containers of one group, one network namespace");
                assertNotEquals(firstNet, probe.sh("b", net).strip(), "another group's holder has a network namespace of its own");
                assertEquals("lo", probe.sh("a", "ls /sys/class/net").strip(), "no network but the loopback device");
            } finally {
                first.stdin().close();
                first.awaitExit(Duration.ofSeconds(120));
                first.release();
            }
        }
    }

    /**
     * A shareable worker's container takes the group's next worker once the worker is gone, and only then: two live
     * workers never share one, and a container in which something the worker started lives on (a child, which inherits
     * the worker's marker) is removed, not given to the next worker.
     */
    @Test
    void shareableWorkersContainerTakesTheNextWorkerOnlyOnceNothingOfItsWorkerLives() throws Exception {
        try (DockerEnvironment env = available(DockerEnvironment.Mode.SHAREABLE)) {
            DockerWorkerHandle first = waiting(env, "cat >/dev/null");
            DockerWorkerHandle second = waiting(env, "cat >/dev/null");
            assertNotEquals(first.containerId(), second.containerId(), "two live workers, one container");
            end(first);
            DockerWorkerHandle third = waiting(env, "cat >/dev/null");
            assertEquals(first.containerId(), third.containerId(), "the ended worker's container takes the next worker");
            first.release(); // again: a shutdown's and the pool's release of one worker
            DockerWorkerHandle fifth = waiting(env, "cat >/dev/null");
            assertNotEquals(third.containerId(), fifth.containerId(), "a second release gave back the container of a live worker");
            DockerWorkerHandle parent = waiting(env, "sleep 600 </dev/null >/dev/null 2>&1 & cat >/dev/null");
            end(parent);
            DockerWorkerHandle fourth = waiting(env, "cat >/dev/null");
            assertNotEquals(parent.containerId(), fourth.containerId(), "a container with the last worker's child still in it");
            ToolRun ps = DockerCli.run("ps", "-aq", "--no-trunc", "--filter", "id=" + parent.containerId());
            assertTrue(ps.ok() && ps.output().isBlank(), "the container with the child in it is removed: " + ps.output());
            for (DockerWorkerHandle w : List.of(second, third, fourth, fifth)) {
                end(w);
            }
        }
    }

    private DockerWorkerHandle waiting(DockerEnvironment env, String script) throws Exception {
        return (DockerWorkerHandle) env.start(new WorkerCommand(Path.of("sh"), List.of("-c", script), List.of(),
                Map.of("TMPDIR", tmp.toString()), null), "a");
    }

    private static void end(WorkerHandle worker) throws Exception {
        worker.stdin().close();
        EnvProbe.readAll(worker.stdout());
        EnvProbe.readAll(worker.stderr());
        assertEquals(0, worker.awaitExit(Duration.ofSeconds(120)), "the worker's exit status");
        worker.release();
    }

    @Test
    void hostIpcSharesSystemVAndDevShmWithTheHost() throws Exception {
        try (DockerEnvironment env = available(DockerEnvironment.Mode.HOST)) {
            VisibilityCheck.check(env, tmp, new VisibilityCheck.Expected(true, true, true, true));
        }
    }

    @Test
    void shmSizeBoundsThePrivateDevShm() throws Exception {
        try (DockerEnvironment env = available(DockerEnvironment.Mode.PRIVATE, 8L << 20)) {
            String df = new EnvProbe(env, tmp).sh("a", "df -k /dev/shm");
            assertTrue(df.contains(" 8192 "), df);
        }
    }

    @Test
    void javaWorkerInAContainerDiesBySigkillOfItsJvm() throws Exception {
        try (DockerEnvironment env = available(DockerEnvironment.Mode.PRIVATE)) {
            JavaWorkerCheck.check(env, tmp);
        }
    }

    /** The same worker started through the docker client, where the engine's socket cannot be used (DOCKER_HOST over tcp). */
    @Test
    void javaWorkerThroughTheDockerClient() throws Exception {
        DockerEnvironment env = new DockerEnvironment(DockerEnvironment.Mode.PRIVATE, RUN, DockerEnvironment.DEFAULT_SHM_BYTES,
                Duration.ofMinutes(30), () -> null);
        try (env) {
            assumeTrue(env.availability().available(), env.availability().reason());
            JavaWorkerCheck.check(env, tmp);
        }
    }

    /** Through the socket: the engine names the worker's host pid, the one whose environment carries its marker. */
    @Test
    void theEnginesSocketServesWhereTheDockerClientWould() throws Exception {
        assumeTrue(DockerEngineSocket.here() != null, "no engine socket root owns here");
        try (DockerEnvironment env = available(DockerEnvironment.Mode.PRIVATE)) {
            EnvProbe probe = new EnvProbe(env, tmp);
            assertEquals("through the socket\n", probe.sh("b", "echo through the socket; echo to stderr >&2"), "stdout alone, stderr apart");
            JavaWorkerCheck.check(env, tmp);
        }
    }

    @Test
    void javaWorkerInItsOwnShareableContainer() throws Exception {
        try (DockerEnvironment env = available(DockerEnvironment.Mode.SHAREABLE)) {
            JavaWorkerCheck.check(env, tmp);
        }
    }

    @Test
    void describeNamesEngineAndGroupNamespaces() throws Exception {
        try (DockerEnvironment env = available(DockerEnvironment.Mode.PRIVATE)) {
            new EnvProbe(env, tmp).sh("a", ":");
            var facts = env.describe();
            assertTrue(facts.get("engine").matches("\\d+\\..*"), facts.toString());
            assertTrue(facts.get("group.a.ipc").startsWith("ipc:["), facts.toString());
            assertTrue(!facts.get("group.a.ipc").equals(facts.get("host.ipc")), facts.toString());
        }
    }

    /** Everything this test class made is gone: close() of each environment removed its containers. */
    @AfterAll
    static void noContainerOfThisRunIsLeft() {
        ToolRun ps = DockerCli.run("ps", "-aq", "--filter", "label=" + ContainerSweeper.RUN + "=" + RUN);
        if (ps.ok()) {
            String left = ps.output().strip();
            ContainerSweeper.removeRun(RUN);
            assertEquals("", left, "containers left by run " + RUN);
        }
    }
}
