package org.shmconform.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.backends.host.OfdLockFile;
import org.shmconform.backends.testsupport.SystemVKeyFileTurn;
import org.shmconform.engine.RunContext;

/**
 * A campaign of a column that takes the System V key-file turn, while another holder (here a thread of the test with an
 * open of its own, as a run or a test beside it would be) keeps the turn from it for a while: the time it stood still is
 * left out of its budget, so it fuzzes for its budget after that wait, and says how long it waited. Before, the default
 * run's sysv campaign beside a verify ran 2 schedules in its 12 s.
 */
class TurnStallBudgetTest {
    private static final Pattern WAITED = Pattern.compile("sysv: (\\d+\\.\\d) s waiting for the System V key-file turn, held by"
            + " another run or test: not counted in the time budget");

    @Test
    void timeStoodStillBehindAnothersTurnIsNotTheBudgets(@TempDir Path out) throws Exception {
        Path turnFile = SystemVKeyFileTurn.file().orElseThrow();
        CountDownLatch held = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            try (OfdLockFile turn = OfdLockFile.await(turnFile, 5)) {
                held.countDown();
                // Given back only once another thread of this JVM (the campaign's) polls for the turn, and a moment
                // after: no clock orders the two (a fixed 15 s did until 2026-12-07, which a busy machine could outlast
                // before the campaign came to its first turn).
                long giveUpAt = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
                while (!anotherThreadAwaitsTheTurn() && System.nanoTime() < giveUpAt) {
                    Thread.sleep(5);
                }
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        holder.start();
        assertTrue(held.await(10, TimeUnit.MINUTES), "the test got the turn (a run beside it gives it back between schedules)");
        List<String> progress = new CopyOnWriteArrayList<>();
        FuzzResult r;
        try (RunContext run = RunContext.create()) {
            r = FuzzCampaign.run(FuzzCampaign.Options.of("sysv").seed(1).count(1_000_000).time(Duration.ofSeconds(2))
                    .outDir(Files.createDirectories(out.resolve("fuzz"))).stopAtFirstFailure(false), run, progress::add, t -> { });
        } finally {
            holder.join();
        }
        Matcher said = progress.stream().map(WAITED::matcher).filter(Matcher::matches).findFirst().orElse(null);
        assertTrue(said != null, "the wait is told: " + progress);
        double waited = Double.parseDouble(said.group(1));
        assertTrue(waited > 0, said.group());
        // The budget runs from the start, and is pushed back by the wait: the campaign lasted both at least.
        assertTrue(r.seconds() >= 2 + waited - 0.05, r.seconds() + " s in all, " + waited + " s of them waiting");
        assertTrue(r.failures().isEmpty() && r.unknown().isEmpty(), r.failures() + " " + r.unknown());
    }

    /** A thread other than the caller waits in {@link OfdLockFile#await}: the campaign, for the turn this test holds. */
    private static boolean anotherThreadAwaitsTheTurn() {
        return Thread.getAllStackTraces().entrySet().stream().anyMatch(e -> e.getKey() != Thread.currentThread()
                && java.util.Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().equals(OfdLockFile.class.getName())
                && f.getMethodName().equals("await")));
    }
}
