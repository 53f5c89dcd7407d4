package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.backends.host.OfdLockFile;

/** A harness that waits for the key-file turn says so, naming the file and its holder, and keeps saying it while it waits. */
class TurnWaitNoticeTest {
    @TempDir
    Path dir;

    @Test
    void aLongWaitIsToldOnceThenAgainEveryPeriodNamingTheHolder() throws Exception {
        Path file = dir.resolve(KeyFileTurns.FILE);
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(said, true, StandardCharsets.UTF_8);
        CountDownLatch got = new CountDownLatch(1);
        Thread waiter;
        try (OfdLockFile held = OfdLockFile.await(file, 5)) {
            waiter = new Thread(() -> {
                try (OfdLockFile mine = OfdLockFile.await(file, 5, new TurnWaitNotice(file, 100, 300, out))) {
                    got.countDown();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            waiter.start();
            // Told by lines, not by time: wait until the second line is there (at 100 ms, then 300 ms later).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (lines(said).size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(1, got.getCount(), "the waiter does not hold it while the first open does");
        }
        assertTrue(got.await(60, TimeUnit.SECONDS), "the waiter gets the turn once it is given back");
        waiter.join();
        List<String> lines = lines(said);
        assertTrue(lines.size() >= 2, "a first line and a later one: " + lines);
        assertTrue(lines.get(0).startsWith("shmconform: waiting "), lines.get(0));
        assertTrue(lines.get(0).contains(file.toString()), lines.get(0));
        assertTrue(lines.get(1).startsWith("shmconform: still waiting for the System V key-file turn, "), lines.get(1));
        // The first two, written while the test held the turn; a later one may come as it gives the turn back and say
        // that no process it can see holds it.
        for (String line : lines.subList(0, 2)) {
            assertTrue(line.contains("held by this very process (pid " + ProcessHandle.current().pid()), line);
        }
    }

    @Test
    void aShortWaitSaysNothing() throws Exception {
        Path file = dir.resolve(KeyFileTurns.FILE);
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        TurnWaitNotice notice = new TurnWaitNotice(file, 10_000, 60_000, new PrintStream(said, true, StandardCharsets.UTF_8));
        notice.waited(0);
        notice.waited(9_999);
        assertEquals("", said.toString(StandardCharsets.UTF_8));
        notice.waited(10_000);
        assertTrue(said.toString(StandardCharsets.UTF_8).contains("a process this one cannot see"),
                "nobody holds the file: said so, not a wrong name");
    }

    private static List<String> lines(ByteArrayOutputStream said) {
        String s = said.toString(StandardCharsets.UTF_8);
        return s.isEmpty() ? List.of() : List.of(s.split("\n"));
    }
}
