package org.shmconform.backends.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PidfdTest {
    @Test
    void killsThePinnedProcess() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "600").start();
        try (Pidfd pinned = Pidfd.open(sleeper.pid())) {
            assertNotNull(pinned);
            assertEquals(sleeper.pid(), pinned.pid());
            assertTrue(pinned.kill());
            assertTrue(sleeper.waitFor(60, TimeUnit.SECONDS));
            assertEquals(128 + 9, sleeper.exitValue(), "SIGKILL");
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void aPinnedProcessThatWasReapedGetsNothingWhateverItsPidBecame() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "600").start();
        try (Pidfd pinned = Pidfd.open(sleeper.pid())) {
            assertNotNull(pinned);
            sleeper.destroyForcibly().waitFor(); // reaped: its pid is free for reuse
            assertFalse(pinned.kill(), "the pidfd still names the dead process, not whoever has its pid now");
        }
    }
}
