package org.shmconform.engine.launch;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bound of {@link ToolRun} holds whatever the program does with its output: the Qt worker builds read g++'s output
 * before their bound, so a compiler that hung with its output open kept the harness past it.
 */
class ToolRunTest {
    private static final String SH = SystemTools.path("sh");

    @Test
    void aProgramThatHangsWithItsOutputOpenEndsAtTheBoundWithEveryProcessItStarted(@TempDir Path dir) throws Exception {
        // The script writes its child's pid down, then waits for that child, which would outlive the bound by far.
        Path pidFile = dir.resolve("sleep.pid");
        java.time.Instant testBegan = java.time.Instant.now().minusSeconds(1); // start instants are in clock ticks
        long started = System.nanoTime();
        // 5 s for sh to start its sleep and write its pid down, which a busy machine may take more than a second to do.
        // Written whole or not at all (a rename), so that a sh killed in its echo leaves no half-written pid.
        ToolRun r = ToolRun.merged(new ProcessBuilder(SH, "-c", "sleep 600 & echo $! > " + pidFile + ".part && mv " + pidFile
                + ".part " + pidFile + "; wait"), Duration.ofSeconds(5));
        double seconds = (System.nanoTime() - started) / 1e9;

        assertEquals(ToolRun.TIMED_OUT, r.exitCode(), r.output());
        assertTrue(r.timedOut(), "a probe killed at its bound says so: its caller cannot call it a missing capability");
        assertTrue(r.output().contains("did not end in 5 s"), r.output());
        // Not a timing figure: a read before the wait would have taken the sleep's 600 s.
        assertTrue(seconds < 120, "returned after " + seconds + " s");
        assertTrue(Files.exists(pidFile), "sh wrote its sleep's pid within the bound");
        long sleepPid = Long.parseLong(Files.readString(pidFile).strip());
        try {
            await("the script's sleep 600 killed with it").atMost(Duration.ofSeconds(60))
                    .until(() -> ProcessHandle.of(sleepPid).map(h -> !h.isAlive()).orElse(true));
        } finally {
            // Where it survived (the test failed), it is removed, and only if that pid is still our sleep: a sleep 600
            // started since this test began.
            ProcessHandle.of(sleepPid).filter(h -> h.info().arguments().map(a -> List.of(a).equals(List.of("600"))).orElse(false)
                    && h.info().startInstant().map(t -> !t.isBefore(testBegan)).orElse(false)).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aProgramThatFillsAPipeBeforeItEndsIsReadWhole() {
        // 1 MiB on each stream, far past a pipe's 64 KiB: a wait before reading would block both sides for good.
        ToolRun r = ToolRun.separate(new ProcessBuilder(SH, "-c",
                "head -c 1048576 /dev/zero | tr '\\0' o; head -c 1048576 /dev/zero | tr '\\0' x >&2; echo; echo answer"),
                Duration.ofSeconds(120));

        assertTrue(r.ok(), r.errors());
        assertEquals(1048576 + "\nanswer\n".length(), r.output().length());
        assertEquals("answer", r.lastLine());
        assertEquals(1048576, r.errors().length());
        assertFalse(r.output().contains("x"), "stderr is kept apart");
    }

    @Test
    void mergedKeepsBothStreamsAndTheExitStatus() {
        ToolRun r = ToolRun.merged(new ProcessBuilder(SH, "-c", "echo out; echo why >&2; exit 3"), Duration.ofSeconds(60));

        assertEquals(3, r.exitCode());
        assertFalse(r.timedOut(), "it ended, with a status of its own");
        assertEquals(List.of("out", "why"), r.output().lines().toList());
        assertEquals("why", r.lastErrorLine());
    }

    @Test
    void aProgramThatCannotStartSaysSoInsteadOfThrowing() {
        ToolRun r = ToolRun.of(Duration.ofSeconds(10), "/nonexistent/shmconform-no-such-tool");

        assertEquals(127, r.exitCode());
        assertTrue(r.lastLine().startsWith("/nonexistent/shmconform-no-such-tool: "), r.output());
    }
}
