package org.shmconform.backends.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child's stdout read through a read end of the harness's own ({@link PipeLines#ofChildStdout}): real processes
 * ({@code sh} printing when the test tells it to, on its stdin: no pause decides what a test sees), real pipes, the
 * timeout, the end, an interrupt and the close.
 */
class PipeLinesTest {
    private static final long SECOND = 1_000_000_000L;

    /** Starts {@code script} with its stdout a pipe to this process, and takes that pipe's read end, closing Java's. */
    private static Started start(String script) throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", script).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        PipeLines lines = PipeLines.ofChildStdout(p.pid());
        assertNotNull(lines, "this process holds the one read end of its child's stdout");
        p.getInputStream().close(); // as ProcessWorkerHandle does: Java's reaper must not drain the pipe at the exit
        return new Started(p, lines);
    }

    private record Started(Process process, PipeLines lines) implements AutoCloseable {
        /** Lets the child's next {@code read x} return. */
        void go() throws java.io.IOException {
            process.getOutputStream().write('\n');
            process.getOutputStream().flush();
        }

        @Override
        public void close() throws InterruptedException {
            lines.close();
            process.destroyForcibly().waitFor();
        }
    }

    @Test
    void aLineSplitAcrossWritesComesWholeDatedByTheReadThatBroughtItsEnd() throws Exception {
        try (Started s = start("printf 'a\\nb'; read x; printf 'c\\n'; read x; printf '\\303\\251\\nlast'")) {
            PipeLines.Line a = s.lines().next(10 * SECOND);
            Thread.sleep(300);
            s.go(); // c comes after this: at least 300 ms after a was read
            PipeLines.Line bc = s.lines().next(10 * SECOND);
            s.go();
            PipeLines.Line accent = s.lines().next(10 * SECOND);
            PipeLines.Line last = s.lines().next(10 * SECOND);
            assertEquals("a", a.text());
            assertEquals("bc", bc.text(), "the part before the pause and the part after are one line");
            assertEquals("é", accent.text(), "UTF-8");
            assertEquals("last", last.text(), "what follows the last LF at the end is a last line");
            assertTrue(bc.nanos() - a.nanos() >= 300_000_000L, "bc is dated by the read that brought its LF, after the pause: "
                    + (bc.nanos() - a.nanos()) / 1_000_000 + " ms");
            assertNull(s.lines().next(10 * SECOND), "then the end");
            assertTrue(s.lines().ended());
        }
    }

    @Test
    void aLineLongerThanOneReadComesWhole() throws Exception {
        try (Started s = start("head -c 100000 /dev/zero | tr '\\0' x; echo; echo after; sleep 60")) {
            PipeLines.Line line = s.lines().next(10 * SECOND);
            assertEquals(100_000, line.text().length(), "a large read's reply is one line, however many reads it takes");
            assertTrue(line.text().chars().allMatch(c -> c == 'x'));
            assertEquals("after", s.lines().next(10 * SECOND).text());
        }
    }

    @Test
    void aLineReadLateKeepsTheDateItWasReadAt(@TempDir Path tmp) throws Exception {
        Path both = Files.writeString(tmp.resolve("both"), "one\ntwo\n");
        try (Started s = start("cat '" + both + "'; sleep 60")) { // one write: the first read takes both lines
            PipeLines.Line one = s.lines().next(10 * SECOND);
            long firstAsked = System.nanoTime();
            Thread.sleep(200);
            PipeLines.Line two = s.lines().next(0);
            assertEquals("two", two.text());
            assertEquals(one.nanos(), two.nanos(), "both came in one read, and are dated by it");
            assertTrue(two.nanos() <= firstAsked, "not by when the second was asked for");
        }
    }

    @Test
    void nothingWithinTheTimeoutGivesNullAndTheLineStillComesAfter() throws Exception {
        try (Started s = start("read x; echo late; sleep 60")) {
            long t0 = System.nanoTime();
            assertNull(s.lines().next(100_000_000L));
            long waited = System.nanoTime() - t0;
            assertTrue(waited >= 100_000_000L, "waited its timeout: " + waited / 1_000_000 + " ms");
            assertFalse(s.lines().ended());
            assertNull(s.lines().next(0), "a look without waiting finds nothing yet");
            s.go();
            assertEquals("late", s.lines().next(10 * SECOND).text());
        }
    }

    @Test
    void anInterruptEndsAWait() throws Exception {
        try (Started s = start("sleep 60")) {
            CompletableFuture<Thread> waiter = new CompletableFuture<>();
            CompletableFuture<Long> interruptedAfter = CompletableFuture.supplyAsync(() -> {
                waiter.complete(Thread.currentThread());
                long t0 = System.nanoTime();
                try {
                    s.lines().next(60 * SECOND);
                    return -1L;
                } catch (InterruptedException e) {
                    return System.nanoTime() - t0;
                }
            });
            Thread t = waiter.get(10, TimeUnit.SECONDS);
            Thread.sleep(200);
            t.interrupt();
            long after = interruptedAfter.get(10, TimeUnit.SECONDS);
            assertTrue(after > 0 && after < 30 * SECOND, "the interrupt ended the wait (" + after / 1_000_000 + " ms), not its 60 s");
        }
    }

    @Test
    void aCloseEndsAnotherThreadsLongWaitWithinASlice() throws Exception {
        try (Started s = start("sleep 60")) {
            CompletableFuture<PipeLines.Line> waited = CompletableFuture.supplyAsync(() -> {
                try {
                    return s.lines().next(60 * SECOND); // as a spare's wait for its hello
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(200);
            long t0 = System.nanoTime();
            s.lines().close();
            long closedAfter = System.nanoTime() - t0;
            assertNull(waited.get(30, TimeUnit.SECONDS), "the wait ended with nothing, not at its 60 s");
            assertTrue(closedAfter < 30 * SECOND, "the close waited for one slice at most, not the other thread's minute: "
                    + closedAfter / 1_000_000 + " ms");
            assertTrue(s.lines().ended());
        }
    }

    @Test
    void aClosedOneReadsNothingAndItsDescriptorIsGone() throws Exception {
        try (Started s = start("echo unread; sleep 60")) {
            String pipe = PipeDescriptors.stdoutOf(s.process().pid());
            assertEquals(1, PipeDescriptors.heldHere(pipe), "the copy is the one read end");
            s.lines().close();
            assertNull(s.lines().next(SECOND));
            assertTrue(s.lines().ended());
            assertEquals(0, PipeDescriptors.heldHere(pipe), "the descriptor was closed");
        }
    }

    @Test
    void noneWhereTheChildsStdoutIsNotAPipeOfOurs() throws Exception {
        Process p = new ProcessBuilder("/bin/sleep", "60").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            assertNull(PipeLines.ofChildStdout(p.pid()), "its stdout is /dev/null");
        } finally {
            p.destroyForcibly().waitFor();
        }
        assertNull(PipeLines.ofChildStdout(p.pid()), "a reaped child has no stdout to read");
    }

    @Test
    void anExitedChildsPipeEndsAfterItsLastLine() throws Exception {
        try (Started s = start("read x; echo bye")) {
            s.go();
            assertEquals(0, s.process().waitFor());
            assertEquals("bye", s.lines().next(10 * SECOND).text(), "Java's reaper did not drain it: its stream was closed first");
            assertNull(s.lines().next(10 * SECOND));
            assertTrue(s.lines().ended());
        }
    }
}
