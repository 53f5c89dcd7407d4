package org.shmconform.fuzz;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.shmconform.checker.CheckedOp;
import org.shmconform.checker.Declarations;
import org.shmconform.checker.HistoryOps;
import org.shmconform.history.Execution;
import org.shmconform.model.Lock;
import org.shmconform.model.ModelOp;
import org.shmconform.model.ModelState;
import org.shmconform.model.Profile;
import org.shmconform.model.SegmentModel;
import org.shmconform.spi.BackendSemantics;

/**
 * Which model transitions a run exercised: the history's operations are walked through the model
 * ({@link SegmentModel} under the column's declared profile) in the order they completed, and each
 * accepted step is named by a small abstraction of the state it left from, the operation and its
 * outcome: "seg=yes att=1 lock=other me=attached | lock -> BLOCKED". The abstraction is what the
 * operation's own worker sees of its key: does the segment exist, how many are attached (0, 1,
 * 2+), who holds the lock (free, me, another, a dead one, nobody knows after Qt 6.4 re-initialised
 * it), and its own object (fresh, keyed but detached, attached read-write or read-only, holding);
 * with descriptor hand-over (seed L5), whether someone serves at the op's socket name (nobody, the op's
 * own worker, another) and whether its own worker serves: so serveFd, attachFd and spawnChild in each
 * of those states are transitions of their own.
 *
 * <p>The walk takes the first next state where the model leaves a choice open and skips an
 * operation the model does not accept in that order (a concurrent op placed elsewhere by the
 * checker, or the bug the run found): coverage counts transitions the model accepted, nothing else.
 */
public final class TransitionCoverage {
    private TransitionCoverage() {
    }

    /** The transitions the execution exercised, under the declared profile of {@code impl}. */
    public static Set<String> of(Execution x, String impl, Declarations declarations) {
        Map<String, BackendSemantics> semantics = new TreeMap<>();
        for (Execution.WorkerInfo w : x.workers().values()) {
            semantics.computeIfAbsent(w.impl(), declarations::semantics);
        }
        semantics.computeIfAbsent(impl, declarations::semantics);
        Profile profile = Profile.declared(declarations.profileName(impl), semantics.get(impl));
        List<CheckedOp> ops = new ArrayList<>(HistoryOps.of(x, semantics));
        ops.sort(Comparator.comparingLong(CheckedOp::ret).thenComparingInt(CheckedOp::invokeIndex));
        Set<String> seen = new TreeSet<>();
        ModelState state = ModelState.initial();
        for (CheckedOp c : ops) {
            SegmentModel.Step step;
            try {
                step = SegmentModel.step(profile, state, c.op());
            } catch (RuntimeException e) {
                continue; // the checker's business, not coverage's
            }
            if (step.legal()) {
                seen.add(abstraction(state, c.op()) + " | " + c.op().f() + " -> " + outcome(c.op()));
                state = step.next().get(0);
            }
        }
        return seen;
    }

    static String outcome(ModelOp op) {
        return op.outcome() == ModelOp.Outcome.FAIL && op.error() != null ? "FAIL " + op.error() : op.outcome().name();
    }

    /** The state as the op's worker sees it. */
    static String abstraction(ModelState s, ModelOp op) {
        ModelState.Worker me = s.worker(op.process());
        String key = op.key() != null ? op.space() + "|" + op.key() : me.key();
        ModelState.Segment seg = key == null ? null : s.segments().get(key);
        int attached = seg == null ? 0 : seg.attached().size();
        Lock lock = key == null ? null : s.lockSeenBy(op.process(), key); // the generation it has open, where keying splits the lock
        String holder;
        if (lock instanceof Lock.HeldBy h) {
            holder = h.process().equals(op.process()) ? "me" : s.worker(h.process()).dead() ? "dead" : "other";
        } else if (lock instanceof Lock.OwnerDead) {
            holder = "owner-dead"; // a robust lock whose holder died: the next locker is told
        } else {
            holder = lock == null ? "free" : "reinit";
        }
        String self = me.attached() ? (me.readOnly() ? "attached-ro" : "attached") : me.key() != null ? "keyed" : "fresh";
        boolean rekey = op.key() != null && me.key() != null && !op.key().isEmpty() && !key.equals(me.key());
        return "seg=" + (seg == null ? "no" : "yes") + " att=" + (attached >= 2 ? "2+" : attached) + " lock=" + holder
                + " me=" + self + (me.locked() ? "+locked" : "") + (rekey ? " rekey" : "") + handOver(s, op);
    }

    /** The hand-over part of the abstraction: empty unless the op hands over or its worker serves. */
    static String handOver(ModelState s, ModelOp op) {
        String h = "";
        if (op.args().path() != null && (op.f().equals("serveFd") || op.f().equals("attachFd"))) {
            ModelState.Server at = s.servers().get(op.args().path());
            h = " srv=" + (at == null ? "none" : at.process().equals(op.process()) ? "me" : "other");
        }
        if (s.servers().values().stream().anyMatch(v -> v.process().equals(op.process()))) {
            h += " serving";
        }
        return h;
    }
}
