package org.shmconform.engine;

import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.shmconform.schedule.Steps.create;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.engine.env.LocalEnvironment;
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
                    // 6 s for strace to attach first, as UnforkedQtWorkerKilledInItsCreateTest gives it (3 s were short there).
                    List.of(Step.of("B", "sleep").ms(6000), create("A", "k", 64), Step.of("B", "sleep").ms(1000)));
            String why = runner.unavailableReason(s);
            assumeTrue(why == null, "qt: " + why);
            ShmatKiller.assertKilledInItsCreateAndReaped(runner, s, ForkedWorkerKilledInItsCreateTest::forkedWorkers, started, killed);
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
