package org.shmconform.checker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.shmconform.spi.Args;
import org.shmconform.spi.BackendSemantics;
import org.shmconform.history.Execution;
import org.shmconform.history.Ending;
import org.shmconform.history.EventType;
import org.shmconform.history.HistoryEvent;
import org.shmconform.history.Nemesis;
import org.shmconform.model.ModelOp;
import org.shmconform.model.SegmentModel;
import org.shmconform.model.ModelOp.Outcome;

/**
 * Pairs a history's invokes with their completions and turns them into the model's operations.
 * A worker's death (a nemesis kill, or a crash during an op) becomes an op of its own, so the
 * kernel's exit effects happen at a point in time like everything else.
 */
public final class HistoryOps {
    private HistoryOps() {
    }

    /** @param semantics the declared semantics of each worker's implementation (for key spaces and visibility) */
    public static List<CheckedOp> of(Execution execution, Map<String, BackendSemantics> semantics) {
        List<CheckedOp> ops = new ArrayList<>();
        Map<String, HistoryEvent> open = new HashMap<>();
        Set<String> keepingAHandle = new HashSet<>();
        // The kills in progress, by the worker each kills: a kill of a process with a second object in it is one kill per
        // object, overlapping (WorkerSpec.process: the engine records all their invokes, then all their ends).
        Map<String, HistoryEvent> killInvokes = new java.util.LinkedHashMap<>();
        List<Span> spans = spans(execution);
        for (HistoryEvent e : everyInvokeAnswered(execution.history().events())) {
            if (Nemesis.is(e.process())) {
                if (e.type() == EventType.invoke) {
                    killInvokes.put(String.valueOf(e.value()), e);
                } else {
                    HistoryEvent killInvoke = e.value() != null ? killInvokes.remove(e.value())
                            : killInvokes.isEmpty() ? null : killInvokes.remove(killInvokes.keySet().iterator().next());
                    if (killInvoke != null) {
                        ops.add(death(ops.size(), e.value() != null ? e.value() : killInvoke.value(), killInvoke.time(), e.time(),
                                killInvoke.index(), e.type() == EventType.info, execution, semantics));
                    }
                }
                continue;
            }
            if (e.type() == EventType.invoke) {
                open.put(e.process(), e);
                continue;
            }
            HistoryEvent invoke = open.remove(e.process());
            if (invoke == null) {
                continue;
            }
            // info: CRASHED the worker died in the op; BLOCKED the kernel saw the op asleep in a lock
            // wait when the engine gave up on it; anything else (KILLED, TIMEOUT: the reply deadline
            // passed unconfirmed, which also makes the execution UNKNOWN) leaves the op indeterminate.
            Outcome outcome = switch (e.type()) {
                case ok -> Outcome.OK;
                case fail -> Outcome.FAIL;
                default -> Ending.CRASHED.is(e.note()) ? Outcome.CRASH
                        : Ending.BLOCKED.is(e.note()) ? Outcome.BLOCKED : Outcome.OK;
            };
            boolean optional = e.type() == EventType.info && outcome == Outcome.OK;
            String value = outcome == Outcome.CRASH
                    ? (e.value() != null ? e.value() + ", " : "") + "exit status " + e.exitStatus() : e.value();
            ModelOp op = modelOp(invoke, e, outcome, value, execution, semantics);
            boolean returned = e.type() == EventType.ok || e.type() == EventType.fail;
            BackendSemantics column = semantics.get(execution.workers().get(op.process()).impl());
            // An op that never returned was still blocked when the engine gave up on it: it is placed at
            // that moment. Placed earlier in its interval it could "explain" itself by a holder that has
            // since died or unlocked, and a lock that is never released would go unnoticed.
            long call = outcome == Outcome.BLOCKED ? e.time() : invoke.time();
            if ((outcome == Outcome.BLOCKED || optional) && (invoke.f().equals("create") || invoke.f().equals("attach"))) {
                // A blocked create() has two parts: it keys its object before its locker waits (somewhere in the op's
                // interval), and waits (at the give-up moment). The checker only places the first; what keying does is
                // the model's to say (LockRules.keyedByBlockedCreate: a lock reset where the profile keys in Create mode).
                // A create() that never returned for another reason (killed by the schedule, a deadline) may have
                // done the same before it ended, or not: there the keying is optional too (fuzz qt seed 145, 3 of 3
                // on real Qt 6.4: A holds, B waits, C's create releases B and waits behind it until C is killed).
                // An attach() keys too, and both clean a failed create's kept handle first (SegmentModel.ATTACH_KEYED).
                ops.add(part(ops.size(), op, invoke.f().equals("create") ? SegmentModel.CREATE_KEYED : SegmentModel.ATTACH_KEYED,
                        invoke, e, optional));
            } else if (invoke.f().equals("attach") && returned && !"KeyError".equals(e.error())
                    && (splitsLock(column) || sharesKeyFile(column)) && createOverlaps(op, invoke, e, execution, semantics, spans)) {
                // POSIX: its initKey sem_opened the name before its locker waited, and another process's create of the key
                // overlapping it may have sem_unlinked that semaphore and made a fresh one meanwhile: the attach keeps the
                // one it opened (LockRules.openedBeforeItsLockerWaits, fuzz qt68-posix seed 982342, 3/3 on Qt 6.8.2).
                // Optional: the call taken whole is one reading too. It cleans no kept handle (System V only).
                // Qt 6.8's System V with the key file shared by segment and set: its initKey's handle() made the key file
                // (none was there) before its locker waited, and the overlapping create made its segment on that file
                // meanwhile: the attach's object made the file, which its next re-key unlinks under that segment
                // (LockRules.attachKeyedMadeTheKeyFile).
                ops.add(part(ops.size(), op, SegmentModel.ATTACH_KEYED, invoke, e, true));
            } else if (keepingAHandle.contains(op.process()) && (invoke.f().equals("create") || invoke.f().equals("attach"))) {
                // A call that returned ran its cleanHandle of a failed create's kept handle first, which may have been
                // before a peer's last detach that the rest of the call follows (SegmentModel.HANDLE_CLEANED): optional,
                // as the call taken whole is one reading too.
                ops.add(part(ops.size(), op, SegmentModel.HANDLE_CLEANED, invoke, e, true));
            }
            if (invoke.f().equals("create") && returned && resetsLock(column)
                    && anotherOverlaps(spans, op.process(), invoke.time(), e.time())) {
                // A create() that returned keyed its object in Create mode (re-initialising the set) before its locker
                // waited, possibly long before it returned: a process waiting in lock() may have taken the reset lock
                // meanwhile (fuzz qt68-sysv seed 21824, LOCK-EXCLUSIVE 3/3 on Qt 6.8.2 with `--workers 4 --length 24`:
                // B holds, A waits, C's create resets the set and lets A in, then waits behind A until the kills).
                // Optional, as for a create that never returned; only where another process's op (or a kill) overlaps
                // the call in real time, since elsewhere nothing can tell the two placings apart: one that returned
                // within it, and one that began before it or within it and returned after it (or never) alike, as its
                // point may lie between the keying and the rest of the call. A create that never returned has its
                // keying placed apart above already: one part per call, never two.
                ops.add(part(ops.size(), op, SegmentModel.CREATE_KEYED, invoke, e, true));
            }
            if (outcome == Outcome.FAIL && "KeyError".equals(e.error()) && e.errorString() != null
                    && e.errorString().contains("ftok failed") && (invoke.f().equals("create") || invoke.f().equals("attach"))) {
                // Its QSystemSemaphore handle() made or found the key file somewhere in the call's interval, and its ftok
                // failed later: another object's op that unlinked the file may lie between the two (SegmentModel.
                // KEY_FILE_MADE, fuzz qt68-sysv-native seed 484555). Optional: the call taken whole is one reading too.
                ops.add(part(ops.size(), op, SegmentModel.KEY_FILE_MADE, invoke, e, true));
            }
            if (invoke.f().equals("create") && outcome == Outcome.FAIL && "AlreadyExists".equals(e.error())) {
                keepingAHandle.add(op.process()); // Qt 6.8's System V create keeps it (LifecycleRules.markOrphanHandle)
            }
            ops.add(new CheckedOp(ops.size(), op, call, e.time(), optional, invoke.index()));
            if (outcome == Outcome.CRASH) {
                // The worker died somewhere in the crashing op's interval, not at the moment the engine saw its end: the
                // kernel runs a dying process's exit effects (a System V lock's undo, its detaches) before its stdout
                // closes, and the engine stamps the end after reading that close and reaping it. A waiter let in by the
                // undo may reply before that stamp (real Qt 6.4: C create; A attach read-only; B attach; A lock; B lock,
                // async; A rawWrite, SIGSEGV: LOCK-EXCLUSIVE FAIL in 5 of 6 replays when the death was a point there).
                ops.add(death(ops.size(), e.process(), invoke.time(), e.time(), e.index(), false, execution, semantics));
            }
        }
        return ops;
    }

