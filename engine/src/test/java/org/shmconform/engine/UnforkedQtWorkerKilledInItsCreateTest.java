package org.shmconform.engine;

import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.shmconform.schedule.Steps.create;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.engine.state.PrivateDirectory;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.WorkerSpec;

/**
 * A Qt worker that no fork server forked, SIGKILLed by another hand inside its create, after its semget and shmget and
 * before its shmat (strace injects the SIGKILL, as in {@link ForkedWorkerKilledInItsCreateTest}): one the schedule
 * started itself ("own": no pool, so it is exec'd, arming its own parent-death signal), and one of another user
 * ("nobody": a pool's, but a fork server forks only the harness's user's workers, so it is exec'd through setpriv's user
 * switch); on qt (Qt 6.4) and on qt68-sysv, whose compiled launcher arms its own parent-death signal too and switches
 * to another user itself (--userspec). None was held before ({@code PidHold}): their set and segment outlived the
 * schedule (checked: this test failed so).
 */
class UnforkedQtWorkerKilledInItsCreateTest {
    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource({"qt, own", "qt, nobody", "qt68-sysv, own", "qt68-sysv, nobody"})
    void theSetAndSegmentOfAnUnforkedQtWorkerKilledFromOutsideInItsCreateAreReaped(String column, String who) throws Exception {
        assumeTrue(ShmatKiller.available(), "no strace here to kill a worker inside its create");
        String user = who.equals("own") ? null : who;
        assumeTrue(user == null || PrivateDirectory.myUid() == 0, "a worker as nobody needs root");
        long started = System.currentTimeMillis() / 1000;
        List<Long> killed = new ArrayList<>();
        try (RunContext run = RunContext.create()) {
            ScheduleRunner runner = new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                    ScheduleRunner.Timing.defaults());
            if (user != null) {
                runner = runner.reusingWorkers().withoutSpares();
            }
            // nobody's workers: a TMPDIR of their own, which they may write (the run's is root's).
            // B's first sleep gives strace the time to attach to both workers before A's create, on a loaded machine too
            // (with 3 s, one run of five saw A's create done before strace was attached).
            List<WorkerSpec> workers = List.of(new WorkerSpec("A", column, LocalEnvironment.NAME, "g", user).withTmpdir(user == null ? null : "n"),
                    new WorkerSpec("B", column, LocalEnvironment.NAME, "g", user).withTmpdir(user == null ? null : "n"));
            Schedule s = new Schedule(column, null, workers,
                    List.of(Step.of("B", "sleep").ms(6000), create("A", "k", 64), Step.of("B", "sleep").ms(1000)));
            String why = runner.unavailableReason(s);
            assumeTrue(why == null, column + ": " + why);
            ShmatKiller.assertKilledInItsCreateAndReaped(runner, s, UnforkedQtWorkerKilledInItsCreateTest::qtWorkers, started, killed);
        } finally {
            ShmatKiller.made(killed, started).forEach(SysVObjects::remove); // only what the killed worker made or operated last
        }
    }

    /** This JVM's Qt workers: its children, exec'd in place through any wrapper. */
    private static List<ProcessHandle> qtWorkers() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().orElse("").endsWith(QtReferenceWorker.BINARY_NAME)).toList();
    }
}
