package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.shmconform.schedule.Steps.attach;
import static org.shmconform.schedule.Steps.create;
import static org.shmconform.schedule.Steps.detach;
import static org.shmconform.schedule.Steps.lock;
import static org.shmconform.schedule.Steps.unlock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.shmconform.backends.host.KernelWait;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScheduleChecker;
import org.shmconform.checker.Verdict;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.history.Execution;
import org.shmconform.history.HistoryEvent;
import org.shmconform.model.Property;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.WorkerSpec;

/**
 * A worker ended by another hand than the engine's (here the test's SIGKILL, as the OOM killer or a stopped container
 * would) is no crash for the model to judge: the execution says so, and no verdict stands on it, a FAIL included. Real
 * Java sysv workers; the test finds its victim through the kernel, not through a clock: the worker whose lock the kernel
 * shows asleep in semop, or the creator of the segment once the other worker has attached it.
 */
class WorkerEndedFromOutsideTest {
    @RegisterExtension
    static final OneRunPerClass RUN = new OneRunPerClass();

    @Test
    void aWorkerKilledFromOutsideDuringItsLockIsNoCrashAndNoVerdictStands() throws Exception {
        KernelWait kernel = KernelWait.forThisMachine();
        assumeTrue(kernel != null, KernelWait.unsupportedReason());
        // A waits in semop behind B, which sleeps: the test kills A there. Judged as A's crash, its lock was a FAIL of
        // LOCK-EXCLUSIVE ("A acquired the lock while B held it") before the engine read the signal.
        CompletableFuture<Long> killed = killWhenFound(() -> workers().stream()
                .filter(pid -> kernel.anyThread(pid).blockedInLockWait()).findFirst());
        Execution x = execute(create("B", "k", 64), attach("A", "k"), lock("B"), lock("A").async(),
                Step.of("B", "sleep").ms(10_000), unlock("B"), detach("B"));
        assertTrue(killed.isDone() && killed.get() > 0, "the test found and killed A in its lock wait: " + x.problems() + x.notes() + x.history().toJsonLines());
        HistoryEvent end = x.history().events().stream().filter(e -> e.process().equals("A") && e.f().equals("lock")
                && e.type() == org.shmconform.history.EventType.info).findFirst().orElseThrow();
        assertEquals("ended from outside", end.note(), x.history().toJsonLines());
        assertEquals(List.of(Execution.ENDED_FROM_OUTSIDE + "A ended during its lock with signal 9 (SIGKILL)"
                + " (an OOM kill, a container stopped under it, an operator's signal?)"), x.problems());
        verdicts(x, Property.LOCK_EXCLUSIVE).forEach(r -> assertEquals(Verdict.UNKNOWN, r.verdict(), r.toString()));
    }

    @Test
    void aWorkerKilledFromOutsideBetweenItsStepsMakesWhatTheOthersSawAfterUnknown() throws Exception {
        // A holds the lock and has no step left; once the kernel shows B waiting for it, the test kills A while C sleeps:
        // the kernel undoes A's hold, so B's lock is granted with no unlock of A's in the history, which the model alone
        // would call a FAIL (it did, LOCK-EXCLUSIVE "B acquired the lock while A held it", before the engine looked for
        // such deaths).
        KernelWait kernel = KernelWait.forThisMachine();
        assumeTrue(kernel != null, KernelWait.unsupportedReason());
        CompletableFuture<Long> killed = killWhenFound(() -> workers().stream().anyMatch(pid -> kernel.anyThread(pid)
                .blockedInLockWait()) ? creator() : java.util.Optional.empty());
        Execution x = execute(create("A", "k", 64), attach("B", "k"), lock("A"), lock("B").async(),
                Step.of("C", "sleep").ms(10_000), unlock("B"), detach("B"));
        assertTrue(killed.isDone() && killed.get() > 0, "the test found and killed A: " + x.problems() + x.notes() + x.history().toJsonLines());
        assertEquals(1, x.problems().size(), x.problems().toString());
        assertTrue(x.problems().get(0).startsWith(Execution.ENDED_FROM_OUTSIDE + "A ended between its steps with signal 9"),
                x.problems().toString());
        assertTrue(x.metAnOutsideHand());
        List<PropertyResult> results = verdicts(x, Property.LOCK_EXCLUSIVE);
        assertFalse(results.isEmpty());
        results.forEach(r -> assertEquals(Verdict.UNKNOWN, r.verdict(), r.toString()));
    }