    /**
     * A part of {@code op}'s call placed apart: {@code f} by the same process on the same key, somewhere in the call's
     * interval ({@code invoke} to {@code end}).
     */
    private static CheckedOp part(int id, ModelOp op, String f, HistoryEvent invoke, HistoryEvent end, boolean optional) {
        ModelOp part = new ModelOp(op.process(), f, op.args(), op.realKeyLength(), Outcome.OK, null, null, op.space(), op.user());
        return new CheckedOp(id, part, invoke.time(), end.time(), optional, invoke.index());
    }

    /** A column (null: one without declared semantics) whose create re-initialises the one set of its key (System V Qt). */
    private static boolean resetsLock(BackendSemantics b) {
        return b != null && b.keyingResetsLock() && !b.keyingSplitsLock();
    }

    /**
     * Whether an op of a process other than {@code p} (the nemesis's kills included) overlaps {@code from} to {@code to}
     * in real time: invoked before {@code to}, and returned after {@code from} or never. Which of the two ends fell
     * inside the interval is the timing's: the op's point may lie inside it either way.
     */
    private static boolean anotherOverlaps(List<Span> spans, String p, long from, long to) {
        return spans.stream().anyMatch(s -> !s.process().equals(p) && s.overlaps(from, to));
    }

    /** A column (null: one without declared semantics) whose keying splits the lock. */
    private static boolean splitsLock(BackendSemantics b) {
        return b != null && b.keyingSplitsLock();
    }

