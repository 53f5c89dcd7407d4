package org.shmconform.engine;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.backends.sysv.SysVObjects.Segment;
import org.shmconform.backends.sysv.SysVObjects.SemSet;

/**
 * One reading of the kernel's System V objects ({@code /proc/sysvipc/sem}, {@code /proc/sysvipc/shm}, and each set's
 * last operator, asked once when first needed), shared by every live worker whose objects are proven from it
 * ({@link SetsOfLiveWorker}, {@link SegmentsOfLiveWorker}): after a schedule, one listing serves every pooled worker
 * instead of one per worker. A reading taken once a worker had its pid and before that worker is found not reaped
 * at the end of its proof is as good as one taken in between: its pid was its own the whole time.
 */
final class SysVReading {
    private final List<SemSet> sets;
    private final List<Segment> segments;
    private final Map<Integer, Integer> lastOperators = new HashMap<>();

    private SysVReading(List<SemSet> sets, List<Segment> segments) {
        this.sets = sets;
        this.segments = segments;
    }

    /** Reads both listings now; throws when the kernel's listing cannot be read (nothing can be proven then). */
    static SysVReading now() {
        return new SysVReading(SysVObjects.semaphoreSets(), SysVObjects.segments());
    }

    List<SemSet> sets() {
        return sets;
    }

    List<Segment> segments() {
        return segments;
    }

    /** The set's last operator ({@code semctl GETPID}), asked once per reading. */
    int lastOperator(int setId) {
        return lastOperators.computeIfAbsent(setId, SysVObjects::lastOperator);
    }

    /** Each set's id with its last operator in this reading ({@link #lastOperator}; -1 where it could not be read). */
    Map<Integer, Integer> setLastOperators() {
        Map<Integer, Integer> ids = new HashMap<>();
        sets.forEach(s -> ids.put(s.id(), lastOperator(s.id())));
        return ids;
    }

    /** Each segment's id with the pid of its last attach or detach ({@code lpid}) in this reading. */
    Map<Integer, Integer> segmentLastUsers() {
        Map<Integer, Integer> ids = new HashMap<>();
        segments.forEach(s -> ids.put(s.id(), s.lpid()));
        return ids;
    }

    /** A reading of given objects, for the proofs' tests. */
    static SysVReading of(List<SemSet> sets, List<Segment> segments, Map<Integer, Integer> lastOperators) {
        SysVReading r = new SysVReading(sets, segments);
        r.lastOperators.putAll(lastOperators);
        return r;
    }
}
