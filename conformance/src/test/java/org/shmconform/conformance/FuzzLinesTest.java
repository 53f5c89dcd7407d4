package org.shmconform.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.shmconform.engine.RunContext;
import org.shmconform.fuzz.FuzzResult;

/**
 * The run's fuzz section side by side: real run contexts, campaigns that only say when they start and end. The latches
 * make the order of events certain; their 60 s bounds only keep a broken scheduler from hanging the build.
 */
class FuzzLinesTest {
    private static final Set<String> TURN_TAKERS = Set.of("t1", "t2");

    private final Map<String, CountDownLatch> started = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> release = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> done = new ConcurrentHashMap<>();
    private final Map<String, RunContext> contextOf = new ConcurrentHashMap<>();
    private final Set<RunContext> ended = ConcurrentHashMap.newKeySet();
    private final Set<RunContext> open = ConcurrentHashMap.newKeySet();

    @Test
    void aColumnThatTakesNoTurnRunsBesideOneThatDoesButTwoTurnTakersNeverOverlap() throws Exception {
        holdUntilReleased("t1");
        FuzzLines lines = start(List.of("t1", "t2", "a"), 3);
        await(started, "t1");
        await(done, "a"); // a ran to its end while t1 ran: it took a line of its own
        assertFalse(started.get("t2").getCount() == 0, "t2 started while t1, which also takes the key-file turn, ran");
        release.get("t1").countDown();
        List<FuzzResult> results = lines.await();
        assertEquals(List.of("t1", "t2", "a"), results.stream().map(FuzzResult::backend).toList(),
                "results in the columns' order, whichever finished first");
    }

    /**
     * The turn-takers run one after another whatever the lines do, so the line a turn-taker leaves starts the next one
     * before a column that takes no turn and comes first in the columns' order.
     */
    @Test
    void aLineThatEndsATurnTakerStartsTheNextTurnTakerBeforeAnyOtherColumn() throws Exception {
        holdUntilReleased("t1");
        holdUntilReleased("a");
        holdUntilReleased("t2");
        FuzzLines lines = start(List.of("t1", "a", "b", "t2"), 2);
        await(started, "t1");
        await(started, "a");
        release.get("t1").countDown();
        await(started, "t2"); // the line t1 left took t2, although b comes before it
        assertEquals(1, started.get("b").getCount(), "b started while t2 waited for a line");
        release.get("a").countDown();
        release.get("t2").countDown();
        assertEquals(List.of("t1", "a", "b", "t2"), lines.await().stream().map(FuzzResult::backend).toList());
    }

    @Test
    void neverMoreColumnsAtOnceThanLinesAndEachCampaignHasAContextOfItsOwnEndedAfterIt() throws Exception {
        holdUntilReleased("a");
        holdUntilReleased("b");
        FuzzLines lines = start(List.of("a", "b", "c"), 2);
        await(started, "a");
        await(started, "b");
        assertEquals(1, started.get("c").getCount(), "c started while both lines were busy");
        assertEquals(2, open.size(), "the two running campaigns' contexts are the open ones");
        release.get("a").countDown();
        release.get("b").countDown();
        assertEquals(List.of("a", "b", "c"), lines.await().stream().map(FuzzResult::backend).toList());
        assertEquals(3, Set.copyOf(contextOf.values()).size(), "one context per campaign");
        assertEquals(Set.copyOf(contextOf.values()), ended, "every campaign's context ended");
        assertTrue(open.isEmpty(), "no context left open: " + open);
        for (RunContext c : contextOf.values()) {
            assertFalse(c.runDir().toFile().exists(), "the reaper removed the campaign's run directory " + c.runDir());
        }
    }

    @Test
    void aStopLeavesTheColumnsNotStartedOutAndKeepsWhatFinished() throws Exception {
        FuzzLines lines = FuzzLines.start(List.of("a", "b", "c"), 1, TURN_TAKERS::contains, (column, context) -> {
            contextOf.put(column, context);
            if (column.equals("b")) {
                throw new Interruption.Stop();
            }
            return result(column);
        }, this::end, open);
        assertEquals(List.of("a"), lines.await().stream().map(FuzzResult::backend).toList());
        assertFalse(contextOf.containsKey("c"), "c started after the stop");
        assertEquals(Set.copyOf(contextOf.values()), ended);
    }

    @Test
    void aCampaignThatBrokeTheHarnessIsRethrownOnceTheOtherLinesEnded() throws Exception {
        IllegalStateException broke = new IllegalStateException("broken");
        holdUntilReleased("b");
        FuzzLines lines = FuzzLines.start(List.of("a", "b"), 2, TURN_TAKERS::contains, (column, context) -> {
            contextOf.put(column, context);
            if (column.equals("a")) {
                await(started, "b");
                release.get("b").countDown();
                throw broke;
            }
            return campaign(column);
        }, this::end, open);
        assertSame(broke, assertThrows(IllegalStateException.class, lines::await));
        assertEquals(Set.copyOf(contextOf.values()), ended, "b's context ended too before await gave up");
    }

    private FuzzLines start(List<String> columns, int lines) {
        for (String c : columns) {
            started.putIfAbsent(c, new CountDownLatch(1));
            done.putIfAbsent(c, new CountDownLatch(1));
        }
        return FuzzLines.start(columns, lines, TURN_TAKERS::contains, (column, context) -> {
            contextOf.put(column, context);
            return campaign(column);
        }, this::end, open);
    }

    private FuzzResult campaign(String column) throws InterruptedException {
        started.computeIfAbsent(column, c -> new CountDownLatch(1)).countDown();
        CountDownLatch hold = release.get(column);
        if (hold != null) {
            await(release, column);
        }
        done.computeIfAbsent(column, c -> new CountDownLatch(1)).countDown();
        return result(column);
    }

    private void holdUntilReleased(String column) {
        release.put(column, new CountDownLatch(1));
        started.put(column, new CountDownLatch(1));
    }

    private List<String> end(RunContext context) {
        assertTrue(open.contains(context), "the context is ended while it is still held open");
        ended.add(context);
        return context.end(() -> { });
    }

    private static void await(Map<String, CountDownLatch> latches, String column) throws InterruptedException {
        assertTrue(latches.get(column).await(60, TimeUnit.SECONDS), column + " never got there");
    }

    private static FuzzResult result(String column) {
        return new FuzzResult(column, 1, 0, 0, 0, 0, List.of(), List.of(), Path.of("unused"));
    }
}
