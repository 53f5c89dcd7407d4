package org.shmconform.reports;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.shmconform.history.EventType;
import org.shmconform.history.HexText;
import org.shmconform.history.HistoryEvent;

/**
 * One operation of a history as people read it: its invoke, its completion (null if it never completed),
 * and a short label such as {@code lock}, {@code attach k}, {@code read 0..8 → "hello"}.
 */
record OpSpan(HistoryEvent invoke, HistoryEvent done) {
    private static final int MAX_TEXT = 20;

    /** The workers' operations of a history in invoke order (the nemesis's kills are not operations). */
    static List<OpSpan> of(List<HistoryEvent> events) {
        Map<String, HistoryEvent> open = new HashMap<>();
        Map<HistoryEvent, OpSpan> spans = new java.util.LinkedHashMap<>();
        for (HistoryEvent e : events) {
            if (e.process().equals("nemesis")) {
                continue;
            }
            if (e.type() == EventType.invoke) {
                open.put(e.process(), e);
                spans.put(e, new OpSpan(e, null));
            } else {
                HistoryEvent inv = open.remove(e.process());
                if (inv != null) {
                    spans.put(inv, new OpSpan(inv, e));
                }
            }
        }
        return new ArrayList<>(spans.values());
    }

    /** Nanoseconds from invoke to completion, or -1 for an operation that never completed. */
    long nanos() {
        return done == null ? -1 : done.time() - invoke.time();
    }

    /** "attach k", "create k 4096", "write 0 \"hello\"", "read 0..8 → \"hello\"", "lock ✗ KeyError", "detach ? killed". */
    String label() {
        return call(invoke) + (done == null ? " …" : " " + outcome(done));
    }

    static String call(HistoryEvent inv) {
        StringBuilder t = new StringBuilder(inv.f());
        if (inv.key() != null) {
            t.append(' ').append(shorten(inv.key()));
        }
        if (inv.size() != null) {
            t.append(' ').append(inv.size());
        }
        if (inv.mode() != null) {
            t.append(' ').append(inv.mode());
        }
        if (inv.offset() != null) {
            t.append(' ').append(inv.offset());
            if (inv.length() != null) {
                t.append("..").append(inv.offset() + inv.length());
            }
        }
        if (inv.data() != null) {
            t.append(' ').append(shorten(HexText.quoted(inv.data())));
        }
        return t.toString();
    }

    static String outcome(HistoryEvent done) {
        return switch (done.type()) {
            case ok -> done.data() != null ? "→ " + shorten(HexText.quoted(done.data()))
                    : done.value() != null ? "→ " + shorten(done.value()) : "✓";
            case fail -> "✗" + (done.error() != null && !"NoError".equals(done.error()) ? " " + done.error() : "")
                    + (done.value() != null ? " " + shorten(done.value()) : "");
            case info -> "? " + (done.note() != null ? done.note() : "indeterminate");
            case invoke -> "";
        };
    }

    private static String shorten(String s) {
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT - 1) + "…";
    }
}
