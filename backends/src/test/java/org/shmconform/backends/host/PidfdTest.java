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

    @Test
    void tellsAnyHolderHowTheProcessEndedOnceItIsReaped() throws Exception {
        Process faulting = new ProcessBuilder("sh", "-c", "read line; kill -SEGV $$").start();
        Process exiting = new ProcessBuilder("sh", "-c", "read line; exit 3").start();
        try (Pidfd segv = Pidfd.open(faulting.pid()); Pidfd three = Pidfd.open(exiting.pid())) {
            assertNotNull(segv);
            assertNotNull(three);
            org.junit.jupiter.api.Assumptions.assumeFalse(segv.endedHow() instanceof Pidfd.Ending.Never,
                    "this kernel keeps no exit status for a pidfd: " + segv.endedHow());
            assertEquals(new Pidfd.Ending.NotYet(), segv.endedHow(), "alive: nothing to tell yet");
            faulting.getOutputStream().close();
            exiting.getOutputStream().close();
            assertEquals(128 + 11, faulting.waitFor(), "reaped here: sh died by SIGSEGV");
            assertEquals(3, exiting.waitFor());
            assertEquals(new Pidfd.Ending.Status(128 + 11), segv.endedHow());
            assertEquals(new Pidfd.Ending.Status(3), three.endedHow());
        } finally {
            faulting.destroyForcibly();
            exiting.destroyForcibly();
        }
    }
}
