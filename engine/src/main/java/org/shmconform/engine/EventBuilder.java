package org.shmconform.engine;

import org.shmconform.history.EventType;
import org.shmconform.history.HistoryEvent;
import org.shmconform.history.OwnerDied;
import org.shmconform.spi.Args;
import org.shmconform.worker.protocol.WorkerProtocol.Attached;
import org.shmconform.worker.protocol.WorkerProtocol.LockTaken;
import org.shmconform.worker.protocol.WorkerProtocol.NativeKey;
import org.shmconform.worker.protocol.WorkerProtocol.ReadData;
import org.shmconform.worker.protocol.WorkerProtocol.Reply;
import org.shmconform.worker.protocol.WorkerProtocol.Size;

/** One history event under construction; times are nanoseconds since the execution's start. */
final class EventBuilder {
    private final long start;
    private final String process;
    private final EventType type;
    private final String f;
    private long time;
    private Args args = Args.NONE;
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

    /** The op's arguments (an invoke). */
    EventBuilder args(Args a) {
        this.args = a;
        return this;
    }

    EventBuilder value(String v) {
        this.value = v;
        return this;
    }

    EventBuilder data(String hex) {
        this.args = args.withDataHex(hex);
        return this;
    }

    EventBuilder error(String e, String s) {
        this.error = e;
        this.errorString = s;
        return this;
    }

    /**
     * A completion from the worker's reply: its error state, a read's bytes as data, size(),
     * isAttached(), nativeKey() and a lock's ownerDied ({@link OwnerDied}) as the value (the history has no place for the hello or the
     * error op's value), and a protocol error as the note.
     */
    EventBuilder reply(Reply reply) {
        error(reply.error(), reply.errorString());
        if (reply.value() instanceof ReadData d) {
            data(d.hex());
        } else if (reply.value() instanceof Size s) {
            value(Long.toString(s.bytes()));
        } else if (reply.value() instanceof Attached a) {
            value(Boolean.toString(a.attached()));
        } else if (reply.value() instanceof NativeKey k) {
            value(k.nativeKey());
        } else if (reply.value() instanceof LockTaken l) {
            value(OwnerDied.value(l.ownerDied()));
        }
        if (reply.protocolError() != null) {
            note("protocol error: " + reply.protocolError());
        }
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
        return new HistoryEvent(0, time, process, type, f, args, value, error, errorString, exitStatus, note);
    }
}
