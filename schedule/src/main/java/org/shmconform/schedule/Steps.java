package org.shmconform.schedule;

/** Readable step constructors for scenarios: {@code create("A", "k", 64)}, {@code lock("B").async()}. */
public final class Steps {
    private Steps() {
    }

    public static Step create(String w, String key, long size) {
        return Step.of(w, "create").key(key).size(size).mode("ReadWrite");
    }

    public static Step attach(String w, String key) {
        return Step.of(w, "attach").key(key).mode("ReadWrite");
    }

    public static Step attachReadOnly(String w, String key) {
        return Step.of(w, "attach").key(key).mode("ReadOnly");
    }

    public static Step detach(String w) {
        return Step.of(w, "detach");
    }

    public static Step lock(String w) {
        return Step.of(w, "lock");
    }

    public static Step unlock(String w) {
        return Step.of(w, "unlock");
    }

    public static Step write(String w, long offset, String text) {
        return Step.of(w, "write").at(offset).data(text);
    }

    public static Step rawWrite(String w, long offset, String text) {
        return Step.of(w, "rawWrite").at(offset).data(text);
    }

    public static Step read(String w, long offset, int length) {
        return Step.of(w, "read").at(offset).length(length);
    }

    public static Step truncate(String w, int length) {
        return Step.of(w, "truncate").length(length);
    }

    public static Step size(String w) {
        return Step.of(w, "size");
    }

    public static Step isAttached(String w) {
        return Step.of(w, "isAttached");
    }

    /** The worker serves its attached segment's descriptor on the hand-over socket {@code name}, to its own user and {@code peer} (may be null). */
    /** Seed M3: a segment on a uniquely named temporary file made from the key as template (QTemporaryFile). */
    public static Step createTemp(String w, String key, long size) {
        return Step.of(w, "createTemp").key(key).size(size).mode("ReadWrite");
    }

    /** Seed M3: the temporary files of the key's template now in the directory. */
    public static Step tempFiles(String w, String key) {
        return Step.of(w, "tempFiles").key(key);
    }

    /** Where the worker's backend puts its objects, each directory with its filesystem type (seeds M6, L2). */
    public static Step placement(String w) {
        return Step.of(w, "placement");
    }

    /** The filesystem type of the directory the run calls {@code name} ("tmp": /tmp, seed L1). */
    public static Step placement(String w, String name) {
        return Step.of(w, "placement").path(name);
    }

    /** The worker's backend puts its files in the directory the run calls {@code name} ("disk", "xdg-runtime"). */
    public static Step placeIn(String w, String name) {
        return Step.of(w, "placeIn").path(name);
    }

    public static Step serveFd(String w, String name, String peer) {
        Step s = Step.of(w, "serveFd").path(name);
        return peer == null ? s : s.peer(peer);
    }

    /** The worker's object takes {@code key} and attaches through the descriptor served on {@code name}. */
    public static Step attachFd(String w, String key, String name) {
        return Step.of(w, "attachFd").key(key).path(name).mode("ReadWrite");
    }

    /**
     * The worker {@code parent} starts the worker {@code child} as a child process of its own, which inherits
     * the attached segment's descriptor and attaches through it (seed L5). {@code child} is declared among the
     * schedule's workers like any other (same column, environment, group, user and TMPDIR as its parent) but
     * the engine does not start it: this step does.
     */
    public static Step spawnChild(String parent, String child) {
        return Step.of(parent, "spawnChild").child(child);
    }

    /** A real SIGKILL of the worker by the engine. */
    public static Step kill(String w) {
        return Step.of(w, "kill");
    }
}
