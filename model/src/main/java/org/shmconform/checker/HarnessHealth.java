package org.shmconform.checker;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.shmconform.history.Ending;
import org.shmconform.history.EventType;
import org.shmconform.history.Execution;
import org.shmconform.history.HistoryEvent;

/**
 * The harness ran the schedule as written: UNKNOWN with the reasons when it could not (a step not
 * performed, a reply deadline passed without the kernel seeing the op blocked), else PASS.
 */
public final class HarnessHealth implements Checker {
    @Override
    public Judgement check(Execution x) {
        List<String> problems = problems(x);
        return problems.isEmpty() ? Judgement.pass() : Judgement.of(Verdict.UNKNOWN, reason(problems));
    }

    /**
     * What the engine could not do as written, and every op that passed the reply deadline without
     * the kernel seeing it blocked (also when the engine's own list does not say so).
     */
    static List<String> problems(Execution x) {
        Set<String> all = new LinkedHashSet<>(x.problems());
        for (HistoryEvent e : x.history().events()) {
            if (e.type() == EventType.info && Ending.TIMEOUT.is(e.note())) {
                String problem = Execution.deadlinePassed(e.process(), e.f());
                if (all.stream().noneMatch(p -> p.startsWith(problem))) {
                    all.add(problem);
                }
            }
        }
        return List.copyOf(all);
    }

    static String reason(List<String> problems) {
        return "harness: " + String.join("; ", problems);
    }
}
