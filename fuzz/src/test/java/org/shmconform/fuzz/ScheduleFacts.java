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
    /**
     * A lock() on a key whose holder was killed while holding it (the lock must be free), whatever happened to the lock
     * before: a keying may have re-initialised it (see {@link #lockLostWithItsKilledHolder}).
     */
    public boolean lockAfterItsHolderWasKilled;
    /**
     * A lock() that waits on a key's lock when its holder is killed, or is called after that, where no keying could have
     * re-initialised or split that lock (Qt's System V keying, which the model follows on the sysv columns: then no
     * outcome of lock() can be ruled out, LockRules' Lock.Reinitialised, and the checker rightly finds nothing). What
     * re-initialises, as the model has it: a create() of the key while its lock is held (LockRules.resetLock); an owner of
     * the key's semaphore (an object that keyed it in Create mode, or whose attach was its first keying) keying it again,
     * or keying another key, while another live object has the key (LockRules.mayBeSplitByKeyFile, droppedByRekey).
     * {@link #lockAfterItsHolderWasKilled} counted fault-nosemundo's seed 3 of FaultFuzzIT's budget, which the checker
     * rightly passed: B create k → AlreadyExists while A holds; A killed; B's lock blocked for ever.
     */
    public boolean lockLostWithItsKilledHolder;
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
        Set<String> dead = new HashSet<>();
        Map<String, Set<String>> owners = new HashMap<>(); // key -> objects that own its semaphore set
        Set<String> reinitialised = new HashSet<>(); // keys whose lock a keying may have re-initialised or split
        Map<String, String> waiterOn = new HashMap<>(); // key -> a worker whose lock() waits on its holder
        Set<String> lostLocks = new HashSet<>(); // keys whose holder was killed holding a lock nothing re-initialised
        for (Step step : s.steps()) {
            String w = step.worker();
            String k = step.key() != null ? step.key() : keyOf.get(w);
            if (("create".equals(step.op()) || "attach".equals(step.op())) && k != null) {
                String old = keyOf.get(w);
                boolean othersHaveIt = s.workers().stream().anyMatch(o -> !o.id().equals(w) && !dead.contains(o.id())
                        && k.equals(keyOf.get(o.id())));
                Set<String> own = owners.computeIfAbsent(k, x -> new HashSet<>());
                if ("create".equals(step.op()) && holder.containsKey(k) || own.contains(w) && othersHaveIt) {
                    reinitialised.add(k);
                }
                if (old != null && !old.equals(k) && owners.getOrDefault(old, Set.of()).contains(w)) {
                    reinitialised.add(old); // an owner's re-key removes the set under the others
                    owners.get(old).remove(w);
                }
                if ("create".equals(step.op()) || !othersHaveIt) {
                    own.add(w);
                }
            }
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
                        if (!reinitialised.contains(k)) {
                            lostLocks.add(k);
                            f.lockLostWithItsKilledHolder |= waiterOn.containsKey(k) && !w.equals(waiterOn.get(k));
                        }
                    }
                    if (k != null) {
                        waiterOn.remove(k, w);
                    }
                    dead.add(w);
                    failedCreateUnder.values().removeIf(w::equals);
                }
                case "lock" -> {
                    if (k == null) {
                        break;
                    }
                    String h = holder.get(k);
                    f.lockAfterItsHolderWasKilled |= orphanedLocks.contains(k);
                    f.lockLostWithItsKilledHolder |= lostLocks.contains(k) && !reinitialised.contains(k);
                    if (h != null && !h.equals(w)) {
                        waiterOn.putIfAbsent(k, w);
                    }
                    f.lockWhileAnotherHolds |= h != null && !h.equals(w);
                    f.lockAfterAFailedCreateUnderAHeldLock |= h != null && h.equals(failedCreateUnder.get(w));
                    if (h == null) {
                        holder.put(k, w);
                    }
                }
                case "unlock" -> {
                    if (k != null && w.equals(holder.get(k))) {
                        holder.remove(k);
                        String next = waiterOn.remove(k);
                        if (next != null) {
                            holder.put(k, next); // the waiter's lock() returns: it holds now
                        }
                    }
                }
                default -> {
                }
            }
        }
        return f;
    }
}
