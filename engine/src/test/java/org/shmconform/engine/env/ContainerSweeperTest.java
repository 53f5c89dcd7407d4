package org.shmconform.engine.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The sweep's decision, without an engine: whose containers another run may remove. */
class ContainerSweeperTest {
    @Test
    void aRunningContainerOnALifelineIsKeptWhateverItsOwnerLabelSays() {
        // Its owner is neither alive here nor holds a lock in this state directory (another pid namespace, another --state-dir).
        assertFalse(ContainerSweeper.isStale("run-a", "owner", "running", "true", "run-b", o -> false, r -> false));
        assertFalse(ContainerSweeper.isStale("run-a", "owner", "paused", "true", "run-b", o -> false, r -> false), "frozen, alive");
        assertTrue(ContainerSweeper.isStale("run-a", "owner", "exited", "true", "run-b", o -> false, r -> false),
                "its lifeline ended: its harness is gone");
        assertTrue(ContainerSweeper.isStale("run-a", "owner", "running", "", "run-b", o -> false, r -> false),
                "no lifeline (an earlier version's, a probe): the owner and the lock decide");
        assertFalse(ContainerSweeper.isStale("run-a", "owner", "exited", "", "run-b", o -> true, r -> false));
        assertFalse(ContainerSweeper.isStale("run-a", "owner", "exited", "", "run-b", o -> false, r -> true));
        assertFalse(ContainerSweeper.isStale("run-b", "owner", "exited", "", "run-b", o -> false, r -> false), "this run's own");
    }

    @Test
    void theOwnerLabelNamesAProcessByItsStartInClockTicks() throws Exception {
        String self = ContainerSweeper.currentOwner();
        assertTrue(self.matches("[^/]+/\\d+/t\\d+"), self);
        assertTrue(ContainerSweeper.ownerAlive(self));
        Process p = new ProcessBuilder("sleep", "60").start();
        String other = self.replaceFirst("/\\d+/t\\d+$", "/" + p.pid() + "/t" + ContainerSweeper.startTicks(p.pid()));
        assertTrue(ContainerSweeper.ownerAlive(other));
        String sameNumberOtherStart = other.replaceFirst("/t\\d+$", "/t" + (ContainerSweeper.startTicks(p.pid()) + 1));
        assertFalse(ContainerSweeper.ownerAlive(sameNumberOtherStart), "another process with that number");
        p.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
        assertFalse(ContainerSweeper.ownerAlive(other), "gone");
        assertEquals(-1, ContainerSweeper.startTicks(p.pid()));
        assertFalse(ContainerSweeper.ownerAlive("garbage"));
    }
}
