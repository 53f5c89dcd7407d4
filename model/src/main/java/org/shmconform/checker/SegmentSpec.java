package org.shmconform.checker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import org.shmconform.model.ModelOp;
import org.shmconform.model.ModelState;
import org.shmconform.model.Profile;
import org.shmconform.model.SegmentModel;
import org.shmconform.model.Ties;

/**
 * The segment model under one profile, as the linearizability search sees it.
 *
 * <p>Partition (Porcupine's, P-compositionality): by groups of processes, not by key alone. A
 * process's lock, unlock, read, write, detach and kill act on whatever key its object has at that
 * moment, which only the search knows, so every op of a process stays in one part, and two processes
 * are in one part when their ops are tied: what ties them is the model's to say ({@link Ties}: the same
 * key name in any space, a native name, a hand-over socket path, a spawned child, a key file that may reach
 * another key's objects). The model's state is then a product over the parts:
 * workers, orphans and semaphore handles by process, segments, locks, causes and semaphore names by
 * key, servers by path, and observations a union; so the history is linearizable iff every part is,
 * and each part is searched with a bound of its own. A schedule on one shared key is one part, as
 * before; what the partition changes is a long history of workers on disjoint keys, which would
 * otherwise exhaust one search bound. When two parts both violate, the one whose first op came first
 * is reported (the unpartitioned search reported the deepest failure of the whole history).
 */
public record SegmentSpec(Profile profile) implements Model<ModelState, ModelOp> {
    @Override
    public ModelState init() {
        return ModelState.initial();
    }

    @Override
    public Transition<ModelState> step(ModelState state, ModelOp op) {
        SegmentModel.Step s = SegmentModel.step(profile, state, op);
        return new Transition<>(s.next(), s.violated(), s.why());
    }

    @Override
    public String describeOperation(ModelOp op) {
        return op.process() + " " + op.f() + " returned " + SegmentModel.describe(op);
    }

    @Override
    public String describeState(ModelState state) {
        return StateText.of(state);
    }

    @Override
    public SortedSet<String> observations(ModelState state) {
        return state.observations();
    }

    @Override
    public List<List<Operation<ModelOp>>> partition(List<Operation<ModelOp>> ops) {
        Map<String, String> parent = new HashMap<>();
        Map<String, String> firstUser = new LinkedHashMap<>(); // name -> a process that names it
        for (Operation<ModelOp> op : ops) {
            String p = op.process();
            parent.putIfAbsent(p, p);
            Ties ties = Ties.of(profile, op.input());
            for (String name : ties.names()) {
                String other = firstUser.putIfAbsent(name, p);
                if (other != null) {
                    union(parent, p, other);
                }
            }
            for (String brought : ties.processes()) {
                parent.putIfAbsent(brought, brought);
                union(parent, p, brought);
            }
        }
        List<String> keys = firstUser.keySet().stream().filter(r -> r.startsWith(Ties.key(""))).toList();
        for (String a : keys) {
            for (String b : keys) {
                if (!a.equals(b) && Ties.sameKey(a.substring(Ties.key("").length()), b.substring(Ties.key("").length()))) {
                    union(parent, firstUser.get(a), firstUser.get(b));
                }
            }
        }
        Map<String, List<Operation<ModelOp>>> parts = new LinkedHashMap<>();
        for (Operation<ModelOp> op : ops) {
            parts.computeIfAbsent(find(parent, op.process()), r -> new ArrayList<>()).add(op);
        }
        return parts.values().stream().map(List::copyOf).toList();
    }

    private static String find(Map<String, String> parent, String p) {
        String root = p;
        while (!parent.get(root).equals(root)) {
            root = parent.get(root);
        }
        parent.put(p, root);
        return root;
    }

    private static void union(Map<String, String> parent, String a, String b) {
        String ra = find(parent, a);
        String rb = find(parent, b);
        if (!ra.equals(rb)) {
            parent.put(ra.compareTo(rb) < 0 ? rb : ra, ra.compareTo(rb) < 0 ? ra : rb);
        }
    }

    /** The checker's ops as the search's. */
    static Operation<ModelOp> operation(CheckedOp c) {
        return new Operation<>(c.id(), c.op().process(), c.op(), c.call(), c.ret(), c.optional(), c.invokeIndex());
    }
}
