package org.shmconform.history;

/**
 * Jepsen's vocabulary: an operation is an {@code invoke} followed by one completion: {@code ok}
 * (the call returned true), {@code fail} (it returned false, with Qt's error), or {@code info}
 * (indeterminate: the worker died or was killed before it replied, or never replied in time).
 */
public enum EventType {
    invoke, ok, fail, info
}
