package org.shmconform.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.shmconform.model.ModelOp;
import org.shmconform.model.ModelState;
import org.shmconform.model.Profile;
import org.shmconform.model.Property;
import org.shmconform.model.ReferenceSemantics;

/**
 * The search against a brute-force reference on small concurrent histories: generated legal histories
 * ({@link HistoryGenerator}, and the simulated mechanisms' {@link MechanismHistories} and {@link QtSysVMechanism}) and
 * their random mutants (an outcome changed, an interval moved, an op made
 * indeterminate or determinate), under every profile. The reference knows nothing of the search's memo,
 * bound or blame: it tries every subset of the indeterminate ops and every order of the ops kept that respects
 * program order (by invoke index) and real time (a determinate op that returned before another was invoked goes
 * first; an indeterminate op has no return), and follows every state the model may be in. The verdict must be
 * the reference's, must not change with the order the ops were recorded in (concurrent replies land in the list
 * in whichever order they were read), and must be the same partitioned or not; a VIOLATION must name the same
 * property whatever the recording order. {@code -Dshmconform.reference.count=N} runs more.
 */
class ReferenceCheckerTest {
    private static final int COUNT = Integer.getInteger("shmconform.reference.count", 1500);
    private static final long FIRST_SEED = Long.getLong("shmconform.reference.seed", 1L);
    private static final int MAX_OPS = Integer.getInteger("shmconform.reference.maxOps", 8);

    @Test
    void theSearchAgreesWithTheBruteForceReference() {
        List<Profile> profiles = CheckerSoundnessTest.profiles();
        agreesOn("generated histories", seed -> new HistoryGenerator(seed, profiles).generate(MAX_OPS - 2));
    }

    /** The same on histories of the simulated mechanisms (file-backed, POSIX, memfd, and Qt's System V keying). */
    @Test
    void theSearchAgreesWithTheBruteForceReferenceOnTheMechanismsHistories() {
        List<Profile> sysv = List.of(CheckerSoundnessTest.declared("sysv"), Profile.declared("qt-6.4", ReferenceSemantics.QT_6_4));
        Map<MechanismHistories.Flavour, List<Profile>> files = Map.of(
                MechanismHistories.Flavour.MMAPFILE, List.of(Profile.DOCUMENTED, CheckerSoundnessTest.declared("mmapfile")),
                MechanismHistories.Flavour.POSIX, List.of(Profile.DOCUMENTED, CheckerSoundnessTest.declared("posix")),
                MechanismHistories.Flavour.MEMFD, List.of(CheckerSoundnessTest.declared("memfd")));
        agreesOn("mechanism histories", seed -> seed % 2 == 0 ? new QtSysVMechanism(seed, sysv).generate(MAX_OPS - 1)
                : new MechanismHistories(seed, files).generate(MAX_OPS - 1));
    }

    private static void agreesOn(String what, LongFunction<HistoryGenerator.Generated> generator) {
        int compared = 0;
        int violations = 0;
        List<String> failures = new ArrayList<>();
        for (long seed = FIRST_SEED; seed < FIRST_SEED + COUNT && failures.size() < 3; seed++) {
            HistoryGenerator.Generated g = generator.apply(seed);
            if (g.ops().isEmpty() || g.ops().size() > MAX_OPS) {
                continue;
            }
            Random random = new Random(seed * 7919);
            List<CheckedOp> ops = random.nextInt(3) == 0 ? g.ops() : mutant(g.ops(), random);
            Profile profile = g.profile();
            String disagreement = disagreement(profile, ops, random);
            compared++;
            violations += Reference.linearizable(profile, ops) ? 0 : 1;
            if (disagreement != null) {
                long s = seed;
                List<CheckedOp> shrunk = shrink(ops, h -> disagreement(profile, h, new Random(s)) != null);
                failures.add("seed " + seed + " (" + profile.name() + "): " + disagreement(profile, shrunk, new Random(seed))
                        + "\n  shrunk to " + shrunk.size() + " of " + ops.size() + " ops:\n" + CheckerSoundnessTest.showOps(shrunk));
            }
        }
        System.out.printf("checker vs brute-force reference on %s: %d compared, %d illegal by the reference, %d disagreements%n",
                what, compared, violations, failures.size());
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertTrue(violations > compared / 10 && violations < compared * 9 / 10, violations + " of " + compared + " illegal");
    }

