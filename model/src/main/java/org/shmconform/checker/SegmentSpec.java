package org.shmconform.checker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.shmconform.spi.NativeName;
import java.util.SortedSet;
import org.shmconform.model.ModelOp;
import org.shmconform.model.ModelState;
import org.shmconform.model.Profile;
import org.shmconform.model.SegmentModel;

/**
 * The segment model under one profile, as the linearizability search sees it.
 *
 * <p>Partition (Porcupine's, P-compositionality): by groups of processes, not by key alone. A
 * process's lock, unlock, read, write, detach and kill act on whatever key its object has at that
 * moment, which only the search knows, so every op of a process stays in one part, and two processes
 * are in one part when they ever name related keys: the same key name in any key space or namespace
 * (the rules compare spaces and blame the space that has a key, and nested namespaces see each
 * other's), or one name ending in "|" plus the other (what those comparisons match on), or the same
 * hand-over socket path (serveFd/attachFd). The model's state is then a product over the parts:
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
        if (profile.retryRemovesOrphan()) {
            // Qt 6.8's System V: a key file made for one key may ftok to the segment of another whose key file was
            // unlinked (LockRules.keyFileUnlinked), so no two keys are independent: one part.
            return List.of(List.copyOf(ops));
        }
        Map<String, String> parent = new HashMap<>();
        Map<String, String> firstUser = new LinkedHashMap<>(); // resource -> a process that names it
        for (Operation<ModelOp> op : ops) {
            String p = op.process();
            parent.putIfAbsent(p, p);
            for (String resource : resources(op.input())) {
                String other = firstUser.putIfAbsent(resource, p);
                if (other != null) {
                    union(parent, p, other);
                }
            }
            String child = op.input().args().child();
            if (child != null) { // spawnChild: the child starts attached to its parent's segment without naming its key
                parent.putIfAbsent(child, child);
                union(parent, p, child);
            }
        }
        // Key names one of which ends in "|" + the other: KeySpaceRules compares them that way.
        List<String> keys = firstUser.keySet().stream().filter(r -> r.startsWith("key:")).map(r -> r.substring(4)).toList();
        for (String a : keys) {
            for (String b : keys) {
                if (!a.equals(b) && a.endsWith("|" + b)) {
                    union(parent, firstUser.get("key:" + a), firstUser.get("key:" + b));
                }
            }
        }
        Map<String, List<Operation<ModelOp>>> parts = new LinkedHashMap<>();
        for (Operation<ModelOp> op : ops) {
            parts.computeIfAbsent(find(parent, op.process()), r -> new ArrayList<>()).add(op);
        }
        return parts.values().stream().map(List::copyOf).toList();
    }

    /** What an op names that another process's op may reach too: its key (by name, whatever the space) and socket path. */
    private static List<String> resources(ModelOp op) {
        List<String> r = new ArrayList<>(2);
        if (op.key() != null && !op.key().isEmpty()) {
            r.add("key:" + op.key());
            // A native name (native-name:<keySpace>:<key>) reaches the named key space's segment of <key> (NativeKeyRules):
            // its ops must be searched with those of the processes that use <key> itself.
            NativeName.in(op.key()).ifPresent(n -> r.add("key:" + n.key()));
        }
        if (op.args().path() != null) {
            r.add("path:" + op.args().path());
        }
        return r;
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
