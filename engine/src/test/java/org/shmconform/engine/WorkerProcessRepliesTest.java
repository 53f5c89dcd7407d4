package org.shmconform.engine;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.backends.host.PipeDescriptors;
import org.shmconform.engine.launch.ProcessWorkerHandle;
import org.shmconform.engine.launch.SystemTools;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.spi.Args;
import org.shmconform.spi.Op;
import org.shmconform.worker.protocol.WorkerProtocol.Request;

/**
 * A local worker's replies are read by the thread that waits for them, from a read end of its stdout the harness owns:
 * a real process (a shell that prints reply lines, as a worker does) started as the engine starts a worker.
 */
class WorkerProcessRepliesTest {
    private static final String REPLY_1 = "{\"seq\":1,\"ok\":true}";
    private static final String REPLY_2 = "{\"seq\":2,\"ok\":true}";

    private static WorkerProcess start(Path tmp, String script) throws Exception {
        WorkerCommand command = new WorkerCommand(Path.of(SystemTools.path("sh")), List.of("-c", script), List.of(),
                Map.of("TMPDIR", tmp.toString()), null);
        return new WorkerProcess("replies", ProcessWorkerHandle.start(command, command.program().toString()), tmp.resolve("w.log"));
    }

    @FunctionalInterface
    private interface WithWorker {
        void run(WorkerProcess wp) throws Exception;
    }

    /** Runs {@code body} with a worker of {@code script}, then kills and reaps it, whatever the body did. */
    private static void withWorker(Path tmp, String script, WithWorker body) throws Exception {
        WorkerProcess wp = start(tmp, script);
        try {
            body.run(wp);
        } finally {
            wp.killAndReap(Duration.ofSeconds(10));
            wp.release();
        }
    }

    private static boolean aReaderThreadRuns() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("worker-replies-stdout"));
    }

    @Test
    void repliesComeInOrderWithStrayLinesSetAsideAndNoReaderThread(@TempDir Path tmp) throws Exception {
        withWorker(tmp, "echo '" + REPLY_1 + "'; echo 'not a reply'; echo '" + REPLY_2 + "'; sleep 60", wp -> {
            assertTrue(!aReaderThreadRuns(), "no thread of its own reads its stdout");
            assertEquals(1, wp.poll(Duration.ofSeconds(10)).reply().seq());
            assertEquals(2, wp.poll(Duration.ofSeconds(10)).reply().seq(), "the stray line between them is no reply");
            assertTrue(wp.strayOutput());
            assertTrue(Files.readString(tmp.resolve("w.log")).contains("[stdout] not a reply"), "it is kept in the worker's log");
        });
    }

    @Test
    void aReplyReadBeforeAnInvokeKeepsTheTimeItWasReadAt(@TempDir Path tmp) throws Exception {
        withWorker(tmp, "echo '" + REPLY_1 + "'; : > \"$TMPDIR/said\"; sleep 60", wp -> {
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(tmp.resolve("said"))); // the reply is in the pipe
            long before = System.nanoTime();
            wp.readWhatItSaid();
            long after = System.nanoTime();
            Thread.sleep(200);
            WorkerProcess.Received r = wp.poll(Duration.ZERO);
            assertNotNull(r, "what was read is kept for the next poll");
            assertEquals(1, r.reply().seq());
            assertTrue(r.nanos() >= before && r.nanos() <= after, "dated when it was read, not 200 ms later when it was asked for: "
                    + (r.nanos() - before) / 1_000 + " us after the look began, which took " + (after - before) / 1_000 + " us");
        });
    }

    @Test
    void itsEndIsHandedOutOnceAndItsReadEndIsClosedOnceReaped(@TempDir Path tmp) throws Exception {
        WorkerProcess wp = start(tmp, "read request; echo '" + REPLY_1 + "'");
        long pid = wp.hostPid().getAsLong();
        String pipe = PipeDescriptors.stdoutOf(pid); // while it waits for a request
        assertEquals(1, PipeDescriptors.heldHere(pipe), "the harness holds one read end of its stdout");
        wp.send(new Request(1, Op.size, Args.NONE)); // it answers, then exits
        assertEquals(0, wp.reap(Duration.ofSeconds(10)), "it exited by itself");
        assertEquals(0, PipeDescriptors.heldHere(pipe), "reaped: the read end is closed");
        WorkerProcess.Received last = wp.poll(Duration.ZERO);
        assertNotNull(last, "what it said before its end was read before the close");
        assertEquals(1, last.reply().seq());
        assertTrue(wp.poll(Duration.ZERO).isEnd(), "then its end");
        long t0 = System.nanoTime();
        assertNull(wp.poll(Duration.ofMillis(100)), "once: nothing more comes");
        assertTrue(System.nanoTime() - t0 >= 100_000_000L, "and a wait runs out, as a poll of an empty queue does");
        wp.release();
    }
}
