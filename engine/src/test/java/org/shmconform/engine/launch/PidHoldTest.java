package org.shmconform.engine.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.backends.host.Pidfd;
import org.shmconform.backends.host.ProcText;

/**
 * The pid of a local worker stays its own after its death while its {@link PidHold} holds, and only then: real
 * processes, a {@code sleep} started as a worker is, SIGKILLed and reaped by Java.
 */
class PidHoldTest {
    @Test
    void aDeadWorkersPidStaysInUseWhileItsHoldHoldsAndIsFreedWhenItIsLetGo(@TempDir Path tmp) throws Exception {
        WorkerCommand command = new WorkerCommand(Path.of(SystemTools.path("sleep")), List.of("60"), List.of(),
                Map.of("TMPDIR", tmp.toString()), null);
        ProcessWorkerHandle handle = ProcessWorkerHandle.start(command, command.program().toString());
        PidHold hold = handle.pidHold();
        assertNotNull(hold, "a local worker of the harness's user is held");
        long pid = handle.pid();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!hold.pin(pid, handle::isAlive) && System.nanoTime() < deadline) {
                Thread.sleep(5); // the shell forks its helper and execs the worker in a moment
            }
            assertEquals(pid, hold.pinnedPid(), "the helper is pinned");
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            assertEquals(Long.toString(pid), ProcText.statField(stat, 5), "the worker leads its own process group");
            assertTrue(stat.contains("(sleep)"), "the started process is the worker, exec'd in place: " + stat);

            handle.kill();
            assertEquals(137, handle.awaitExit(Duration.ofSeconds(10)), "SIGKILLed and reaped by Java");
            assertTrue(hold.holds(), "its process group keeps its pid in use");
            assertTrue(groupHasAMember(pid), "a member of its group lives on");
            assertTrue(Pidfd.open(pid) == null, "and no process has its pid");
        } finally {
            hold.close();
            handle.release();
        }
        assertFalse(hold.holds(), "let go, it vouches for nothing");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (groupHasAMember(pid) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertFalse(groupHasAMember(pid), "the helper read end of file and ended");
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList(), "the FIFO is gone");
        }
    }

    @Test
    void aHoldWhoseHelperDiedVouchesForNothing(@TempDir Path tmp) throws Exception {
        WorkerCommand command = new WorkerCommand(Path.of(SystemTools.path("sleep")), List.of("60"), List.of(),
                Map.of("TMPDIR", tmp.toString()), null);
        ProcessWorkerHandle handle = ProcessWorkerHandle.start(command, command.program().toString());
        PidHold hold = handle.pidHold();
        long pid = handle.pid();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!hold.pin(pid, handle::isAlive) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            long helper = Long.parseLong(Files.readString(Path.of("/proc", Long.toString(pid), "task", Long.toString(pid), "children")).trim());
            try (Pidfd h = Pidfd.open(helper)) {
                h.kill(); // another hand ends the helper: the group may end with the worker, and the pid be anyone's
                assertTrue(h.awaitExit(Duration.ofSeconds(10)));
            }
            assertFalse(hold.holds(), "no helper, no proof");
        } finally {
            handle.kill();
            handle.awaitExit(Duration.ofSeconds(10));
            hold.close();
            handle.release();
        }
    }

    /** Whether a process lives whose process group is {@code pgid} (read from /proc, not signalled). */
    private static boolean groupHasAMember(long pgid) throws Exception {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+")).anyMatch(p -> {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    return Long.toString(pgid).equals(ProcText.statField(stat, 5)) && !"Z".equals(ProcText.statField(stat, 3));
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }
}
