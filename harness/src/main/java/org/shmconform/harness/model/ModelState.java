package org.shmconform.harness.model;

import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The model's state: immutable, compared by value (the checker memoises on it).
 *
 * @param segments     existing segments by space|key
 * @param lockHolders  space|key → the process holding that key's lock (a dead process can hold it)
 * @param workers      per process: its object's key, attachment and lock flag
 * @param cause        space|key → the property that decided the key's last fate (destroyed by a last detach,
 *                     survived a crash): a later contradiction is blamed on that property
 * @param observations which branch the documentation left open was taken (e.g. "lock after holder death: released")
 */
public record ModelState(Map<String, Segment> segments, Map<String, String> lockHolders, Map<String, Worker> workers,
                         Map<String, Property> cause, SortedSet<String> observations) {

    /**
     * A segment: its size, the bytes written into it (offset → byte; every other byte is zero, as a
     * new segment is, so a 96 MiB segment costs nothing), who is attached (process → read-only?), who made it.
     */
    public record Segment(long size, SortedMap<Long, Byte> written, Map<String, Boolean> attached, long truncatedTo,
                          String creatorUser) {
        Segment withAttached(Map<String, Boolean> a) {
            return new Segment(size, written, a, truncatedTo, creatorUser);
        }

        Segment write(long offset, byte[] data) {
            TreeMap<Long, Byte> w = new TreeMap<>(written);
            for (int i = 0; i < data.length; i++) {
                if (data[i] == 0) {
                    w.remove(offset + i);
                } else {
                    w.put(offset + i, data[i]);
                }
            }
            return new Segment(size, w, attached, truncatedTo, creatorUser);
        }

        byte[] read(long offset, int length) {
            byte[] out = new byte[length];
            written.subMap(offset, offset + length).forEach((at, b) -> out[(int) (at - offset)] = b);
            return out;
        }

        /** Shrunk by a peer: bytes past the new end read as zero from then on. */
        Segment truncate(long to) {
            return new Segment(size, new TreeMap<>(written.headMap(to)), attached, to, creatorUser);
        }
    }

    /** A worker's one segment object. {@code key} is space|key once it has had a key, else null. */
    public record Worker(String key, boolean attached, boolean readOnly, boolean locked, boolean dead) {
        static final Worker FRESH = new Worker(null, false, false, false, false);
    }

    public static ModelState initial() {
        return new ModelState(Map.of(), Map.of(), Map.of(), Map.of(), new TreeSet<>());
    }

    Worker worker(String p) {
        return workers.getOrDefault(p, Worker.FRESH);
    }

    ModelState with(String p, Worker w) {
        TreeMap<String, Worker> m = new TreeMap<>(workers);
        m.put(p, w);
        return new ModelState(segments, lockHolders, m, cause, observations);
    }

    ModelState withSegment(String key, Segment s) {
        TreeMap<String, Segment> m = new TreeMap<>(segments);
        if (s == null) {
            m.remove(key);
        } else {
            m.put(key, s);
        }
        return new ModelState(m, lockHolders, workers, cause, observations);
    }

    ModelState withLock(String key, String holder) {
        TreeMap<String, String> m = new TreeMap<>(lockHolders);
        if (holder == null) {
            m.remove(key);
        } else {
            m.put(key, holder);
        }
        return new ModelState(segments, m, workers, cause, observations);
    }

    ModelState because(String key, Property p) {
        TreeMap<String, Property> m = new TreeMap<>(cause);
        if (p == null) {
            m.remove(key);
        } else {
            m.put(key, p);
        }
        return new ModelState(segments, lockHolders, workers, m, observations);
    }

    /** The property to blame when the key's existence turns out other than the model says. */
    Property blame(String key, Property otherwise) {
        return cause.getOrDefault(key, otherwise);
    }

    ModelState observe(String observation) {
        TreeSet<String> o = new TreeSet<>(observations);
        o.add(observation);
        return new ModelState(segments, lockHolders, workers, cause, o);
    }
}
