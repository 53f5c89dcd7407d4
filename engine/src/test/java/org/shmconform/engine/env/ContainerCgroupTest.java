package org.shmconform.engine.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Where a process's cgroup lists its processes, on the two layouts the kernel has; and this process's own list. */
class ContainerCgroupTest {
    private static final String V1_PIDS = "8:pids:/docker/abc";
    private static final String V2 = "0::/system.slice/docker-abc.scope";

    @Test
    void theUnifiedHierarchyWhereItIsMounted() {
        assertEquals(Path.of("/sys/fs/cgroup/system.slice/docker-abc.scope/cgroup.procs"), ContainerCgroup.procsFile(List.of(V2),
                List.of("35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate")));
    }

    @Test
    void theV1PidsHierarchyWhenNoUnifiedOneIsMounted() {
        assertEquals(Path.of("/sys/fs/cgroup/pids/docker/abc/cgroup.procs"), ContainerCgroup.procsFile(List.of("9:name=systemd:/docker/abc",
                V1_PIDS, "4:memory:/docker/abc", "0::/docker/abc"), List.of(
                "40 30 0:35 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
                "44 30 0:39 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids")));
    }

    /** A mount of a sub-tree (a container's view of its own cgroup) does not name the path from the hierarchy's root. */
    @Test
    void noMountThatShowsTheHierarchysRootIsNoAnswer() {
        assertNull(ContainerCgroup.procsFile(List.of(V2),
                List.of("35 24 0:30 /docker /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw")));
        assertNull(ContainerCgroup.procsFile(List.of(V1_PIDS), List.of("40 30 0:35 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory")));
    }

    /** The test JVM's own cgroup read as a container's would be, by a part of its path; and refused by another name. */
    @Test
    void theListOfACgroupNamedByItsPath() throws Exception {
        long self = ProcessHandle.current().pid();
        Path procs = ContainerCgroup.procsFile(java.nio.file.Files.readAllLines(Path.of("/proc/self/cgroup")),
                java.nio.file.Files.readAllLines(Path.of("/proc/self/mountinfo")));
        assertNotNull(procs, "no cgroup hierarchy of this machine found for the test JVM");
        assertEquals(procs, ContainerCgroup.procsFileOf(self, procs.getParent().toString()));
        Set<Long> processes = ContainerCgroup.processesIn(procs);
        assertNotNull(processes, "the test JVM's cgroup cannot be read: " + procs);
        assertTrue(processes.contains(self), processes.toString());
        assertNull(ContainerCgroup.procsFileOf(self, "0123456789abcdef-no-such-container"));
        assertNull(ContainerCgroup.processesIn(procs.resolveSibling("no-such-file")));
    }
}
