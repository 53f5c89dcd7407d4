package org.shmconform.backends.testsupport;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.shmconform.backends.host.KernelWait;

/** A test waits until the kernel shows a process asleep in a lock wait: blocking is confirmed, never inferred from a silence. */
public final class LockWaits {
    /** Guards a test against hanging; the condition is the kernel's answer, never the passing of time. */
    private static final long GIVE_UP_MILLIS = PeerProcess.REPLY_TIMEOUT_SECONDS * 1000; // a peer JVM may come to it late

    private LockWaits() {
    }

    /** Returns once some thread of {@code pid} sleeps in a lock wait ({@link KernelWait}); fails the test if none ever does. */
    public static void awaitBlocked(long pid) throws InterruptedException {
        KernelWait kernel = KernelWait.forThisMachine();
        assumeTrue(kernel != null, KernelWait::unsupportedReason);
        long deadline = System.currentTimeMillis() + GIVE_UP_MILLIS;
        KernelWait.State s;
        while (!(s = kernel.anyThread(pid)).blockedInLockWait()) {
            if (System.currentTimeMillis() > deadline) {
                fail("the kernel never showed " + pid + " asleep in a lock wait: " + s.description());
            }
            Thread.sleep(2);
        }
    }
}
