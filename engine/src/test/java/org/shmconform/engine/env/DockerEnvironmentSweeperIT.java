package org.shmconform.engine.env;

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
        String deadOwner = ContainerSweeper.currentOwner().replaceFirst("/\\d+/\\d+$", "/999999999/1");
        String stale = startContainer(image, "dead-run-" + tag, deadOwner);
        String live = startContainer(image, "live-run-" + tag, ContainerSweeper.currentOwner());
        try {
            ContainerSweeper.removeStale("current-run-" + tag);
            assertFalse(exists(stale), "a dead harness's container is removed");
            assertTrue(exists(live), "a live harness's container of another run is kept");
            assertEquals(1, ContainerSweeper.removeRun("live-run-" + tag).size());
            assertFalse(exists(live), "removeRun removes the run's containers");
        } finally {
            DockerCli.run("rm", "-f", stale, live);
        }
    }

    private static String startContainer(String image, String run, String owner) {
        ToolRun run1 = DockerCli.run("run", "-d", "--network", "none", "--label", ContainerSweeper.RUN + "=" + run,
                "--label", ContainerSweeper.OWNER + "=" + owner, image, "/bin/sleep", "300");
        assertEquals(0, run1.exitCode(), run1.output());
        return run1.lastLine().strip();
    }

    private static boolean exists(String id) {
        return DockerCli.run("inspect", id).ok();
    }
}
