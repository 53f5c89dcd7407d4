package org.shmconform.engine.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group container's main command, run here as the container runs it (bash reading the lifeline's FIFO): it lives while
 * the harness holds the lifeline, however long, and ends once the harness lets go (as its death does). It had a timeout
 * (6 hours in a run), at which every container of a longer soak stopped under a live harness.
 */
class ContainerLifelineTest {
    @Test
    void theMainCommandLivesWhileTheLifelineIsHeldAndEndsWhenItIsLetGo(@TempDir Path tmp) throws Exception {
        Path parent = Files.createDirectory(tmp.resolve("run"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        ContainerLifeline lifeline = ContainerLifeline.create(parent);
        // No timeout of its own: the read ends with the harness alone (it was "read -r -t 21600" in a run).
        assertFalse(String.join(" ", lifeline.mainCommand()).contains(" -t "), String.join(" ", lifeline.mainCommand()));
        Process main = new ProcessBuilder(lifeline.mainCommand()).start();
        try {
            assertFalse(main.waitFor(3, TimeUnit.SECONDS), "the main command ended while the lifeline was held");
            lifeline.close();
            assertTrue(main.waitFor(60, TimeUnit.SECONDS), "the main command outlived the lifeline");
            assertEquals(0, main.exitValue());
        } finally {
            lifeline.close();
            main.destroyForcibly().waitFor();
        }
    }
}
