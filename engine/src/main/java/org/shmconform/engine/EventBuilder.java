package org.shmconform.engine;

import org.shmconform.history.EventType;
import org.shmconform.history.HistoryEvent;

/** One history event under construction; times are nanoseconds since the execution's start. */
final class EventBuilder {
    private final long start;
    private final String process;
    private final EventType type;
    private final String f;
    private long time;
    String key;
    Long size;
    String mode;
    Long offset;
    Integer length;
    private String data;
    private String value;
    private String error;
    private String errorString;
    private Integer exitStatus;
    private String note;

    EventBuilder(long start, String process, EventType type, String f) {
        this.start = start;
        this.process = process;
        this.type = type;
        this.f = f;
        this.time = System.nanoTime() - start;
    }

    EventBuilder at(long nanos) {
        this.time = nanos - start;
        return this;
    }

    EventBuilder value(String v) {
        this.value = v;
        return this;
    }

    EventBuilder data(String hex) {
        this.data = hex;
        return this;
    }

    EventBuilder error(String e, String s) {
        this.error = e;
        this.errorString = s;
        return this;
    }

    EventBuilder exitStatus(Integer s) {
        this.exitStatus = s;
        return this;
    }

    EventBuilder note(String n) {
        this.note = n;
        return this;
    }

    HistoryEvent build() {
        return new HistoryEvent(0, time, process, type, f, key, size, mode, offset, length, data, value, error,
                errorString, exitStatus, note);
    }
}
