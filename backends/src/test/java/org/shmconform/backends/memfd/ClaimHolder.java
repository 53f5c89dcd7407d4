package org.shmconform.backends.memfd;

import java.time.Duration;

/**
 * Another program that holds the claim on a key's memfd name ({@link AbstractSocketClaim}), as anyone who read its
 * address in /proc/net/unix can: {@code ClaimHolder KEY} prints "held PID" once it is bound, and holds it until its
 * stdin closes.
 */
public final class ClaimHolder {
    private ClaimHolder() {
    }

    public static void main(String[] args) throws Exception {
        String name = org.shmconform.backends.QtKeys.platformSafeName(args[0], MemfdSegment.PREFIX);
        try (AbstractSocketClaim claim = AbstractSocketClaim.acquire(name, Duration.ofSeconds(10))) {
            System.out.println("held " + ProcessHandle.current().pid());
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold it until the test lets go
            }
        }
    }
}
