package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.shmconform.schedule.Steps.attach;
import static org.shmconform.schedule.Steps.create;
import static org.shmconform.schedule.Steps.kill;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.history.Execution;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.WorkerSpec;

/**
 * A worker killed between its semget and its SETVAL (Qt's QSystemSemaphore) leaves a set nobody operated, keyed by a key
 * file a peer may unlink before the schedule ends: seen once in this session's qt fuzz campaigns (a set of value 0,
 * last operator 0, left after the run). Real processes on {@link SemgetOnlyBackend}: A's create makes such a set and
 * waits on it, A is killed, B's attach unlinks the key file. The kill's look at the key files, while A is stopped,
 * records the set in the run's ledger; the reaper after the schedule removes it from there, the one way it removes a System
 * V object (no backend's removeLeftovers takes one through a key file). Fails without that look (checked).
 */
class SemgetOnlyKillTest {
    @Test
    void aSetMadeBySemgetAloneByAKilledWorkerIsReapedAfterItsKeyFileWent() throws Exception {
        long started = System.currentTimeMillis() / 1000;
        List<Integer> made = new ArrayList<>();
        try (RunContext run = RunContext.create()) {
            ScheduleRunner runner = new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                    ScheduleRunner.Timing.defaults());
            String column = SemgetOnlyBackend.NAME;
            Schedule s = new Schedule(column, null, List.of(WorkerSpec.local("A", column), WorkerSpec.local("B", column)),
                    List.of(create("A", "k", 64).async(), kill("A"), attach("B", "k")));
            assertNull(runner.unavailableReason(s));
            Execution x = runner.run(s);
            for (Path tmp : run.workerTmps()) {
                try (Stream<Path> files = Files.list(tmp)) {
                    files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(SemgetOnlyBackend.MADE))
                            .forEach(n -> made.add(Integer.parseInt(n.substring(SemgetOnlyBackend.MADE.length()))));
                }
            }
            assertEquals(List.of(), x.problems(), "every step ran");
            assertEquals(1, made.size(), "A made its set: " + made);
            assertEquals(List.of(), left(made, started), "the set A made by semget alone outlived the schedule");
        } finally {
            left(made, started).forEach(set -> SysVObjects.remove(set.obj())); // only the set A said it made, still as made
        }
    }

    /** Of the sets with these ids, those still there as made: one semaphore, since {@code since}, never operated. */
    private static List<SysVObjects.SemSet> left(List<Integer> ids, long since) {
        return SysVObjects.semaphoreSets().stream().filter(set -> ids.contains(set.id()) && set.nsems() == 1 && set.ctime() >= since
                && SysVObjects.lastOperator(set.id()) == 0).toList();
    }
}
