package org.shmconform.engine.env;

import org.shmconform.engine.launch.ToolRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The start-up sweep removes containers of runs whose harness is dead (as after a kill -9 of the
 * harness) and keeps those of a harness that still runs, even if its run is another one.
 */
class DockerEnvironmentSweeperIT {
    private final String tag = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void removesContainersOfDeadHarnessesOnly() throws Exception {
        assumeTrue(DockerCli.serverVersion() != null, DockerCli.whyNoEngine());
        String image = WorkerImage.tag();
        String deadOwner = ContainerSweeper.currentOwner().replaceFirst("/\\d+/t\\d+$", "/999999999/t1");
        assertFalse(deadOwner.equals(ContainerSweeper.currentOwner()), deadOwner);
        String stale = startContainer(image, "dead-run-" + tag, deadOwner, false);
        String live = startContainer(image, "live-run-" + tag, ContainerSweeper.currentOwner(), false);
        // A harness in another pid namespace or with another state directory: its owner label looks dead from here, but
        // its container runs on its lifeline, so it lives.
        String elsewhere = startContainer(image, "elsewhere-run-" + tag, deadOwner, true);
        String ended = startContainer(image, "ended-run-" + tag, deadOwner, true);
        DockerCli.run("stop", "-t", "0", ended);
        try {
            ContainerSweeper.removeStale("current-run-" + tag);
            assertFalse(exists(stale), "a dead harness's container is removed");
            assertTrue(exists(live), "a live harness's container of another run is kept");
            assertTrue(exists(elsewhere), "a running container on a lifeline is kept");
            assertFalse(exists(ended), "a container whose lifeline ended is removed");
            assertEquals(1, ContainerSweeper.removeRun("live-run-" + tag).size());
            assertFalse(exists(live), "removeRun removes the run's containers");
        } finally {
            DockerCli.run("rm", "-f", stale, live, elsewhere, ended);
        }
    }

    private static String startContainer(String image, String run, String owner, boolean lifeline) {
        java.util.List<String> argv = new java.util.ArrayList<>(java.util.List.of("run", "-d", "--network", "none",
                "--label", ContainerSweeper.RUN + "=" + run, "--label", ContainerSweeper.OWNER + "=" + owner));
        if (lifeline) {
            argv.addAll(java.util.List.of("--label", ContainerSweeper.LIFELINE + "=true"));
        }
        argv.addAll(java.util.List.of(image, "/bin/sleep", "300"));
        ToolRun run1 = DockerCli.run(argv);
        assertEquals(0, run1.exitCode(), run1.output());
        return run1.lastLine().strip();
    }

    private static boolean exists(String id) {
        return DockerCli.run("inspect", id).ok();
    }
}