    /**
     * Two workers' illegal replies on different keys (seed 127, declared:posix, shrunk): the FAIL names the property of
     * the first invoked, whichever reply the engine read first. Listed B first, it named CREATE-SIZE, else ATTACH-EXISTING.
     */
    @Test
    void thePropertyAViolationNamesDoesNotFollowTheOrderRepliesWereRead() {
        ModelOp attach = HistoryGenerator.with(HistoryGenerator.call("A", "attach", "k", null, "ReadOnly", null, null, null),
                ModelOp.Outcome.FAIL, "UnknownError", null, null);
        ModelOp create = HistoryGenerator.with(HistoryGenerator.call("B", "create", "j", 16384L, "ReadWrite", null, null, null),
                ModelOp.Outcome.FAIL, "NoError", null, null);
        for (Profile profile : List.of(Profile.DOCUMENTED, CheckerSoundnessTest.declared("posix"))) {
            CheckResult aFirst = LinearizabilityChecker.check(profile,
                    List.of(new CheckedOp(0, attach, 40, 200, false, 0), new CheckedOp(1, create, 380, 578, false, 3)));
            CheckResult bFirst = LinearizabilityChecker.check(profile,
                    List.of(new CheckedOp(0, create, 380, 578, false, 3), new CheckedOp(1, attach, 40, 200, false, 0)));
            assertEquals(Property.ATTACH_EXISTING, aFirst.violated(), aFirst.toString());
            assertEquals(Property.ATTACH_EXISTING, bFirst.violated(), bFirst.toString());
            assertEquals(aFirst.eventIndex(), bFirst.eventIndex());
        }
    }

    /** What is wrong with the checker's verdict on {@code ops}, or null. */
    static String disagreement(Profile profile, List<CheckedOp> ops, Random random) {
        CheckResult r = LinearizabilityChecker.check(profile, ops);
        boolean legal = Reference.linearizable(profile, ops);
        CheckResult.Status expected = legal ? CheckResult.Status.LINEARIZABLE : CheckResult.Status.VIOLATION;
        if (r.status() != expected) {
            return "checker " + r.status() + " (" + r.why() + "), reference " + expected;
        }
        List<Operation<ModelOp>> operations = ops.stream().map(SegmentSpec::operation).toList();
        CheckResult whole = LinearizabilityChecker.check(new SegmentPartitionTest.Unpartitioned(new SegmentSpec(profile)), operations);
        if (whole.status() != r.status()) {
            return "partitioned " + r.status() + ", unpartitioned " + whole.status();
        }
        for (int k = 0; k < 4; k++) {
            CheckResult other = LinearizabilityChecker.check(profile, recordedInAnotherOrder(ops, random));
            if (other.status() != r.status() || other.violated() != r.violated()) {
                return "recorded in another order: " + other.status() + " " + other.violated() + " (" + other.why() + "), in the first: "
                        + r.status() + " " + r.violated() + " (" + r.why() + ")";
            }
        }
        return null;
    }

    /** One change to a history: an outcome, an interval, or whether the op is indeterminate. */
    static List<CheckedOp> mutant(List<CheckedOp> ops, Random random) {
        List<CheckedOp> out = new ArrayList<>(ops);
        int changes = 1 + random.nextInt(2);
        for (int n = 0; n < changes; n++) {
            int i = random.nextInt(out.size());
            CheckedOp c = out.get(i);
            if (c.op().f().equals("kill")) {
                continue;
            }
            switch (random.nextInt(3)) {
                case 0 -> {
                    List<ModelOp> candidates = HistoryGenerator.candidates(ModelState.initial(), c.op().process(), c.op());
                    out.set(i, new CheckedOp(c.id(), candidates.get(random.nextInt(candidates.size())), c.call(), c.ret(), c.optional(),
                            c.invokeIndex()));
                }
                case 1 -> {
                    // The reply earlier or later, within the room its process leaves (its next invoke); invokes keep their
                    // times, which follow their indices as the engine records them.
                    long ret = c.call() + (long) (random.nextDouble() * (nextCall(out, c) - c.call()));
                    out.set(i, new CheckedOp(c.id(), c.op(), c.call(), ret, c.optional(), c.invokeIndex()));
                }
                default -> out.set(i, new CheckedOp(c.id(), c.optional() ? c.op() : HistoryGenerator.indeterminate(c.op()), c.call(),
                        c.ret(), !c.optional(), c.invokeIndex()));
            }
        }
        return out;
    }

