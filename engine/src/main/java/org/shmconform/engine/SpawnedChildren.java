package org.shmconform.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.shmconform.backends.host.ProcText;
import org.shmconform.engine.launch.SpawnedChildHandle;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.ScheduleValidation;
import org.shmconform.schedule.WorkerSpec;
import org.shmconform.spi.SegmentError;
import org.shmconform.worker.protocol.WorkerProtocol.Hello;
import org.shmconform.worker.protocol.WorkerProtocol.Inherited;
import org.shmconform.worker.protocol.WorkerProtocol.Reply;
import org.shmconform.worker.protocol.WorkerProtocol.Spawned;

/**
 * The workers of one execution that another worker starts as its child (spawnChild, seed L5): which
 * they are, and the engine's side of their start. Before the parent is asked, the engine makes the
 * child's stdin/stdout/stderr FIFOs ({@link SpawnedChildHandle}) and starts reading them; the parent
 * starts the child (its own process, the inherited descriptor at 3); the engine then pins the child
 * by a pidfd and waits for its hello, which says whether it attached through the descriptor. The op
 * completes with that: ok only if the parent started the child with the descriptor and the child attached.
 */
final class SpawnedChildren {
    /** A child whose FIFOs are ready, before its parent's reply. */
    private record Prepared(String id, SpawnedChildHandle handle, WorkerProcess process) {
    }

    /**
     * How a spawnChild ended: the reply to record, when, and the child's process and hello if it said one
     * ({@code problem}: why the step could not be performed as a step; the op is then indeterminate).
     */
    record Outcome(Reply reply, long nanos, WorkerProcess child, Hello hello, String problem, String note) {
        boolean started() {
            return child != null && hello != null;
        }
    }

    private final Map<String, String> parents;
    private final Map<String, Prepared> prepared = new HashMap<>();

    SpawnedChildren(Schedule schedule) {
        this.parents = ScheduleValidation.parents(schedule);
    }

    /** Whether {@code worker} is started by a spawnChild step rather than with the schedule. */
    boolean isChild(String worker) {
        return parents.containsKey(worker);
    }

    /** Why the parent cannot start a child the engine could talk to, or null. */
    static String cannotSpawn(WorkerSpec parent, OptionalLong parentHostPid) {
        if (parent.env().startsWith("docker")) {
            return "spawnChild needs the child's stdin/stdout FIFOs on the host's filesystem, which a container does not see";
        }
        return parentHostPid.isEmpty() ? "the parent's pid is unknown, so its child could not be found" : null;
    }

    /**
     * The child's FIFOs (its user's, in a directory of ours that it can only pass through: {@link RunContext#childFifoDirectory})
     * and the engine's reader threads; returns the base path the parent gets.
     */
    Path prepare(RunContext run, String prefix, WorkerSpec child, Path log) throws IOException {
        run.noteWorkerUser(child.user()); // what it makes in /dev/shm is the run's (Reaper)
        Path base = run.childFifoDirectory().resolve(prefix + "-" + child.id());
        SpawnedChildHandle handle = SpawnedChildHandle.prepare(base, child.user() == null ? -1 : Users.uid(child.user()));
        prepared.put(child.id(), new Prepared(child.id(), handle, new WorkerProcess(child.id(), handle, log)));
        return base;
    }

