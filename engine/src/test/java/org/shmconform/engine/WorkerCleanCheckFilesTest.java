package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which open descriptors a reused worker may keep: its code and the pseudo-files the JVM reads about itself (a loaded
 * machine caught a worker's JVM reading its cgroup memory limit, and the worker was replaced for it), never anything
 * that can hold a segment, a lock or a key.
 */
class WorkerCleanCheckFilesTest {
    private static final WorkerCleanCheck.Baseline WORKER = new WorkerCleanCheck.Baseline(31562, Map.of(), "/run/shmconform-share/x/tmp",
            "abcdef", Set.of("/run/shmconform/cache/worker-jar-1/shmconform-worker.jar"), List.of());
    /** A worker in a container of the worker image: its runtime is the image's. */
    private static final WorkerCleanCheck.Baseline IN_A_CONTAINER = new WorkerCleanCheck.Baseline(31562, Map.of(),
            "/run/shmconform-share/x/tmp", "abcdef", Set.of(), List.of("/opt/jre/", "/opt/jna/"));

    @Test
    void theJvmsReadsAboutItselfAndItsCodeMayStayOpen() {
        for (String target : new String[] {"/sys/fs/cgroup/memory/process_api/87b7657a/memory.limit_in_bytes",
                "/sys/fs/cgroup/cpu.max", "/proc/31562/mountinfo", "/proc/31562/task/31570/stat",
                "/usr/lib/jvm/java-17-openjdk-amd64/lib/modules", "/run/shmconform/cache/worker-jar-1/shmconform-worker.jar",
                "/dev/urandom"}) {
            assertTrue(WorkerCleanCheck.isCodeFile(target, WORKER), target);
        }
    }

    @Test
    void segmentsKeyFilesAndOtherProcessesFilesMayNot() {
        for (String target : new String[] {"/dev/shm/shmcfabcdefk", "/memfd:qipc_memfd_k (deleted)", "/run/shmconform-share/x/tmp/k",
                "/proc/1/mountinfo", "/proc/315620/maps", "/sys/kernel/mm/transparent_hugepage/enabled", "socket:[123]", "pipe:[456]",
                "/usr/lib/x (deleted)"}) {
            assertFalse(WorkerCleanCheck.isCodeFile(target, WORKER), target);
        }
    }

    @Test
    void anImagesRuntimeIsCodeOnlyForAWorkerOfThatImage() {
        assertTrue(WorkerCleanCheck.isCodeFile("/opt/jre/lib/modules", IN_A_CONTAINER));
        assertTrue(WorkerCleanCheck.isCodeFile("/opt/jna/libjnidispatch.so", IN_A_CONTAINER));
        assertFalse(WorkerCleanCheck.isCodeFile("/opt/jre/lib/x (deleted)", IN_A_CONTAINER));
        assertFalse(WorkerCleanCheck.isCodeFile("/opt/jre-other/k", IN_A_CONTAINER));
        assertFalse(WorkerCleanCheck.isCodeFile("/dev/shm/shmcfabcdefk", IN_A_CONTAINER));
        assertFalse(WorkerCleanCheck.isCodeFile("/opt/jre/lib/modules", WORKER), "not for a worker of the host");
    }
}
