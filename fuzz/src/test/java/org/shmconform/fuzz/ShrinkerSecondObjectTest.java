package org.shmconform.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.Steps;
import org.shmconform.schedule.WorkerSpec;

/**
 * A worker the shrinker drops takes its second objects (WorkerSpec.process) with it: a candidate that declares A2 in the
 * process of an A it no longer declares cannot run (the engine starts no process for A2), so it only cost a run.
 */
class ShrinkerSecondObjectTest {
    @Test
    void aDroppedHostTakesItsSecondObjectsWithIt() throws InterruptedException {
        WorkerSpec a = WorkerSpec.local("A", "x");
        Schedule original = new Schedule("two-objects", 1L, List.of(a, WorkerSpec.objectOf(a, "A2"), WorkerSpec.local("B", "x")),
                List.of(Steps.create("B", "k", 64), Steps.attach("A", "k"), Steps.attach("A2", "k"), Steps.lock("A2"),
                        Steps.lock("B").async(), Steps.read("A", 0, 4)));
        List<Schedule> orphaned = new ArrayList<>();
        Shrinker.Result<String> r = Shrinker.shrink(original, "P", s -> {
            boolean hostless = s.workers().stream().anyMatch(w -> w.process() != null
                    && s.workers().stream().noneMatch(h -> h.id().equals(w.process())));
            if (hostless) {
                orphaned.add(s);
            }
            // Fails while B creates and then locks: A and A2 are noise.
            return new Shrinker.Trial<>(s.steps().stream().map(Step::op).toList().containsAll(List.of("create", "lock"))
                    && s.steps().stream().anyMatch(st -> st.worker().equals("B") && st.op().equals("lock")), "P", "e");
        }, new Shrinker.Budget(200, Duration.ofSeconds(30), 1));
        assertEquals(List.of(), orphaned, "candidates with a second object whose process is gone");
        assertEquals(List.of("B"), r.shrunk().workers().stream().map(WorkerSpec::id).toList());
    }
}