    /** After the parent's reply to spawnChild: pins the child, waits for its hello, and says how the op ends. */
    Outcome finish(String child, Reply parent, long parentNanos, OptionalLong parentHostPid, Duration startDeadline)
            throws InterruptedException {
        Prepared p = prepared.remove(child);
        if (p == null) {
            return new Outcome(parent, parentNanos, null, null, "the engine prepared no child " + child, null);
        }
        Spawned spawned = parent.value(Spawned.class);
        Reply withoutValue = new Reply(parent.seq(), parent.ok(), null, parent.error(), parent.errorCode(), parent.errorString(),
                parent.protocolError());
        if (spawned == null) { // the parent started nothing: the op failed as it says
            p.process().shutdown(Duration.ZERO);
            return new Outcome(withoutValue, parentNanos, null, null, null, null);
        }
        OptionalLong host = parentHostPid.isPresent() ? hostPidOfChild(parentHostPid.getAsLong(), spawned.child()) : OptionalLong.empty();
        // Pinned, then found again: the pid read first may have been freed meanwhile (the parent reaps a child that dies at
        // once) and taken by any process, which the child's kill would then signal. Found again under the pin, the number
        // is the parent's child's while the pin holds, or that child died and the pin reaches nothing.
        org.shmconform.backends.host.Pidfd pin = host.isPresent() ? org.shmconform.backends.host.Pidfd.open(host.getAsLong()) : null;
        if (pin != null && !hostPidOfChild(parentHostPid.getAsLong(), spawned.child()).equals(host)) {
            pin.close();
            pin = null;
        }
        if (pin == null) {
            // Gone already, or never ours to find: its FIFOs end when it does.
            p.process().shutdown(Duration.ZERO);
            return new Outcome(withoutValue, parentNanos, null, null, "child " + child + " (pid " + spawned.child()
                    + " in its parent's namespace) is not among its parent's children", null);
        }
        p.handle().started(host.getAsLong(), pin);
        Hello hello = p.process().awaitHello(startDeadline);
        long now = System.nanoTime();
        if (hello == null || hello.pid() != spawned.child()) {
            p.process().killAndReap(startDeadline);
            p.process().shutdown(Duration.ZERO);
            return new Outcome(withoutValue, now, null, null, "child " + child + " (pid " + spawned.child() + ") did not say hello"
                    + (hello == null ? "" : " (its hello names pid " + hello.pid() + ")"), null);
        }
        String note = "child " + child + " is pid " + hello.pid() + " (host pid " + host.getAsLong() + ")";
        Inherited inherited = hello.inherited();
        if (!parent.ok()) { // started without the descriptor: the parent's reply says why
            return new Outcome(withoutValue, now, p.process(), hello, null, note);
        }
        if (inherited == null) {
            Reply silent = new Reply(parent.seq(), false, null, SegmentError.UnknownError.name(), SegmentError.UnknownError.qtValue(),
                    "the child's hello says nothing of the inherited descriptor", null);
            return new Outcome(silent, now, p.process(), hello, null, note);
        }
        Integer code = errorCode(inherited.error());
        Reply combined = new Reply(parent.seq(), inherited.ok(), null, inherited.error(), code, inherited.errorString(), null);
        return new Outcome(combined, now, p.process(), hello, null, note);
    }

    /** Every child prepared whose parent never answered (the parent died, the run ended): their FIFOs go. */
    void releaseUnfinished() throws InterruptedException {
        for (Prepared p : List.copyOf(prepared.values())) {
            p.process().shutdown(Duration.ZERO);
        }
        prepared.clear();
    }

    private static Integer errorCode(String error) {
        try {
            return SegmentError.valueOf(error).qtValue();
        } catch (RuntimeException e) {
            return SegmentError.UnknownError.qtValue();
        }
    }

    /**
     * The child {@code nsPid} (as its parent's pid namespace numbers it) among the children of any thread
     * of {@code parentHostPid}, as the harness's namespace numbers it.
     */
    static OptionalLong hostPidOfChild(long parentHostPid, long nsPid) {
        try {
            for (long child : ProcText.children(parentHostPid)) {
                if (lastNsPid(child) == nsPid) {
                    return OptionalLong.of(child);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the parent is gone, or the kernel has no children file: not found
        }
        return OptionalLong.empty();
    }

    private static long lastNsPid(long hostPid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(hostPid), "status"), StandardCharsets.US_ASCII)) {
            if (line.startsWith("NSpid:")) {
                String[] ids = line.substring(6).trim().split("\\s+");
                return Long.parseLong(ids[ids.length - 1]);
            }
        }
        return hostPid;
    }
}
