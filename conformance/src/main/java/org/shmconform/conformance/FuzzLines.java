package org.shmconform.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.shmconform.engine.RunContext;
import org.shmconform.fuzz.FuzzResult;

/**
 * The fuzz section of a run: the columns' campaigns in {@code lines} threads side by side, each campaign in a
 * {@link RunContext} of its own. One context per campaign because the reaper after a schedule removes the System V
 * objects its run's ledger recorded, so two columns' schedules must not share one
 * ({@code ScheduleRunner.mayRunSideBySide}); three campaigns at once in three processes is how the 300 s rounds of
 * issue 13 ran. A column whose schedules take the machine-wide key-file turn ({@code KeyFileTurns}) starts only when no
 * other such column runs: two of them would only wait for each other's turns, while a line with a column that takes no
 * turn runs beside it; a free line starts the next such column before any other ({@link #next}). A campaign's results
 * come back in the columns' order, whichever line ran it.
 */
final class FuzzLines implements AutoCloseable {

    /** One column's campaign in the context it was given; the line ends the context after it. */
    interface Campaign {
        FuzzResult run(String column, RunContext context) throws InterruptedException;
    }

    private final List<String> columns;
    private final List<String> waiting;
    private final Set<String> takingTurns;
    private final Campaign campaign;
    private final Function<RunContext, List<String>> end;
    private final Map<String, FuzzResult> results = new LinkedHashMap<>();
    private final List<String> reaped = new ArrayList<>();
    private final Set<RunContext> open;
    private final List<Thread> threads = new ArrayList<>();
    private boolean turnTakerRunning;
    private boolean stopped;
    private Throwable broke;

    private FuzzLines(List<String> columns, Predicate<String> takesTurns, Campaign campaign,
                      Function<RunContext, List<String>> end, Set<RunContext> open) {
        this.columns = List.copyOf(columns);
        this.open = open;
        this.waiting = new ArrayList<>(columns);
        this.takingTurns = columns.stream().filter(takesTurns).collect(Collectors.toUnmodifiableSet());
        this.campaign = campaign;
        this.end = end;
    }

    /**
     * Starts the lines; {@link #await} collects them.
     *
     * @param end  ends a campaign's context (keeping what the caller keeps of it, such as logs), and says what its reaper
     *             removed
     * @param open holds each campaign's context while it is open, for a last resort that ends them (an interrupted run
     *             that did not stop in time)
     */
    static FuzzLines start(List<String> columns, int lines, Predicate<String> takesTurns, Campaign campaign,
                           Function<RunContext, List<String>> end, Set<RunContext> open) {
        if (lines < 1) {
            throw new IllegalArgumentException("lines must be at least 1: " + lines);
        }
        FuzzLines f = new FuzzLines(columns, takesTurns, campaign, end, open);
        for (int i = 0; i < Math.min(lines, columns.size()); i++) {
            Thread t = new Thread(f::line, "shmconform-fuzz-line-" + (i + 1));
            f.threads.add(t);
            t.start();
        }
        return f;
    }

    /**
     * Waits for every line. A campaign left by {@link Interruption.Stop} (a stop asked for) keeps the other lines from
     * starting another column; anything else a line threw is rethrown as it was, once all ended.
     *
     * @return each finished column's result, in the columns' order (those a stop cut short or left out are missing)
     */
    List<FuzzResult> await() throws InterruptedException {
        for (Thread t : threads) {
            t.join();
        }
        synchronized (this) {
            LaneFailure.rethrow(broke);
            return columns.stream().filter(results::containsKey).map(results::get).toList();
        }
    }

    /** What the reapers of the campaigns' contexts removed when they ended. */
    synchronized List<String> reaped() {
        return List.copyOf(reaped);
    }

    /** Stops the lines before their next column and waits for them. */
    @Override
    public void close() throws InterruptedException {
        synchronized (this) {
            waiting.clear();
            notifyAll();
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    private void line() {
        try {
            String column;
            while ((column = next()) != null) {
                try {
                    FuzzResult r = runInItsOwnContext(column);
                    synchronized (this) {
                        results.put(column, r);
                    }
                } finally {
                    ended(column);
                }
            }
        } catch (Interruption.Stop e) {
            stop(null);
        } catch (RuntimeException | Error | InterruptedException e) {
            stop(e);
        }
    }

    private FuzzResult runInItsOwnContext(String column) throws InterruptedException {
        RunContext context = RunContext.create();
        open.add(context);
        try {
            return campaign.run(column, context);
        } finally {
            List<String> removed = end.apply(context);
            open.remove(context);
            synchronized (this) {
                reaped.addAll(removed);
            }
        }
    }

    /**
     * The column this line starts now, waiting while only turn-takers wait and one runs; null at the end. The first waiting
     * turn-taker when none runs, else the first waiting column that takes no turn: the turn-takers run one after another
     * whatever the lines do, so their chain is the section's shortest possible length, and a line that ends a turn-taker's
     * campaign and starts a column that takes no turn before the next turn-taker makes the chain, and the section, longer
     * (the default run's fuzz section: docs/fuzz-notes.md, "Suite lanes").
     */
    private synchronized String next() throws InterruptedException {
        while (!stopped && broke == null && !waiting.isEmpty()) {
            String column = turnTakerRunning ? null : waiting.stream().filter(takingTurns::contains).findFirst().orElse(null);
            if (column == null) {
                column = waiting.stream().filter(c -> !takingTurns.contains(c)).findFirst().orElse(null);
            }
            if (column != null) {
                waiting.remove(column);
                turnTakerRunning |= takingTurns.contains(column);
                return column;
            }
            wait();
        }
        return null;
    }

    private synchronized void ended(String column) {
        if (takingTurns.contains(column)) {
            turnTakerRunning = false;
        }
        notifyAll();
    }

    private synchronized void stop(Throwable failure) {
        stopped = true;
        if (failure != null && broke == null) {
            broke = failure;
        }
        notifyAll();
    }
}
