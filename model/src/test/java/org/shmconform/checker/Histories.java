package org.shmconform.checker;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.shmconform.history.Execution;
import org.shmconform.history.EventType;
import org.shmconform.history.History;
import org.shmconform.history.HistoryEvent;

/** Hand-written histories for checker tests: each call appends an event at the next tick. */
final class Histories {
    private final History history = new History();
    private final String impl;
    private final List<String> workers = new ArrayList<>();
    private long tick;

    Histories(String impl, String... workerIds) {
        this.impl = impl;
        workers.addAll(List.of(workerIds));
    }

    Histories invoke(String w, String f) {
        return add(w, EventType.invoke, f, null, null, null, null, null);
    }

    Histories invokeCreate(String w, long size) {
        return add(w, EventType.invoke, "create", "k", size, null, null, null);
    }

    Histories invokeAttach(String w) {
        return invokeAttach(w, "k");
    }

    Histories invokeAttach(String w, String key) {
        return add(w, EventType.invoke, "attach", key, null, null, null, null);
    }

    Histories invokeAttachReadOnly(String w) {
        history.append(new HistoryEvent(0, ++tick, w, EventType.invoke, "attach", "k", null, "ReadOnly", null, null, null, null,
                null, "", null, null));
        return this;
    }

    Histories invokeRawWrite(String w, String text) {
        return add(w, EventType.invoke, "rawWrite", null, null, 0L, hex(text), null);
    }

    Histories invokeWrite(String w, String text) {
        return add(w, EventType.invoke, "write", null, null, 0L, hex(text), null);
    }

    Histories invokeRead(String w, int length) {
        HistoryEvent e = new HistoryEvent(0, ++tick, w, EventType.invoke, "read", null, null, null, 0L, length, null, null,
                null, null, null, null);
        history.append(e);
        return this;
    }

    Histories ok(String w, String f) {
        return add(w, EventType.ok, f, null, null, null, null, "NoError");
    }

    Histories okRead(String w, String text) {
        return add(w, EventType.ok, "read", null, null, null, hex(text), "NoError");
    }

    Histories fail(String w, String f, String error) {
        return add(w, EventType.fail, f, null, null, null, null, error);
    }

    /** A call that returned false with {@code error} and Qt's {@code errorString}. */
    Histories fail(String w, String f, String error, String errorString) {
        history.append(new HistoryEvent(0, ++tick, w, EventType.fail, f, null, null, "ReadWrite", null, null, null, null, error,
                errorString, null, null));
        return this;
    }

    Histories kill(String w) {
        history.append(new HistoryEvent(0, ++tick, "nemesis", EventType.invoke, "kill", null, null, null, null, null, null, w,
                null, null, null, "killed"));
        history.append(new HistoryEvent(0, ++tick, "nemesis", EventType.ok, "kill", null, null, null, null, null, null, w,
                null, null, 137, "killed"));
        return this;
    }

    /** A kill the engine began and the history never saw end. */
    Histories killSent(String w) {
        history.append(new HistoryEvent(0, ++tick, "nemesis", EventType.invoke, "kill", null, null, null, null, null, null, w,
                null, null, null, "killed"));
        return this;
    }

    /** The end of a kill {@link #killSent} began. */
    Histories killEnded(String w) {
        history.append(new HistoryEvent(0, ++tick, "nemesis", EventType.ok, "kill", null, null, null, null, null, null, w,
                null, null, 137, "killed"));
        return this;
    }

    /** The op was in flight when the engine killed its worker: indeterminate. */
    Histories info(String w, String f, String note) {
        history.append(new HistoryEvent(0, ++tick, w, EventType.info, f, null, null, null, null, null, null, null, null, null,
                137, note));
        return this;
    }

    Execution execution() {
        Map<String, Execution.WorkerInfo> infos = new LinkedHashMap<>();
        for (String w : workers) {
            infos.put(w, new Execution.WorkerInfo(w, impl, "local", 1, null,
                    Map.of("ipc", "ipc:[1]", "shm", "mnt:[1]/dev1", "pid", "pid:[1]"), "java", null));
        }
        return new Execution("test", "shmcftestab", history, infos, List.of(), null);
    }

    private Histories add(String w, EventType type, String f, String key, Long size, Long offset, String data, String error) {
        history.append(new HistoryEvent(0, ++tick, w, type, f, key, size, "ReadWrite", offset, null, data, null, error, "",
                null, null));
        return this;
    }

    private static String hex(String text) {
        return HexFormat.of().formatHex(text.getBytes());
    }
}
