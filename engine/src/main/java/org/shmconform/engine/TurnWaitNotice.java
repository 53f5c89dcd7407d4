package org.shmconform.engine;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.shmconform.backends.host.OfdLockFile;
import org.shmconform.backends.host.OfdLockHolders;

/**
 * What a harness that waits for the System V key-file turn ({@link KeyFileTurns}) says, so that a run which stands still
 * tells why: once after {@code firstAfterMillis}, then every {@code everyMillis}, naming the turn's file and the process
 * that holds it. The wait itself has no bound: the holder is another run's schedule, which gives the turn back when its
 * objects are removed, or dies and so gives it back (the kernel drops an open-file-description lock with its holder).
 * Measured in a verify beside a run: NamedSuiteIT stood 5 minutes without a word behind a test that held the turn in one
 * thread while its trial waited for it in another; the holder named here as this very process tells that case apart.
 */
final class TurnWaitNotice implements OfdLockFile.Waiting {
    private final Path file;
    private final long firstAfterMillis;
    private final long everyMillis;
    private final PrintStream out;
    private long nextAtMillis;

    TurnWaitNotice(Path file, long firstAfterMillis, long everyMillis, PrintStream out) {
        this.file = file;
        this.firstAfterMillis = firstAfterMillis;
        this.everyMillis = everyMillis;
        this.out = out;
        this.nextAtMillis = firstAfterMillis;
    }

    @Override
    public void waited(long millis) {
        if (millis < nextAtMillis) {
            return;
        }
        boolean first = nextAtMillis == firstAfterMillis;
        String line = first
                ? "shmconform: waiting " + (millis / 1000) + " s so far for the System V key-file turn (" + file + "), held by "
                + holders() + ": runs and tests on this machine whose semaphore sets are keyed by key files take turns, so"
                + " that one's key file cannot reach another's set; it comes when that schedule's objects are removed or its"
                + " holder ends"
                : "shmconform: still waiting for the System V key-file turn, " + (millis / 1000) + " s so far, held by " + holders();
        out.println(line);
        out.flush();
        nextAtMillis = millis + everyMillis;
    }

    private String holders() {
        List<OfdLockHolders.Holder> found = OfdLockHolders.of(file);
        if (found.isEmpty()) {
            return "a process this one cannot see (another pid namespace, or it ended just now)";
        }
        long self = ProcessHandle.current().pid();
        return found.stream()
                .map(h -> h.pid() == self ? "this very process (pid " + self + ", another thread of it)" : h.describe())
                .collect(Collectors.joining(" and "));
    }
}