    private static boolean sharesKeyFile(BackendSemantics b) {
        return b != null && b.lockSharesKeyFile() && b.retryRemovesOrphan();
    }

    /** An op's real-time interval, the nemesis's kills included ({@code to}: {@link Long#MAX_VALUE} when it never returned). */
    private record Span(String process, String f, String key, long from, long to) {
        boolean overlaps(long otherFrom, long otherTo) {
            return from < otherTo && to > otherFrom;
        }
    }

    /** Every op's interval, read once per history (each process has one op at a time in flight). */
    private static List<Span> spans(Execution execution) {
        List<Span> spans = new ArrayList<>();
        Map<String, HistoryEvent> open = new HashMap<>();
        for (HistoryEvent e : execution.history().events()) {
            if (e.type() == EventType.invoke) {
                HistoryEvent unanswered = open.put(e.process(), e);
                if (unanswered != null) {
                    spans.add(new Span(e.process(), unanswered.f(), unanswered.key(), unanswered.time(), Long.MAX_VALUE));
                }
            } else {
                HistoryEvent invoke = open.remove(e.process());
                if (invoke != null) {
                    spans.add(new Span(e.process(), invoke.f(), invoke.key(), invoke.time(), e.time()));
                }
            }
        }
        open.values().forEach(i -> spans.add(new Span(i.process(), i.f(), i.key(), i.time(), Long.MAX_VALUE)));
        return spans;
    }

