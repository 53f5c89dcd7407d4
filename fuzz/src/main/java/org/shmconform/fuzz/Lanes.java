package org.shmconform.fuzz;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.shmconform.engine.Trial;
import org.shmconform.schedule.Schedule;

/**
 * A campaign's schedules, run side by side in {@code lanes} threads, taken back in the order they were given. Each
 * schedule is still a real execution of its own (its workers, its execution prefix, its reaper's pass); lanes only
 * overlap them in time. One lane runs each schedule on the caller's thread when its result is taken, as a campaign
 * did before lanes.
 */
final class Lanes implements AutoCloseable {
    /** A schedule to run, with what the campaign needs to know of it when it is judged. */
    record Job(long seed, boolean mutant, Tape tape, Schedule schedule) {
    }

    /** A job's trial, with when it ran ({@link System#nanoTime}). */
    record Done(Job job, Trial trial, long startNanos, long endNanos) {
    }

    /** Runs one schedule (the engine and the checker). */
    interface Runner {
        Trial run(Schedule schedule) throws InterruptedException;
    }

    private final int lanes;
    private final Runner runner;
    private final ExecutorService threads;
    private final Deque<Job> waiting = new ArrayDeque<>();
    private final Deque<Future<Done>> running = new ArrayDeque<>();

    Lanes(int lanes, Runner runner) {
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes must be at least 1: " + lanes);
        }
        this.lanes = lanes;
        this.runner = runner;
        this.threads = lanes == 1 ? null : Executors.newFixedThreadPool(lanes, r -> {
            Thread t = new Thread(r, "shmconform-fuzz-lane");
            t.setDaemon(true);
            return t;
        });
    }

    /** Whether a lane is free for one more schedule. */
    boolean hasRoom() {
        return waiting.size() + running.size() < lanes;
    }

    void submit(Job job) {
        if (!hasRoom()) {
            throw new IllegalStateException("every lane is busy");
        }
        if (threads == null) {
            waiting.add(job);
        } else {
            running.add(threads.submit(() -> run(job)));
        }
    }

    /** The oldest schedule given, once it has run; null when none is left. A trial that threw rethrows here. */
    Done takeOldest() throws InterruptedException {
        if (threads == null) {
            Job job = waiting.poll();
            return job == null ? null : run(job);
        }
        Future<Done> oldest = running.poll();
        if (oldest == null) {
            return null;
        }
        try {
            return oldest.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof InterruptedException ie) {
                throw ie;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private Done run(Job job) throws InterruptedException {
        long start = System.nanoTime();
        Trial trial = runner.run(job.schedule());
        return new Done(job, trial, start, System.nanoTime());
    }

    /**
     * Waits for the schedules still running (a campaign that broke or was stopped leaves none behind: each one's own
     * end gives back or reaps its workers); interrupted, it interrupts them and still waits for their ends.
     */
    @Override
    public void close() throws InterruptedException {
        waiting.clear();
        if (threads == null) {
            return;
        }
        threads.shutdown();
        boolean interrupted = false;
        for (Future<Done> f : running) {
            try {
                f.get();
            } catch (ExecutionException e) {
                // its campaign is ending already; the trial's own end reaped what it made
            } catch (InterruptedException e) {
                interrupted = true;
                threads.shutdownNow();
                break;
            }
        }
        running.clear();
        while (!threads.awaitTermination(1, TimeUnit.MINUTES)) {
            threads.shutdownNow();
        }
        if (interrupted) {
            throw new InterruptedException("stopped while the fuzz campaign's lanes ended");
        }
    }
}
