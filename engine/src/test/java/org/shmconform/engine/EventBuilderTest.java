package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.shmconform.history.EventType;
import org.shmconform.history.HistoryEvent;
import org.shmconform.history.OwnerDied;
import org.shmconform.worker.protocol.WorkerProtocol.LockTaken;
import org.shmconform.worker.protocol.WorkerProtocol.Reply;

/** A lock's reply carries ownerDied into the history, where the model reads it back; a reply without it says nothing. */
class EventBuilderTest {
    private static HistoryEvent lockDone(Reply reply) {
        return new EventBuilder(System.nanoTime(), "B", EventType.ok, "lock").reply(reply).build();
    }

    @Test
    void aLocksOwnerDeathIsRecordedAsItsValue() {
        HistoryEvent died = lockDone(new Reply(3, true, new LockTaken(true), "NoError", 0, "", null));
        assertEquals("ownerDied=true", died.value());
        assertEquals(Boolean.TRUE, OwnerDied.of(died.value()));
        assertEquals(Boolean.FALSE, OwnerDied.of(lockDone(new Reply(4, true, new LockTaken(false), "NoError", 0, "", null)).value()));
        HistoryEvent silent = lockDone(new Reply(5, true, null, "NoError", 0, "", null));
        assertNull(silent.value());
        assertNull(OwnerDied.of(silent.value()));
    }
}
