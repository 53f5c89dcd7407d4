package org.shmconform.fuzz;

import java.util.List;
import org.shmconform.schedule.ScheduleValidation;
import org.shmconform.engine.Subjects;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.spi.BackendSemantics;
import org.shmconform.spi.BackendSemantics.LockOnHolderDeath;
import org.shmconform.spi.BackendSemantics.Resize;
import org.shmconform.spi.BackendSemantics.Visibility;

/** The generator's promises, checked on many seeds without running anything. */
class ScheduleGeneratorTest {
    private static final BackendSemantics SYSV = new BackendSemantics("qt-sysv", true, true, LockOnHolderDeath.RELEASED,
            Resize.NOT_RESIZABLE, Visibility.IPC_NAMESPACE);

    @Test
    void sameSeedSameSchedule() {
        ScheduleGenerator g = new ScheduleGenerator("sysv", SYSV, 3, 20);
        assertEquals(g.generate(42), g.generate(42));
        assertNotEquals(g.generate(42).steps(), g.generate(43).steps());
    }

    @Test
    void savedScheduleLoadsEqual(@TempDir Path dir) throws Exception {
        for (long seed = 1; seed <= 20; seed++) {
            Schedule s = new ScheduleGenerator("sysv", SYSV, 3, 20).generate(seed);
            Path f = dir.resolve(seed + ".json");
            s.save(f);
            assertEquals(s, Schedule.load(f, Subjects.here().vocabulary()), Files.readString(f));
        }
    }

    @Test
    void keysAreFixedKilledWorkersStopAndOnlyLocksAreAsync() {
        Map<String, Integer> ops = new HashMap<>();
        for (long seed = 1; seed <= 300; seed++) {
            Schedule s = new ScheduleGenerator("sysv", SYSV, 2 + (int) (seed % 3), 16).generate(seed);
            Map<String, String> key = new HashMap<>();
            Set<String> killed = new HashSet<>();
            for (Step step : s.steps()) {
                assertFalse(killed.contains(step.worker()), "a killed worker acts again: " + s);
                if (step.key() != null) {
                    assertEquals(key.computeIfAbsent(step.worker(), w -> step.key()), step.key(), "re-keyed: " + s);
                }
                if (step.noWait()) {
                    assertEquals("lock", step.op());
                }
                if ("kill".equals(step.op())) {
                    killed.add(step.worker());
                }
                assertFalse(step.op().equals("rawWrite") || step.op().equals("truncate"));
                ops.merge(step.op() + (step.noWait() ? "-async" : ""), 1, Integer::sum);
            }
        }
        // Every kind of step shows up in a few hundred schedules: the blocking lock and kills included.
        for (String op : new String[] {"create", "attach", "detach", "lock", "lock-async", "unlock", "read", "write", "kill",
                "size"}) {
            assertTrue(ops.getOrDefault(op, 0) > 20, op + " too rare: " + ops);
        }
    }

    @Test
    void generatedSchedulesAreValid() {
        BackendSemantics sysv = new BackendSemantics("qt-sysv", true, true, BackendSemantics.LockOnHolderDeath.RELEASED,
                BackendSemantics.Resize.NOT_RESIZABLE, BackendSemantics.Visibility.IPC_NAMESPACE);
        for (long seed = 1; seed <= 300; seed++) {
            Schedule s = new ScheduleGenerator("sysv", sysv, 2 + (int) (seed % 3), 24).generate(seed);
            assertEquals(List.of(), ScheduleValidation.problems(s, Set.of("sysv"), Set.of("local")), s.toString());
        }
    }
}
