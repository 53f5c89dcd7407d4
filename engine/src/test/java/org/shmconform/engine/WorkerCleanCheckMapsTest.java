package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which mappings keep a worker from being reused: a segment's (System V, /dev/shm, memfd, the run's share), private or
 * shared, and any shared mapping of unknown code; never a private mapping of its code, which is nearly all of its maps
 * and is passed over without being cut into fields.
 */
class WorkerCleanCheckMapsTest {
    private static final Path SHARE = Path.of("/run/shmconform-share/x");

    @Test
    void aSegmentsMappingIsSaidPrivateOrShared() {
        List<String> said = said(
                "7f0000000000-7f0000001000 rw-s 00000000 00:01 32778                      /SYSV5100abcd (deleted)",
                "7f0000002000-7f0000003000 r--p 00000000 00:1b 12                         /dev/shm/shmcfabcdefk",
                "7f0000004000-7f0000005000 rw-s 00000000 00:01 7                          /memfd:qipc_memfd_k (deleted)",
                "7f0000006000-7f0000007000 rw-p 00000000 fe:00 99                         /run/shmconform-share/x/tmp/k",
                "7f0000008000-7f0000009000 rw-s 00000000 00:00 0 ");
        assertEquals(5, said.size(), said.toString());
        assertTrue(said.get(1).contains("/dev/shm/shmcfabcdefk (r--p)"), said.toString());
        assertTrue(said.get(4).contains("anonymous shared memory (rw-s)"), said.toString());
    }

    @Test
    void privateMappingsOfCodeAndSharedOnesOfTheSystemAreNot() {
        assertEquals(List.of(), said(
                "55d0c0000000-55d0c0001000 r-xp 00000000 fe:00 1234                       /usr/lib/jvm/java-17-openjdk-amd64/bin/java",
                "7f1000000000-7f1000100000 r--s 00000000 fe:00 5678                       /usr/lib/jvm/java-17-openjdk-amd64/lib/modules",
                "7f1000200000-7f1000300000 rw-p 00000000 00:00 0",
                "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]"));
    }

    @Test
    void onlyTheFourthPermissionTellsASharedMapping() {
        assertTrue(WorkerCleanCheck.sharedMapping("7f0000000000-7f0000001000 rw-s 00000000 00:01 1 /x"));
        assertFalse(WorkerCleanCheck.sharedMapping("7f0000000000-7f0000001000 rw-p 00000000 00:01 1 /x-s"));
        assertFalse(WorkerCleanCheck.sharedMapping("garbage"));
    }

    private static List<String> said(String... lines) {
        List<String> why = new ArrayList<>();
        WorkerCleanCheck.maps(List.of(lines), SHARE, List.of(), why);
        return why;
    }
}
