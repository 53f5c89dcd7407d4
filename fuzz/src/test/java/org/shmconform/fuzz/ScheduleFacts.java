package org.shmconform.fuzz;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;

/**
 * What a generated schedule puts to the test, read from its steps alone (no run): the situations the fuzz ITs rely
 * on the fresh seeds to reach. A replay of the steps' bookkeeping (who is attached to each key, who holds its lock),
 * deliberately simpler than the generator's shadow so that it checks the generator rather than repeats it.
 */
public final class ScheduleFacts {
    /** A worker's create() on a segment another live worker is attached to (AlreadyExists). */
    public boolean secondCreateOnALiveSegment;
    /** attach() to a key no live worker has a segment of (NotFound). */
    public boolean attachToAMissingKey;
    /** A lock() on a key whose holder was killed while holding it (the lock must be free). */
    public boolean lockAfterItsHolderWasKilled;
    /** A lock() while another worker holds that key's lock (it must wait). */
    public boolean lockWhileAnotherHolds;
    /** A create() of a key whose segment's last attached worker detached (the segment must be gone). */
    public boolean createAfterTheLastDetach;
    /** A worker's create() fails under a lock another holds, and the same worker then calls lock() while it still does. */
    public boolean lockAfterAFailedCreateUnderAHeldLock;

    private ScheduleFacts() {
    }

    public static ScheduleFacts of(Schedule s) {
        ScheduleFacts f = new ScheduleFacts();
        Map<String, Set<String>> attached = new HashMap<>();
        Map<String, String> keyOf = new HashMap<>();
        Map<String, String> holder = new HashMap<>();
        Map<String, String> failedCreateUnder = new HashMap<>(); // worker -> the holder its create failed under
        Set<String> orphanedLocks = new HashSet<>();
        Set<String> created = new HashSet<>();
        Set<String> leftByDetach = new HashSet<>(); // keys whose segment's last user detached: gone
        Set<String> crashedOn = new HashSet<>(); // keys a killed worker was attached to: the segment may survive
        for (Step step : s.steps()) {
            String w = step.worker();
            String k = step.key() != null ? step.key() : keyOf.get(w);
            Set<String> on = k == null ? new HashSet<>() : attached.computeIfAbsent(k, x -> new HashSet<>());
            switch (step.op()) {
                case "create" -> {
                    if (!on.isEmpty() && !on.contains(w)) {
                        f.secondCreateOnALiveSegment = true;
                        String h = holder.get(k);
                        if (h != null && !h.equals(w)) {
                            failedCreateUnder.put(w, h);
                        }
                    } else if (on.isEmpty() && step.size() != null && step.size() > 0) {
                        f.createAfterTheLastDetach |= leftByDetach.contains(k);
                        on.add(w);
                        created.add(k);
                        leftByDetach.remove(k);
                        crashedOn.remove(k);
                    }
                    keyOf.put(w, k);
                }
                case "attach" -> {
                    f.attachToAMissingKey |= !created.contains(k) || leftByDetach.contains(k);
                    if (!on.isEmpty()) {
                        on.add(w);
                    }
                    keyOf.put(w, k);
                }
                case "detach" -> {
                    if (on.remove(w) && on.isEmpty() && !crashedOn.contains(k)) {
                        leftByDetach.add(k);
                    }
                }
                case "kill" -> {
                    if (on.remove(w)) {
                        crashedOn.add(k);
                    }
                    if (k != null && w.equals(holder.get(k))) {
                        holder.remove(k);
                        orphanedLocks.add(k);
                    }
                    failedCreateUnder.values().removeIf(w::equals);
                }
                case "lock" -> {
                    if (k == null) {
                        break;
                    }
                    String h = holder.get(k);
                    f.lockAfterItsHolderWasKilled |= orphanedLocks.contains(k);
                    f.lockWhileAnotherHolds |= h != null && !h.equals(w);
                    f.lockAfterAFailedCreateUnderAHeldLock |= h != null && h.equals(failedCreateUnder.get(w));
                    if (h == null) {
                        holder.put(k, w);
                    }
                }
                case "unlock" -> {
                    if (k != null && w.equals(holder.get(k))) {
                        holder.remove(k);
                    }
                }
                default -> {
                }
            }
        }
        return f;
    }
}
