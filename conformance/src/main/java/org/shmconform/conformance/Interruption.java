package org.shmconform.conformance;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import sun.misc.Signal;

/**
 * SIGINT and SIGTERM during a run: a shutdown hook tells the main flow to stop (it stops between two
 * scenario runs, or between two generated schedules), then waits, bounded, while the main flow cleans
 * up (workers killed, environments closed, the run directory reaped) and writes the report of what
 * finished. Only if the main flow does not finish in time does the hook reap the run itself. The
 * JVM then exits with 128 + the signal's number (130, 143), as a shell expects of a killed command.
 * {@link ConformanceRun} installs it for {@code shmconform run}; {@code shmconform fuzz} installs its own.
 */
public final class Interruption {
    /** Long enough for the scenario run in progress to end by its own deadlines, and the report to be written. */
    public static final Duration BOUND = Duration.ofSeconds(Long.getLong("shmconform.interrupt.seconds", 90));

    /** Thrown out of a progress callback to leave the suite or the fuzzer when a stop was asked for. */
    public static final class Stop extends RuntimeException {
        Stop() {
            super("interrupted", null, false, false);
        }
    }

    private final Runnable fallbackCleanUp;
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicReference<String> signal = new AtomicReference<>();
    private volatile boolean requested;
    private final Thread hook = new Thread(this::onShutdown, "shmconform-interrupt");

    private Interruption(Runnable fallbackCleanUp) {
        this.fallbackCleanUp = fallbackCleanUp;
    }

    /** From now on a SIGINT or SIGTERM asks the run to stop; {@code fallbackCleanUp} reaps if it does not stop in time. */
    public static Interruption install(Runnable fallbackCleanUp) {
        Interruption i = new Interruption(fallbackCleanUp);
        for (String name : new String[] {"INT", "TERM"}) {
            i.recordSignal(name);
        }
        Runtime.getRuntime().addShutdownHook(i.hook);
        return i;
    }

    /** Notes which signal came, then lets the JVM's own handler start the shutdown (and give the exit status). */
    private void recordSignal(String name) {
        try {
            Signal sig = new Signal(name);
            AtomicReference<sun.misc.SignalHandler> previous = new AtomicReference<>();
            previous.set(Signal.handle(sig, s -> {
                signal.compareAndSet(null, "SIG" + s.getName());
                requested = true;
                previous.get().handle(s);
            }));
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // -Xrs or a platform without it: the shutdown hook still stops the run, only the signal's name is unknown
        }
    }

    public boolean requested() {
        return requested;
    }

    /** Leaves the current loop when a stop was asked for. */
    public void check() {
        if (requested) {
            throw new Stop();
        }
    }

    /** "SIGINT", "SIGTERM", or "a signal" when it could not be told. */
    public String signalName() {
        String s = signal.get();
        return s != null ? s : "a signal";
    }

    /** The main flow has cleaned up and written (or given up writing) its report: the hook may let the JVM go. */
    public void finished() {
        done.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is running and waits for the count-down above
        }
    }

    private void onShutdown() {
        requested = true;
        try {
            if (!done.await(BOUND.toSeconds(), TimeUnit.SECONDS)) {
                fallbackCleanUp.run();
                System.err.println("shmconform: interrupted by " + signalName() + "; the run did not stop within "
                        + BOUND.toSeconds() + " s, so it was reaped without a report");
            }
        } catch (InterruptedException e) {
            fallbackCleanUp.run();
        } finally {
            System.out.flush();
            System.err.flush();
        }
    }
}
