package org.shmconform.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.shmconform.engine.Subjects;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.ScheduleValidation;
import org.shmconform.schedule.Step;
import org.shmconform.spi.BackendSemantics;

/**
 * Seed L5's operations in generated schedules: for a column that declares handsOverDescriptor
 * (memfd-fd) the generator serves descriptors, attaches through them (right and wrong) and spawns a
 * child worker that inherits one, every schedule (and every mutant of its tape) stays valid, and a
 * column without hand-over never gets these steps.
 */
class HandOverGenerationTest {
    private static final BackendSemantics MEMFD_FD = Subjects.here().semantics("memfd-fd");
    private static final BackendSemantics MEMFD = Subjects.here().semantics("memfd");

    @Test
    void memfdFdSchedulesHandOverAndStayValid() {
        assertTrue(MEMFD_FD.handsOverDescriptor(), "memfd-fd declares the hand-over");
        Map<String, Integer> seen = new HashMap<>();
        for (long seed = 1; seed <= 300; seed++) {
            Schedule s = new ScheduleGenerator("memfd-fd", MEMFD_FD, 2 + (int) (seed % 3), 20).generate(seed);
            assertEquals(List.of(), ScheduleValidation.problems(s, Set.of("memfd-fd"), Set.of("local")), s.toString());
            Map<String, String> servedKey = new HashMap<>(); // socket name -> key of its server, as issued
            Map<String, String> keyOf = new HashMap<>();
            Set<String> spawned = new HashSet<>();
            for (Step step : s.steps()) {
                if (step.key() != null) {
                    keyOf.put(step.worker(), step.key());
                }
                switch (step.op()) {
                    case "serveFd" -> {
                        servedKey.put(step.path(), keyOf.get(step.worker()));
                        seen.merge("serveFd", 1, Integer::sum);
                    }
                    case "attachFd" -> seen.merge(step.key().equals(servedKey.get(step.path())) ? "attachFd to a served key"
                            : "attachFd wrong", 1, Integer::sum);
                    case "spawnChild" -> {
                        assertTrue(spawned.add(step.child()), "spawned twice: " + s);
                        assertTrue(s.workers().stream().anyMatch(w -> w.id().equals(step.child())), "child not declared: " + s);
                        seen.merge("spawnChild", 1, Integer::sum);
                    }
                    default -> { }
                }
                if (spawned.contains(step.worker())) {
                    seen.merge("step of a spawned child", 1, Integer::sum);
                }
                assertFalse(step.noWait() && Set.of("serveFd", "attachFd", "spawnChild").contains(step.op()), step.toString());
            }
            // A child is declared only when the schedule spawns it (else the engine would start an idle worker).
            assertEquals(spawned.size(), s.workers().size() - (2 + (int) (seed % 3)), s.toString());
        }
        for (String kind : new String[] {"serveFd", "attachFd to a served key", "attachFd wrong", "spawnChild", "step of a spawned child"}) {
            assertTrue(seen.getOrDefault(kind, 0) >= 10, kind + " too rare: " + seen);
        }
    }

    @Test
    void mutantsOfHandOverTapesStayValid() {
        ScheduleGenerator g = new ScheduleGenerator("memfd-fd", MEMFD_FD, 3, 16);
        TapeMutator mutator = new TapeMutator(new SplittableRandom(11), 32);
        int withChild = 0;
        for (long seed = 1; seed <= 150; seed++) {
            ScheduleGenerator.Generated a = g.generate(seed, null);
            assertEquals(a.schedule().steps(), g.generate(999, a.tape()).schedule().steps());
            Tape mutant = mutator.mutate(a.tape(), g.generate(seed + 1000, null).tape());
            Schedule m = g.generate(seed, mutant).schedule();
            assertEquals(List.of(), ScheduleValidation.problems(m, Set.of("memfd-fd"), Set.of("local")), m.toString());
            withChild += ScheduleValidation.parents(m).isEmpty() ? 0 : 1;
        }
        assertTrue(withChild > 10, "mutants with a spawned child: " + withChild);
    }

    @Test
    void aColumnWithoutHandOverGetsNone() {
        assertFalse(MEMFD.handsOverDescriptor());
        for (long seed = 1; seed <= 200; seed++) {
            Schedule s = new ScheduleGenerator("memfd", MEMFD, 3, 20).generate(seed);
            assertTrue(s.steps().stream().noneMatch(st -> Set.of("serveFd", "attachFd", "spawnChild").contains(st.op())), s.toString());
            assertEquals(3, s.workers().size());
        }
    }
}
