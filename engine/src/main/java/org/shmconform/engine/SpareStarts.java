package org.shmconform.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The {@link WorkerPool}'s replacement workers being started in the background (issue 13: "a killed
 * worker is replaced by a spare started in the background"), and how many it may start.
 *
 * <p>A spare is started only while the pool holds fewer workers of its key (idle, borrowed or starting)
 * than the last schedule that used the key had, plus {@link #RESERVE} (none for a runner that keeps no reserve, the
 * named suite's, and no spare at all after a schedule whose workers nothing borrows next: ScheduleRunner's
 * withoutReserve and withoutSpares): each is a JVM, and memory on a small machine is what a spare costs. The reserve
 * is there because a worker is often lost late in a schedule (a kill near its end): a spare started then is still
 * starting when the next schedule asks, and the reserve, started after an earlier loss, is ready instead. It is the
 * same command as any pooled worker; proving it clean is the pool's business.
 *
 * <p>Not thread-safe by itself: every method except {@link Spare#await} is called holding the pool's
 * monitor, which is what makes "claimed by a borrow" and "finished, hence parked" exclusive.
 */
final class SpareStarts {
    /** One spare start: claimed by a borrow that waits for it, or parked in the idle set when it finishes unclaimed. */
    static final class Spare {
        final WorkerPool.Key key;
        /** The column it is started for: the last one whose schedule said how many of its key it uses. */
        final String column;
        private final CompletableFuture<WorkerPool.Pooled> done = new CompletableFuture<>();
        /** A borrow (or a retirement) takes its result: the start does not park it. */
        boolean claimed;
        /** Its process exists and is in the pool's owned set, where it is counted from then on. */
        boolean registered;

        private Spare(WorkerPool.Key key, String column) {
            this.key = key;
            this.column = column;
        }

        /** Its worker once the start is over (hello'd, or not: the caller checks); null if the start failed. */
        WorkerPool.Pooled await() throws InterruptedException {
            try {
                return done.get();
            } catch (ExecutionException e) {
                return null; // never: finished() completes it normally
            }
        }

        boolean isDone() {
            return done.isDone();
        }

        WorkerPool.Pooled resultNow() {
            return done.getNow(null);
        }
    }

    /** Ready workers kept beyond what the last schedule used (see the class comment), unless its runner keeps none. */
    static final int RESERVE = 1;

    private final Map<WorkerPool.Key, Integer> demand = new HashMap<>();
    /** The column a spare of the key is started for: the last schedule's (a Java worker serves the others after a reset). */
    private final Map<WorkerPool.Key, String> columns = new HashMap<>();
    private final List<Spare> inFlight = new ArrayList<>();
    private final ExecutorService threads;

    SpareStarts(int parallel) {
        this.threads = Executors.newFixedThreadPool(parallel, r -> {
            Thread t = new Thread(r, "shmconform-pool-spare");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A schedule about to borrow {@code workers} workers of this key, {@code reserve} more kept ready ({@link #RESERVE}, or
     * 0): the cap on what the pool keeps of it; none is started for a key no schedule borrows.
     */
    void expect(WorkerPool.Key key, String column, int workers, int reserve) {
        demand.put(key, workers > 0 ? workers + reserve : 0);
        columns.put(key, column);
    }

    /** Keys whose campaign (or environment) is over: no spare of them is wanted any more. */
    void forget(Predicate<WorkerPool.Key> which) {
        demand.keySet().removeIf(which);
        columns.keySet().removeIf(which);
    }

    /** How many workers of the key the pool keeps by starting spares, as the last {@link #expect} said; 0 if none. */
    int demand(WorkerPool.Key key) {
        return demand.getOrDefault(key, 0);
    }

    /** Whether one more spare of the key is wanted, {@code owned} being the pool's live workers of the key. */
    boolean wanted(WorkerPool.Key key, long owned) {
        long starting = inFlight.stream().filter(s -> s.key.equals(key) && !s.registered).count();
        return owned + starting < demand.getOrDefault(key, 0);
    }

    /** Starts {@code work} on a spare thread (a JVM start is CPU-bound: as many threads as parallel starts). */
    Spare begin(WorkerPool.Key key, Consumer<Spare> work) {
        Spare s = new Spare(key, columns.get(key));
        inFlight.add(s);
        threads.execute(() -> work.accept(s));
        return s;
    }

    /** The oldest unclaimed spare of the key, now claimed; null if none is starting. */
    Spare claim(WorkerPool.Key key) {
        for (Spare s : inFlight) {
            if (!s.claimed && s.key.equals(key)) {
                s.claimed = true;
                return s;
            }
        }
        return null;
    }

    /** Every unclaimed spare whose key matches, now claimed (their columns are done, or the pool closes). */
    List<Spare> claimAll(Predicate<WorkerPool.Key> which) {
        List<Spare> taken = new ArrayList<>();
        for (Spare s : inFlight) {
            if (!s.claimed && which.test(s.key)) {
                s.claimed = true;
                taken.add(s);
            }
        }
        return taken;
    }

    /** The spares of a program still starting (for a test that must see them started). */
    List<Spare> starting(String program) {
        return inFlight.stream().filter(s -> s.key.program().equals(program)).toList();
    }

    /** The start is over; {@code worker} is null if it failed. */
    void finished(Spare s, WorkerPool.Pooled worker) {
        inFlight.remove(s);
        s.done.complete(worker);
    }

    /**
     * Interrupts the starts under way (each ends the process it made, see WorkerPool#start) and waits for
     * them; a start that never began made no process and is finished with none.
     *
     * @return whether every spare thread ended in time
     */
    boolean stop(Duration wait) throws InterruptedException {
        threads.shutdownNow();
        return threads.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** After {@link #stop}: the spares whose start never ran, finished with no worker so no one waits for them. */
    void abandonUnstarted() {
        for (Spare s : new ArrayList<>(inFlight)) {
            finished(s, null);
        }
    }
}
