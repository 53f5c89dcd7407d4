package org.shmconform.checker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeSet;
import org.shmconform.model.Lock;
import org.shmconform.model.ModelState;
import org.shmconform.model.SegmentModel;
import org.shmconform.model.ModelKey;

/**
 * The segment model's state in a line, for the steps of a linearization: each segment (size, who is
 * attached, the bytes written), each held lock, each worker's object. Keys are shown without their
 * key space (a long namespace identity) unless the state holds more than one space; then each key
 * carries the number of its space, in sorted order ({@code k1#2}).
 */
final class StateText {
    /** Bytes of a segment's contents shown; the rest is summarised as a count. */
    private static final int SHOWN_BYTES = 24;

    private StateText() {
    }

    static String of(ModelState s) {
        TreeSet<String> spaces = new TreeSet<>();
        s.segments().keySet().forEach(k -> spaces.add(space(k)));
        s.locks().keySet().forEach(k -> spaces.add(space(k)));
        s.workers().values().forEach(w -> {
            if (w.key() != null) {
                spaces.add(space(w.key()));
            }
        });
        List<String> spaceList = new ArrayList<>(spaces);
        List<String> parts = new ArrayList<>();
        s.segments().forEach((key, seg) -> {
            StringBuilder b = new StringBuilder("segment ").append(key(key, spaceList)).append(' ').append(seg.size()).append(" B");
            if (!seg.attached().isEmpty()) {
                b.append(", attached ");
                List<String> who = new ArrayList<>();
                seg.attached().forEach((p, ro) -> who.add(p + (ro ? " (ro)" : "")));
                b.append(String.join(" ", who));
            }
            if (!seg.written().isEmpty()) {
                b.append(", ").append(contents(seg.written()));
            }
            parts.add(b.toString());
        });
        s.locks().forEach((key, lock) -> parts.add("lock " + key(key, spaceList) + " " + lock(lock)));
        s.workers().forEach((p, w) -> {
            List<String> flags = new ArrayList<>();
            if (w.key() != null) {
                flags.add("key " + key(w.key(), spaceList));
            }
            if (w.attached()) {
                flags.add(w.readOnly() ? "attached ro" : "attached");
            }
            if (w.locked()) {
                flags.add("locked");
            }
            if (w.dead()) {
                flags.add("dead");
            }
            if (!flags.isEmpty()) {
                parts.add(p + ": " + String.join(", ", flags));
            }
        });
        s.servers().forEach((name, server) -> parts.add("serving " + name + ": " + server.process()));
        s.orphans().forEach((p, kept) -> parts.add(p + " keeps a failed create's handle to " + key(kept.key(), spaceList)
                + (kept.destroyed() ? " (destroyed since)" : "")));
        s.unnamed().stream().filter(k -> s.segments().containsKey(k))
                .forEach(k -> parts.add(key(k, spaceList) + " lost its key file"));
        s.ftoks().forEach((p, made) -> parts.add(p + "'s call made " + key(made.key(), spaceList) + "'s key file, not ftok'd yet"
                + (made.unlinked() ? " (unlinked since)" : "")));
        return parts.isEmpty() ? "nothing exists" : String.join("; ", parts);
    }

    private static String lock(Lock lock) {
        if (lock instanceof Lock.HeldBy h) {
            return "held by " + h.process();
        }
        if (lock instanceof Lock.OwnerDead d) {
            return "free, owner " + d.deadHolder() + " died";
        }
        return "re-initialised (excludes nobody)";
    }

    /** Runs of written bytes as {@code @offset "text"}, the first {@value #SHOWN_BYTES} bytes of them. */
    private static String contents(SortedMap<Long, Byte> written) {
        StringBuilder out = new StringBuilder("data");
        long runStart = -1;
        long previous = -2;
        StringBuilder hex = new StringBuilder();
        int shown = 0;
        for (Map.Entry<Long, Byte> e : written.entrySet()) {
            if (shown == SHOWN_BYTES) {
                break;
            }
            if (e.getKey() != previous + 1 && hex.length() > 0) {
                out.append(" @").append(runStart).append(' ').append(SegmentModel.text(hex.toString()));
                hex.setLength(0);
            }
            if (hex.length() == 0) {
                runStart = e.getKey();
            }
            hex.append(String.format("%02x", e.getValue() & 0xff));
            previous = e.getKey();
            shown++;
        }
        if (hex.length() > 0) {
            out.append(" @").append(runStart).append(' ').append(SegmentModel.text(hex.toString()));
        }
        if (written.size() > shown) {
            out.append(" and ").append(written.size() - shown).append(" more bytes");
        }
        return out.toString();
    }

    private static String space(String spaceKey) {
        return spaceKey.indexOf('|') < 0 ? "" : ModelKey.parse(spaceKey).space();
    }

    private static String key(String spaceKey, List<String> spaces) {
        String key = spaceKey.indexOf('|') < 0 ? spaceKey : ModelKey.parse(spaceKey).key();
        return spaces.size() > 1 ? key + "#" + (spaces.indexOf(space(spaceKey)) + 1) : key;
    }
}