    /**
     * The same ops as the engine may have listed them: replies of different processes are read in whichever order the
     * engine got to them, so only each process's own ops keep their order (by invoke); ids follow the new list.
     */
    static List<CheckedOp> recordedInAnotherOrder(List<CheckedOp> ops, Random random) {
        List<CheckedOp> left = new ArrayList<>(ops);
        List<CheckedOp> out = new ArrayList<>();
        while (!left.isEmpty()) {
            List<CheckedOp> firsts = new ArrayList<>();
            for (CheckedOp c : left) {
                if (left.stream().noneMatch(o -> o.op().process().equals(c.op().process()) && programOrder(o, c))) {
                    firsts.add(c);
                }
            }
            CheckedOp c = firsts.get(random.nextInt(firsts.size()));
            left.remove(c);
            out.add(new CheckedOp(out.size(), c.op(), c.call(), c.ret(), c.optional(), c.invokeIndex()));
        }
        return out;
    }

    private static boolean programOrder(CheckedOp a, CheckedOp b) {
        return a.invokeIndex() < b.invokeIndex() || a.invokeIndex() == b.invokeIndex() && a.id() < b.id();
    }

    private static long nextCall(List<CheckedOp> ops, CheckedOp c) {
        long to = c.ret() + 300;
        for (CheckedOp o : ops) {
            if (o.op().process().equals(c.op().process()) && o.invokeIndex() > c.invokeIndex()) {
                to = Math.min(to, o.call());
            }
        }
        return Math.max(to, c.ret());
    }

    /** Drops ops while the predicate holds, ids renumbered. */
    static List<CheckedOp> shrink(List<CheckedOp> ops, Predicate<List<CheckedOp>> holds) {
        return renumbered(CheckerSoundnessTest.Shrink.dropWhileItHolds(ops, candidate -> holds.test(renumbered(candidate))));
    }

    private static List<CheckedOp> renumbered(List<CheckedOp> ops) {
        List<CheckedOp> out = new ArrayList<>();
        for (CheckedOp c : ops) {
            out.add(new CheckedOp(out.size(), c.op(), c.call(), c.ret(), c.optional(), c.invokeIndex()));
        }
        return out;
    }

    /** Every order, every subset of the indeterminate ops, every state: no memo, no bound. */
    static final class Reference {
        private Reference() {
        }

        static boolean linearizable(Profile profile, List<CheckedOp> ops) {
            SegmentSpec spec = new SegmentSpec(profile);
            List<Integer> optional = new ArrayList<>();
            for (int i = 0; i < ops.size(); i++) {
                if (ops.get(i).optional()) {
                    optional.add(i);
                }
            }
            for (int subset = 0; subset < 1 << optional.size(); subset++) {
                boolean[] kept = new boolean[ops.size()];
                for (int i = 0; i < ops.size(); i++) {
                    kept[i] = !ops.get(i).optional();
                }
                for (int b = 0; b < optional.size(); b++) {
                    kept[optional.get(b)] = (subset & 1 << b) != 0;
                }
                if (orders(spec, ops, kept, new boolean[ops.size()], new LinkedHashSet<>(List.of(spec.init())))) {
                    return true;
                }
            }
            return false;
        }

        private static boolean orders(SegmentSpec spec, List<CheckedOp> ops, boolean[] kept, boolean[] placed, Set<ModelState> states) {
            boolean all = true;
            for (int i = 0; i < ops.size(); i++) {
                all &= !kept[i] || placed[i];
            }
            if (all) {
                return true;
            }
            for (int i = 0; i < ops.size(); i++) {
                if (!kept[i] || placed[i] || !mayGoNext(ops, kept, placed, i)) {
                    continue;
                }
                Set<ModelState> next = new LinkedHashSet<>();
                for (ModelState s : states) {
                    next.addAll(spec.step(s, ops.get(i).op()).next());
                }
                if (next.isEmpty()) {
                    continue;
                }
                placed[i] = true;
                boolean ok = orders(spec, ops, kept, placed, next);
                placed[i] = false;
                if (ok) {
                    return true;
                }
            }
            return false;
        }

        /** No kept op still to place comes before it: neither earlier in its process nor, if determinate, over before it began. */
        private static boolean mayGoNext(List<CheckedOp> ops, boolean[] kept, boolean[] placed, int i) {
            CheckedOp op = ops.get(i);
            for (int j = 0; j < ops.size(); j++) {
                if (j == i || !kept[j] || placed[j]) {
                    continue;
                }
                CheckedOp other = ops.get(j);
                boolean sameProcess = other.op().process().equals(op.op().process());
                boolean earlierInProgram = other.invokeIndex() < op.invokeIndex()
                        || other.invokeIndex() == op.invokeIndex() && other.id() < op.id();
                if (sameProcess && earlierInProgram || !other.optional() && other.ret() < op.call()) {
                    return false;
                }
            }
            return true;
        }
    }
}