    /** Whether another process's create of the attach's key, in its key space, overlaps the attach in real time. */
    private static boolean createOverlaps(ModelOp attach, HistoryEvent invoke, HistoryEvent done, Execution execution,
                                          Map<String, BackendSemantics> semantics, List<Span> spans) {
        return invoke.key() != null && !invoke.key().isEmpty() && spans.stream().anyMatch(c -> "create".equals(c.f())
                && !Nemesis.is(c.process()) && !c.process().equals(attach.process()) && invoke.key().equals(c.key())
                && c.overlaps(invoke.time(), done.time()) && attach.space().equals(space(c.process(), execution, semantics)));
    }

    private static ModelOp modelOp(HistoryEvent invoke, HistoryEvent done, Outcome outcome, String value, Execution x,
                                   Map<String, BackendSemantics> semantics) {
        String key = invoke.key();
        int realLength = key == null || key.isEmpty() ? 0 : x.keyPrefix().length() + key.length();
        Args args = invoke.f().equals("read") ? invoke.args().withDataHex(done.data()) : invoke.args();
        return new ModelOp(invoke.process(), invoke.f(), args, realLength, outcome, done.error(), value,
                space(invoke.process(), x, semantics), x.workers().get(invoke.process()).user());
    }

    private static CheckedOp death(int id, String worker, long call, long ret, int index, boolean optional, Execution x,
                                   Map<String, BackendSemantics> semantics) {
        ModelOp op = new ModelOp(worker, Nemesis.KILL, Args.NONE, 0, Outcome.DEATH, null, null,
                space(worker, x, semantics), x.workers().get(worker).user());
        return new CheckedOp(id, op, call, ret, optional, index);
    }

    /**
     * The events with a completion for every invoke that has none: the history ended, or the process's next invoke
     * came, before its op was answered (an execution the harness abandoned midway, an async lock still in flight then).
     * Such an op may have taken effect at any point after its invoke, or never: an info with no ending (so the op is
     * indeterminate, and a kill's death optional) that never returned. Left out, it counted as surely not done, and a
     * peer that saw it done (an attach finding its create's segment, a lock blocked behind it) was a FAIL.
     */
    static List<HistoryEvent> everyInvokeAnswered(List<HistoryEvent> events) {
        List<HistoryEvent> out = new ArrayList<>();
        Map<String, HistoryEvent> open = new java.util.LinkedHashMap<>();
        for (HistoryEvent e : events) {
            // The nemesis's kills are told apart by the worker they kill: the kills of one process's objects overlap.
            String who = Nemesis.is(e.process()) ? e.process() + "|" + e.value() : e.process();
            if (e.type() == EventType.invoke) {
                HistoryEvent unanswered = open.put(who, e);
                if (unanswered != null) {
                    out.add(neverAnswered(unanswered));
                }
            } else {
                open.remove(who);
            }
            out.add(e);
        }
        open.values().stream().sorted(java.util.Comparator.comparingInt(HistoryEvent::index)).map(HistoryOps::neverAnswered)
                .forEach(out::add);
        return out;
    }

    private static HistoryEvent neverAnswered(HistoryEvent invoke) {
        // A kill keeps the worker it kills (its value), by which its end is paired with its invoke.
        return new HistoryEvent(invoke.index(), Long.MAX_VALUE, invoke.process(), EventType.info, invoke.f(), Args.NONE,
                Nemesis.is(invoke.process()) ? invoke.value() : null, null, null, null, null);
    }

    /** Key space of the backend plus the namespace identity its visibility follows. */
    static String space(String worker, Execution x, Map<String, BackendSemantics> semantics) {
        Execution.WorkerInfo info = x.workers().get(worker);
        BackendSemantics s = semantics.get(info.impl());
        String ns = switch (s.visibility()) {
            // A System V key is ftok() of a key file in TMPDIR: different TMPDIRs never meet (P2).
            case IPC_NAMESPACE -> info.namespaces().get("ipc") + "#" + info.namespaces().getOrDefault("tmpdir", "run");
            case DEV_SHM_MOUNT -> info.namespaces().get("shm");
            case PID_NAMESPACE -> info.namespaces().get("pid");
        };
        return org.shmconform.model.ModelKey.space(s.keySpace(), ns);
    }
}