    @Test
    void aWorkerThatCrashesBetweenItsStepsDiesInTheHistoryAndThePeerItLetThroughIsNoFailure() throws Exception {
        // As above, but A ends by a fault's signal (SIGSEGV: its JVM's crash banner, then abort), which is A's own crash
        // and no problem. With no event of its death in the history, the model kept A alive, holding the lock: B's lock,
        // granted on the kernel's undo of A's hold, was a FAIL of LOCK-EXCLUSIVE ("B acquired the lock while A held it").
        KernelWait kernel = KernelWait.forThisMachine();
        assumeTrue(kernel != null, KernelWait.unsupportedReason());
        CompletableFuture<Long> crashed = signalWhenFound("SEGV", () -> workers().stream().anyMatch(pid -> kernel.anyThread(pid)
                .blockedInLockWait()) ? creator() : java.util.Optional.empty());
        Execution x = execute(create("A", "k", 64), attach("B", "k"), lock("A"), lock("B").async(),
                Step.of("C", "sleep").ms(10_000), unlock("B"), detach("B"));
        assertTrue(crashed.isDone() && crashed.get() > 0, "the test found A and sent it SIGSEGV: " + x.problems() + x.notes() + x.history().toJsonLines());
        assertEquals(List.of(), x.problems(), x.history().toJsonLines());
        HistoryEvent death = x.history().events().stream().filter(e -> org.shmconform.history.Nemesis.is(e.process())
                && e.type() == org.shmconform.history.EventType.ok && "A".equals(e.value())).findFirst().orElseThrow();
        assertEquals("crashed between its steps", death.note(), x.history().toJsonLines());
        List<PropertyResult> results = verdicts(x, Property.LOCK_EXCLUSIVE);
        assertFalse(results.isEmpty());
        results.forEach(r -> assertTrue(r.verdict() == Verdict.PASS || r.verdict() == Verdict.DEVIATES, r + "\n" + x.history().toJsonLines()));
    }

    @Test
    void onlyAFaultsSignalIsTheWorkersOwnCrash() {
        assertTrue(WorkerDeath.byAFault(128 + 11, null), "SIGSEGV: a store into a read-only mapping");
        assertTrue(WorkerDeath.byAFault(128 + 7, null), "SIGBUS: past a truncated end");
        assertTrue(WorkerDeath.byAFault(128 + 6, "SIGSEGV"), "a JVM aborts after its crash banner");
        assertFalse(WorkerDeath.byAFault(128 + 9, null), "SIGKILL: the OOM killer, a stopped container");
        assertFalse(WorkerDeath.byAFault(128 + 15, null));
        assertFalse(WorkerDeath.byAFault(1, null));
        assertFalse(WorkerDeath.byAFault(-1, null), "a status nobody could tell");
        assertFalse(WorkerDeath.byAFault(null, null));
        assertEquals("signal 9 (SIGKILL)", WorkerDeath.describe(137));
        assertEquals("a status nobody could tell", WorkerDeath.describe(-1));
    }

    private static Execution execute(Step... steps) throws InterruptedException {
        ScheduleRunner runner = new ScheduleRunner(RUN.context(), Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                ScheduleRunner.Timing.defaults());
        Schedule s = new Schedule("ended-from-outside", null, List.of(WorkerSpec.local("A", "sysv"), WorkerSpec.local("B", "sysv"),
                WorkerSpec.local("C", "sysv")), Arrays.asList(steps));
        assertEquals(null, runner.unavailableReason(s), "sysv workers cannot run here");
        return runner.run(s);
    }

    private static List<PropertyResult> verdicts(Execution x, Property... properties) {
        return ScheduleChecker.check(x, "sysv", List.of(properties), Subjects.here()).results();
    }

    /** Polls for the victim (a worker of this JVM's) and SIGKILLs it once found; its pid, or -1 if none was found in time. */
    private static CompletableFuture<Long> killWhenFound(Supplier<java.util.Optional<Long>> victim) {
        return signalWhenFound("KILL", victim);
    }

    /** Polls for the victim and sends it {@code signal} once found; its pid, or -1 if none was found in time. */
    private static CompletableFuture<Long> signalWhenFound(String signal, Supplier<java.util.Optional<Long>> victim) {
        return CompletableFuture.supplyAsync(() -> {
            long deadline = System.nanoTime() + 60_000_000_000L; // a bound on the search only: the schedule waits in sleep
            while (System.nanoTime() < deadline) {
                java.util.Optional<Long> pid = victim.get();
                if (pid.isPresent()) {
                    try {
                        new ProcessBuilder("kill", "-" + signal, Long.toString(pid.get())).inheritIO().start().waitFor();
                    } catch (IOException e) {
                        return -1L;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return -1L;
                    }
                    return pid.get();
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return -1L;
                }
            }
            return -1L;
        });
    }

    /** This JVM's live worker processes (Java workers exec'd through setpriv). */
    private static Set<Long> workers() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains("WorkerMain") || c.contains("worker")).orElse(false))
                .map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    /** The worker of this JVM's that created a System V segment, if any. */
    private static java.util.Optional<Long> creator() {
        Set<Long> ours = workers();
        try {
            // key shmid perms size cpid lpid ...
            for (String line : Files.readAllLines(Path.of("/proc/sysvipc/shm")).stream().skip(1).toList()) {
                String[] f = line.trim().split("\\s+");
                long cpid = Long.parseLong(f[4]);
                if (ours.contains(cpid)) {
                    return java.util.Optional.of(cpid);
                }
            }
        } catch (IOException e) {
            // not readable yet: looked at again
        }
        return java.util.Optional.empty();
    }
}
