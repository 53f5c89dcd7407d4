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
    void killedWorkersStopAndOnlyOpsThatMayWaitOnALockAreAsync() {
        Map<String, Integer> ops = new HashMap<>();
        for (long seed = 1; seed <= 300; seed++) {
            Schedule s = new ScheduleGenerator("sysv", SYSV, 2 + (int) (seed % 3), 16).generate(seed);
            Set<String> killed = new HashSet<>();
            for (Step step : s.steps()) {
                assertFalse(killed.contains(step.worker()), "a killed worker acts again: " + s);
                if (step.noWait()) {
                    assertTrue(Set.of("lock", "create", "attach", "detach").contains(step.op()), step + " in " + s);
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
                "size", "create-async", "attach-async", "detach-async"}) {
            assertTrue(ops.getOrDefault(op, 0) > 20, op + " too rare: " + ops);
        }
    }

    /** The states lock bugs live in are reached: the generator's reach, counted by situation. */
    @Test
    void everyOperationIsIssuedInTheStatesLockBugsLiveIn() {
        Map<String, Integer> seen = new HashMap<>();
        for (long seed = 1; seed <= 400; seed++) {
            Schedule s = new ScheduleGenerator("sysv", SYSV, 2 + (int) (seed % 3), 20).generate(seed);
            Map<String, String> heldBy = new HashMap<>(); // worker -> "holds" / "waits" (as issued, not as run)
            Set<String> keys = new HashSet<>();
            for (Step step : s.steps()) {
                String w = step.worker();
                boolean otherHolds = heldBy.entrySet().stream().anyMatch(e -> !e.getKey().equals(w) && e.getValue().equals("holds"));
                if (step.key() != null) {
                    keys.add(step.key());
                }
                switch (step.op()) {
                    case "create", "attach", "detach" -> {
                        if (otherHolds) {
                            seen.merge(step.op() + " while another holds the lock", 1, Integer::sum);
                        }
                        if ("ReadOnly".equals(step.mode())) {
                            seen.merge("read-only attach", 1, Integer::sum);
                        }
                    }
                    case "lock" -> heldBy.putIfAbsent(w, step.noWait() ? "waits" : "holds");
                    case "unlock" -> {
                        if (!heldBy.containsKey(w) && otherHolds) {
                            seen.merge("unlock by a non-holder while another holds", 1, Integer::sum);
                        }
                        heldBy.remove(w);
                    }
                    case "kill" -> seen.merge("kill of a " + heldBy.getOrDefault(w, "bystander"), 1, Integer::sum);
                    default -> { }
                }
            }
            if (keys.size() > 1) {
                seen.merge("several keys", 1, Integer::sum);
            }
        }
        for (String situation : new String[] {"create while another holds the lock", "attach while another holds the lock",
                "detach while another holds the lock", "read-only attach", "unlock by a non-holder while another holds",
                "kill of a holds", "kill of a waits", "kill of a bystander", "several keys"}) {
            assertTrue(seen.getOrDefault(situation, 0) >= 5, situation + " too rare: " + seen);
        }
    }

    @Test
    void aTapeGivesBackItsScheduleAndMutantsStayValid() {
        ScheduleGenerator g = new ScheduleGenerator("sysv", SYSV, 3, 16);
        TapeMutator mutator = new TapeMutator(new java.util.SplittableRandom(7), 32);
        for (long seed = 1; seed <= 100; seed++) {
            ScheduleGenerator.Generated a = g.generate(seed, null);
            assertEquals(a.schedule().steps(), g.generate(999, a.tape()).schedule().steps());
            Tape mutant = mutator.mutate(a.tape(), g.generate(seed + 1000, null).tape());
            Schedule m = g.generate(seed, mutant).schedule();
            assertEquals(List.of(), ScheduleValidation.problems(m, Set.of("sysv"), Set.of("local")), m.toString());
            Set<String> killed = new HashSet<>();
            for (Step step : m.steps()) {
                assertFalse(killed.contains(step.worker()), "a killed worker acts again: " + m);
                if ("kill".equals(step.op())) {
                    killed.add(step.worker());
                }
            }
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
