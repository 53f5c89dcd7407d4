package org.shmconform.history;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Optional;

/**
 * Why an op ended without a reply, or why the engine killed a worker: the note of an {@code info}
 * completion and of the nemesis's kill events. The engine writes these words and the checker reads
 * them; the spellings are those of the history files, which therefore do not change.
 */
public enum Ending {
    /** The schedule's nemesis killed the worker: its op in flight may have taken effect or not. */
    KILLED("killed"),
    /** The worker died of a signal during the op (a real crash, e.g. SIGBUS past a truncated end). */
    CRASHED("crashed"),
    /** The reply deadline passed without the kernel seeing the op blocked: indeterminate, and a harness problem. */
    TIMEOUT("timeout"),
    /** The kernel saw the op asleep in a lock wait when the engine ended it: the model judges a blocked op. */
    BLOCKED("blocked"),
    /**
     * The worker ended during the op by no fault of its own and not by the engine (an OOM kill, a stopped container, an
     * operator's signal): indeterminate, and a harness problem ({@code Execution#ENDED_FROM_OUTSIDE}).
     */
    FROM_OUTSIDE("ended from outside");

    private final String note;

    Ending(String note) {
        this.note = note;
    }

    /** The word in the history's {@code note} field. */
    @JsonValue
    public String note() {
        return note;
    }

    /** Whether an event's note is this ending. */
    public boolean is(String eventNote) {
        return note.equals(eventNote);
    }

    /** The ending an event's note names, if it names one (a note may also carry other context). */
    public static Optional<Ending> of(String eventNote) {
        for (Ending e : values()) {
            if (e.is(eventNote)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}
