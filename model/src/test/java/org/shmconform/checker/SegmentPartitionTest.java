package org.shmconform.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import org.junit.jupiter.api.Test;
import org.shmconform.model.ModelOp;
import org.shmconform.model.ModelState;
import org.shmconform.model.Profile;
import org.shmconform.model.Property;
import org.shmconform.spi.BackendSemantics;
import org.shmconform.spi.NativeName;

/** The segment model's partition (Porcupine's): by groups of processes that name related keys. */
class SegmentPartitionTest {
    private static final SegmentSpec DOCUMENTED = new SegmentSpec(Profile.DOCUMENTED);

    @Test
    void workersOnDisjointKeysArePartsAndARekeyOrASharedKeyJoinsThem() {
        List<Operation<ModelOp>> ops = new ArrayList<>(List.of(
                at(0, call("A", "create", "k")), at(1, call("B", "attach", "k")), at(2, call("C", "create", "j")),
                at(3, call("D", "attach", "j")), at(4, HistoryGenerator.call("B", "lock", null, null, null, null, null, null)),
                at(5, HistoryGenerator.kill("D"))));
        assertEquals(List.of(List.of("A", "B", "B"), List.of("C", "D", "D")), processes(DOCUMENTED.partition(ops)));
        // C re-keys to k: its ops before and after are one program, so both groups are one part now.
        ops.add(at(6, call("C", "attach", "k")));
        assertEquals(1, DOCUMENTED.partition(ops).size());
        // The same key name in another key space or namespace is related too (the rules blame the space that has it).
        List<Operation<ModelOp>> spaces = List.of(at(0, call("A", "create", "k")),
                at(1, inSpace(call("B", "attach", "k"), "other@ns:[2]")));
        assertEquals(1, DOCUMENTED.partition(spaces).size());
    }

    /**
     * Under a profile whose key files may reach another key's objects (lockSharesKeyFile: Qt 6.8's System V with
     * platformSafe or native keys, where an unlinked key file's inode goes to the next one made), workers on different
     * keys are one part; a worker that names no key is still its own. Legacy keys tie them too: the lock's own key file
     * may be unlinked under a live set (Profile.lockKeyFileMayBeReused, fuzz qt seed 3241). The documentation does not.
     */
    @Test
    void keyFilesThatMayReachAnotherKeyTieEveryKeyedWorker() {
        SegmentSpec keyFiles = new SegmentSpec(qt68SystemV(true));
        List<Operation<ModelOp>> ops = List.of(at(0, call("A", "create", "k")), at(1, call("B", "create", "k_1")),
                at(2, HistoryGenerator.call("C", "lock", null, null, null, null, null, null)));
        List<List<String>> tied = List.of(List.of("A", "B"), List.of("C"));
        assertEquals(tied, processes(keyFiles.partition(ops)));
        assertEquals(tied, processes(new SegmentSpec(qt68SystemV(false)).partition(ops)));
        assertEquals(List.of(List.of("A"), List.of("B"), List.of("C")), processes(DOCUMENTED.partition(ops)));
    }

    private static Profile qt68SystemV(boolean lockSharesKeyFile) {
        return new Profile("qt68-sysv", true, false, BackendSemantics.LockOnHolderDeath.RELEASED, BackendSemantics.Resize.NOT_RESIZABLE,
                true, true, false, false, false, lockSharesKeyFile);
    }

    /** A spawned child names no key: it starts attached to its parent's segment, so it is in its parent's part. */
    @Test
    void aSpawnedChildJoinsItsParentsPart() {
        ModelOp spawn = HistoryGenerator.call("A", "spawnChild", null, null, null, null, null, null);
        spawn = new ModelOp(spawn.process(), spawn.f(), spawn.args().withChild("C"), spawn.realKeyLength(), spawn.outcome(), spawn.error(),
                spawn.value(), spawn.space(), spawn.user());
        List<Operation<ModelOp>> family = List.of(at(0, call("A", "create", "k")), at(1, spawn),
                at(2, HistoryGenerator.call("C", "read", null, null, null, 0L, 4, null)), at(3, call("B", "create", "j")));
        assertEquals(List.of(List.of("A", "A", "C"), List.of("B")), processes(DOCUMENTED.partition(family)));
    }

    /** A native name reaches the named key space's segment of its key (seeds N17, M2): one part with the key's own users. */
    @Test
    void aNativeNameJoinsTheProcessesOfItsKey() {
        List<Operation<ModelOp>> ops = List.of(at(0, call("A", "create", NativeName.of("mmapfile", "k"))),
                at(1, inSpace(call("B", "attach", "k"), "mmapfile@ns:[2]")), at(2, call("C", "create", "j")));
        assertEquals(List.of(List.of("A", "B"), List.of("C")), processes(DOCUMENTED.partition(ops)));
    }

