package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.shmconform.schedule.Steps.create;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.history.Execution;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.WorkerSpec;

/**
 * A Qt worker forked by its fork server (as a pool's are) and SIGKILLed by another hand inside its create, after its
 * semget and shmget and before its shmat: its set and its segment were seen by no reading while it lived. Its server
 * reaps it only when the engine asks, so until then its pid is its own, and the engine's look after its end records
 * both, which the reaper then removes. Real processes: strace is the other hand, injecting SIGKILL at the entry of the
 * first shmat of the schedule's workers (A's, in its create), and is detached as soon as one of them died. Without the
 * look before the reaping, both objects outlived the run (checked).
 */
class ForkedWorkerKilledInItsCreateTest {
    @Test
    void theSetAndSegmentOfAForkedWorkerKilledFromOutsideInItsCreateAreReaped() throws Exception {
        assumeTrue(ShmatKiller.available(), "no strace here to kill a worker inside its create");
        long started = System.currentTimeMillis() / 1000;
        List<Long> killed = new ArrayList<>();
        try (RunContext run = RunContext.create()) {
            ScheduleRunner runner = new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                    ScheduleRunner.Timing.defaults()).reusingWorkers().withoutSpares();
            Schedule s = new Schedule("qt", null, List.of(WorkerSpec.local("A", "qt"), WorkerSpec.local("B", "qt")),
                    List.of(Step.of("B", "sleep").ms(3000), create("A", "k", 64), Step.of("B", "sleep").ms(1000)));
            String why = runner.unavailableReason(s);
            assumeTrue(why == null, "qt: " + why);
            for (int attempt = 1; ; attempt++) {
                try (ShmatKiller killer = ShmatKiller.start(ForkedWorkerKilledInItsCreateTest::forkedWorkers, started)) {
                    Execution x = runner.run(s);
                    if (ShmatKiller.missed(x) && attempt < ShmatKiller.ATTEMPTS) {
                        continue; // strace attached after the create: nothing was killed, nothing to judge
                    }
                    ShmatKiller.Victim v = killer.victim();
                    assertTrue(v != null && !ShmatKiller.missed(x), "strace killed a forked worker in its shmat (attempt " + attempt
                            + "): " + x.problems() + x.history().toJsonLines());
                    killed.add(v.pid());
                    assertEquals(List.of("sem", "shm"), v.madeWhenItDied().stream().map(SysVObjects.Obj::kind).sorted().toList(),
                            "A had made its set and its segment when it died: " + v.madeWhenItDied());
                    assertEquals(1, x.problems().size(), x.problems().toString());
                    assertTrue(x.problems().get(0).startsWith(Execution.ENDED_FROM_OUTSIDE + "A ended during its create"), x.problems().toString());
                    assertEquals(List.of(), ShmatKiller.made(killed, started), "what A made before it was killed from outside outlived the schedule");
                    return;
                }
            }
        } finally {
            ShmatKiller.made(killed, started).forEach(SysVObjects::remove); // only what the killed worker made or operated last
        }
    }

    /** This JVM's forked Qt workers: children of its fork server. */
    private static List<ProcessHandle> forkedWorkers() {
        return ProcessHandle.current().children().filter(p -> p.info().command().orElse("").endsWith(QtReferenceWorker.BINARY_NAME))
                .flatMap(ProcessHandle::children).filter(ProcessHandle::isAlive).toList();
    }
}
