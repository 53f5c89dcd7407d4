package org.shmconform.backends.memfd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.testsupport.PeerProcess;

/**
 * Another program that holds a memfd of a name of the run, or the claim on one: the memfd columns' backends name it
 * ({@code heldOutside}), so that the harness does not take it for the run's; the run's own processes, and their
 * children, are not named.
 */
class MemfdHoldersTest {
    private static final MemfdBackend BACKEND = new MemfdBackend();

    @Test
    void aMemfdOfANameOfTheRunHeldByAnotherProcessIsNamedAndOneOfOursIsNot() throws Exception {
        String key = "shmcfholders" + Long.toString(System.nanoTime(), 26).replaceAll("[0-9]", "q") + "k";
        Path tmp = Files.createTempDirectory("memfd-holders");
        try (PeerProcess other = PeerProcess.start("memfd", tmp)) {
            assertEquals("OK", other.send("open " + key));
            assertEquals("OK", other.send("create 64"));
            String letters = key.substring(0, key.length() - 1);
            List<String> outside = BACKEND.heldOutside(letters, List.of(key), Set.of(1L));
            assertEquals(1, outside.size(), outside.toString());
            assertTrue(outside.get(0).startsWith("memfd:" + QtKeys.platformSafeName(key, MemfdSegment.PREFIX) + ", held by pid "
                    + other.pid() + " (uid "), outside.toString());
            assertEquals(List.of(), BACKEND.heldOutside(letters, List.of(key), Set.of(other.pid())), "the run's own process");
            assertEquals(List.of(), BACKEND.heldOutside(letters, List.of(key), Set.of(ProcessHandle.current().pid())),
                    "a child of the run's process (a worker's spawned child inherits its memfd)");
            assertEquals(List.of(), BACKEND.heldOutside(letters + "z", List.of(key + "z"), Set.of(1L)), "another prefix's names");
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Test
    void theClaimOnANameOfTheRunHeldByAnotherProcessIsNamed() throws Exception {
        String key = "shmcfclaims" + Long.toString(System.nanoTime(), 26).replaceAll("[0-9]", "q") + "j";
        String name = QtKeys.platformSafeName(key, MemfdSegment.PREFIX);
        long self = ProcessHandle.current().pid();
        try (AbstractSocketClaim claim = AbstractSocketClaim.acquire(name, Duration.ofSeconds(1))) {
            List<String> outside = BACKEND.heldOutside(key.substring(0, key.length() - 1), List.of(key), Set.of(1L));
            assertEquals(List.of("the claim on memfd:" + name + " (an abstract socket), held by pid " + self + " (uid "
                    + org.shmconform.backends.host.HostIds.uid() + "), no process of the execution"), outside);
            assertEquals(List.of(), BACKEND.heldOutside(key.substring(0, key.length() - 1), List.of(key), Set.of(self)));
            assertEquals(List.of(), BACKEND.heldOutside(key.substring(0, key.length() - 1), List.of(key + "x"), Set.of(1L)),
                    "a claim on a key not of the execution");
        }
        assertEquals(List.of(), BACKEND.heldOutside(key.substring(0, key.length() - 1), List.of(key), Set.of(1L)), "let go");
    }

    /** A claim not had within its patience is the backend's clock, not the kernel's answer: the harness judges nothing on it. */
    @Test
    void aClaimNotHadWithinItsPatienceIsAWaitGivenUp() throws Exception {
        String name = QtKeys.platformSafeName("shmcfpatience" + Long.toString(System.nanoTime(), 26).replaceAll("[0-9]", "q"),
                MemfdSegment.PREFIX);
        try (AbstractSocketClaim held = AbstractSocketClaim.acquire(name, Duration.ofSeconds(1))) {
            java.io.IOException refused = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                    () -> AbstractSocketClaim.acquire(name, Duration.ofMillis(50)));
            assertTrue(BACKEND.gaveUpWaiting("create: " + refused.getMessage()), refused.getMessage());
        }
        assertTrue(!BACKEND.gaveUpWaiting("attach: no process holds memfd:x") && !BACKEND.gaveUpWaiting(null));
        assertTrue(new MemfdFdBackend().gaveUpWaiting("attach: " + AbstractSocketClaim.NOT_HAD + "2000 ms"));
    }
}