    /**
     * The point of it: a violation among many independent, overlapping workers. One search over the
     * whole history must try the interleavings of every other pair before it can give up, and passes
     * its bound (UNKNOWN); searched part by part, the violating pair is decided at once.
     */
    @Test
    void aViolationAmongManyIndependentWorkersIsDecidedInsteadOfUnknown() {
        List<Operation<ModelOp>> ops = new ArrayList<>();
        int index = 0;
        for (int pair = 0; pair < 9; pair++) {
            String x = "X" + pair;
            String y = "Y" + pair;
            String key = "k" + pair;
            ops.add(concurrent(index++, call(x, "create", key)));
            ops.add(concurrent(index++, call(y, "attach", key)));
            ops.add(concurrent(index++, HistoryGenerator.call(x, "detach", null, null, null, null, null, null)));
            ops.add(concurrent(index++, HistoryGenerator.call(y, "detach", null, null, null, null, null, null)));
        }
        // Two holders of one lock at once, whatever the order.
        ops.add(concurrent(index++, call("P", "create", "lockkey")));
        ops.add(concurrent(index++, call("Q", "attach", "lockkey")));
        ops.add(concurrent(index++, HistoryGenerator.call("P", "lock", null, null, null, null, null, null)));
        ops.add(concurrent(index, HistoryGenerator.call("Q", "lock", null, null, null, null, null, null)));
        int bound = 20_000;
        CheckResult whole = LinearizabilityChecker.check(new Unpartitioned(DOCUMENTED), ops, bound);
        CheckResult parts = LinearizabilityChecker.check(DOCUMENTED, ops, bound);
        assertEquals(CheckResult.Status.UNKNOWN, whole.status(), whole.toString());
        assertEquals(CheckResult.Status.VIOLATION, parts.status(), parts.toString());
        assertEquals(Property.LOCK_EXCLUSIVE, parts.violated());
    }

    /** Partitioned or not, the verdict of every generated history (legal ones and their mutants' kind) is the same. */
    @Test
    void theVerdictIsTheUnpartitionedSearchsOnGeneratedHistories() {
        List<Profile> profiles = CheckerSoundnessTest.profiles();
        int split = 0;
        for (long seed = 1; seed <= 300; seed++) {
            HistoryGenerator.Generated g = new HistoryGenerator(seed, profiles).generate(14);
            List<Operation<ModelOp>> ops = g.ops().stream().map(SegmentSpec::operation).toList();
            SegmentSpec spec = new SegmentSpec(g.profile());
            split += spec.partition(ops).size() > 1 ? 1 : 0;
            assertEquals(LinearizabilityChecker.check(new Unpartitioned(spec), ops).status(),
                    LinearizabilityChecker.check(spec, ops).status(), "seed " + seed);
        }
        System.out.printf("partition: %d of 300 generated histories split into several parts%n", split);
    }

    /** The segment model with the contract's default partition: one part. */
    record Unpartitioned(SegmentSpec spec) implements Model<ModelState, ModelOp> {
        @Override
        public ModelState init() {
            return spec.init();
        }

        @Override
        public Transition<ModelState> step(ModelState state, ModelOp op) {
            return spec.step(state, op);
        }

        @Override
        public String describeOperation(ModelOp op) {
            return spec.describeOperation(op);
        }

        @Override
        public SortedSet<String> observations(ModelState state) {
            return spec.observations(state);
        }
    }

    private static ModelOp call(String p, String f, String key) {
        return HistoryGenerator.call(p, f, key, "create".equals(f) ? 64L : null, "ReadWrite", null, null, null);
    }

    private static ModelOp inSpace(ModelOp op, String space) {
        return new ModelOp(op.process(), op.f(), op.args(), op.realKeyLength(), op.outcome(), op.error(), op.value(), space, op.user());
    }

    private static Operation<ModelOp> at(int i, ModelOp op) {
        return new Operation<>(i, op.process(), op, i * 10L, i * 10L + 5, false, i);
    }

    private static Operation<ModelOp> concurrent(int i, ModelOp op) {
        return new Operation<>(i, op.process(), op, 0, 1_000_000, false, i);
    }

    private static List<List<String>> processes(List<List<Operation<ModelOp>>> parts) {
        return parts.stream().map(p -> p.stream().map(Operation::process).toList()).toList();
    }
}
