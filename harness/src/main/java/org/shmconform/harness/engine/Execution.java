package org.shmconform.harness.engine;

import java.util.List;
import java.util.Map;
import org.shmconform.harness.history.History;
import org.shmconform.harness.schedule.Schedule;

/**
 * What running a schedule produced: the history, and what the checker needs to know of each
 * worker (its backend's semantics are looked up by impl; its namespaces decide what it can see).
 *
 * @param broken non-null when the harness itself could not run the schedule (a worker did not start):
 *               then the history proves nothing and the verdict is UNKNOWN with this reason
 */
public record Execution(Schedule schedule, String keyPrefix, History history, Map<String, WorkerInfo> workers,
                        List<String> notes, String broken) {

    /** A worker as it really ran. */
    public record WorkerInfo(String id, String impl, String env, long pid, String user, Map<String, String> namespaces,
                             String helloImpl, Integer exitStatus) {
    }
}
