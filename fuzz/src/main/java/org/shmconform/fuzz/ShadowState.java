package org.shmconform.fuzz;

import org.shmconform.schedule.Step;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.shmconform.spi.BackendSemantics;

/**
 * The generator's tiny guess of what the backend's state will be after each step, under the
 * backend's declared semantics. It only steers the generator toward meaningful steps (attach after
 * a create, unlock by the holder, reads within the size) and away from steps whose effect the
 * shadow cannot know (two waiters on one lock: who gets it first?). It never judges anything: the
 * checker's model does, on the real history.
 */
final class ShadowState {
    /** A segment that should exist: its size, who is attached, the last write (to read it back). */
    static final class Segment {
        final long size;
        final Set<String> attached = new TreeSet<>();
        long lastWriteOffset = -1;
        int lastWriteLength;

        Segment(long size) {
            this.size = size;
        }
    }

    private final BackendSemantics semantics;
    /** Each worker's one logical key, fixed for the whole schedule. */
    final Map<String, String> keyOf = new LinkedHashMap<>();
    final Map<String, Segment> segments = new HashMap<>();
    /** key → the worker holding its lock (alive). */
    final Map<String, String> holder = new HashMap<>();
    /** key → the one worker blocked in lock() on it. At most one, so the shadow knows who gets it next. */
    final Map<String, String> waiter = new HashMap<>();
    /** Workers that have issued a create or attach (their object has a key). */
    final Set<String> keyed = new HashSet<>();
    final Set<String> readOnly = new HashSet<>();
    final Set<String> dead = new HashSet<>();
    /** Blocked forever (their lock's holder died and the backend keeps the lock): they take no more steps. */
    final Set<String> stuck = new HashSet<>();
    /** Keys whose lock stays held by a dead worker: every lock, create, attach or detach on them would block forever. */
    final Set<String> stuckKeys = new HashSet<>();

    ShadowState(BackendSemantics semantics) {
        this.semantics = semantics;
    }

    String key(String w) {
        return keyOf.get(w);
    }

    Segment segment(String w) {
        return segments.get(key(w));
    }

    boolean attached(String w) {
        Segment s = segment(w);
        return s != null && s.attached.contains(w);
    }

    boolean holds(String w) {
        return w.equals(holder.get(key(w)));
    }

    /** Someone holds or waits for the worker's key's lock: create/attach/detach would block on it (Qt's locker). */
    boolean lockBusy(String w) {
        return holder.containsKey(key(w)) || waiter.containsKey(key(w)) || stuckKeys.contains(key(w));
    }

    /** Can be given a step now: alive, and not blocked in lock(). */
    boolean canAct(String w) {
        return !dead.contains(w) && !stuck.contains(w) && !waiter.containsValue(w);
    }

    /** Applies the effect the step should have on a conforming backend. */
    void apply(Step step) {
        String w = step.worker();
        String key = key(w);
        switch (step.op()) {
            case "create" -> {
                keyed.add(w);
                if (step.size() != null && step.size() > 0 && !segments.containsKey(key)) {
                    Segment s = new Segment(step.size());
                    s.attached.add(w);
                    segments.put(key, s);
                    readOnly.remove(w);
                }
            }
            case "attach" -> {
                keyed.add(w);
                Segment s = segments.get(key);
                if (s != null && !s.attached.contains(w)) {
                    s.attached.add(w);
                    if ("ReadOnly".equals(step.mode())) {
                        readOnly.add(w);
                    } else {
                        readOnly.remove(w);
                    }
                }
            }
            case "detach" -> leave(w, semantics.lastDetachDestroys());
            case "lock" -> {
                if (!attached(w) || holds(w)) {
                    return; // refused, or a no-op second lock
                }
                if (holder.containsKey(key)) {
                    waiter.put(key, w);
                } else {
                    holder.put(key, w);
                }
            }
            case "unlock" -> {
                if (holds(w)) {
                    release(key);
                }
            }
            case "write" -> {
                Segment s = segments.get(key);
                if (s != null && attached(w) && !readOnly.contains(w) && step.offset() + step.data().length() <= s.size) {
                    s.lastWriteOffset = step.offset();
                    s.lastWriteLength = step.data().length();
                }
            }
            case "kill" -> die(w);
            default -> {
                // read, size, isAttached: no effect
            }
        }
    }

    private void die(String w) {
        String key = key(w);
        boolean held = holds(w);
        leave(w, !semantics.survivesCrash());
        dead.add(w);
        waiter.remove(key, w);
        if (held) {
            if (semantics.lockOnHolderDeath().releases()) { // RELEASED, or RELEASED_OWNER_DEAD (the next locker is told)
                release(key);
            } else {
                String blocked = waiter.remove(key);
                if (blocked != null) {
                    stuck.add(blocked);
                }
                holder.remove(key); // nobody alive holds it, but nobody can take it: the key's lock is lost
                stuckKeys.add(key);
            }
        }
    }

    private void release(String key) {
        String next = waiter.remove(key);
        if (next == null) {
            holder.remove(key);
        } else {
            holder.put(key, next);
        }
    }

    private void leave(String w, boolean destroyIfLast) {
        Segment s = segment(w);
        if (s == null || !s.attached.remove(w)) {
            return;
        }
        readOnly.remove(w);
        if (s.attached.isEmpty() && destroyIfLast) {
            segments.remove(key(w));
        }
    }
}
