package org.shmconform.checker;

import org.shmconform.model.ReferenceSemantics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.Backends;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.checker.HistoryGenerator.Generated;
import org.shmconform.checker.HistoryGenerator.Placed;
import org.shmconform.model.ModelOp;
import org.shmconform.model.ModelOp.Outcome;
import org.shmconform.model.ModelState;
import org.shmconform.model.Profile;
import org.shmconform.model.SegmentModel;

/**
 * The checker is sound and not vacuous, as a property over generated histories:
 * <ol>
 * <li>a history made by running the model (so it has a legal linearization by construction) and
 * spreading its ops over overlapping real-time intervals is never a VIOLATION, under the documented
 * profile, every backend's declared profile and qt-6.4's;</li>
 * <li>the same history made sequential, with one op's outcome changed into one the model rejects in
 * every state reachable at that point, is always a VIOLATION.</li>
 * </ol>
 * Seeds are deterministic; {@code -Dshmconform.soundness.count=N} runs more, {@code -Dshmconform.soundness.seed=S}
 * starts elsewhere. A failure names the seed and the history shrunk to the ops it needs.
 */
class CheckerSoundnessTest {
    private static final int COUNT = Integer.getInteger("shmconform.soundness.count", 600);
    private static final long FIRST_SEED = Long.getLong("shmconform.soundness.seed", 1L);
    private static final int MAX_OPS = 14;

    static List<Profile> profiles() {
        List<Profile> profiles = new ArrayList<>();
        profiles.add(Profile.DOCUMENTED);
        for (SharedMemoryBackend b : Backends.all()) {
            if (b.name().startsWith("fault-")) {
                continue; // the test-only fault injectors register as backends too; they borrow real backends' declarations
            }
            profiles.add(Profile.declared(Decl.INSTANCE.profileName(b.name()), b.semantics()));
        }
        profiles.add(Profile.declared("qt-6.4", ReferenceSemantics.QT_6_4));
        return profiles;
    }

    @Test
    void historiesWithALegalLinearizationAreNeverViolations() {
        List<Profile> profiles = profiles();
        int unknown = 0;
        int ops = 0;
        int optional = 0;
        int attachAfterTruncate = 0;
        List<String> failures = new ArrayList<>();
        for (long seed = FIRST_SEED; seed < FIRST_SEED + COUNT; seed++) {
            Generated g = new HistoryGenerator(seed, profiles).generate(MAX_OPS);
            ops += g.ops().size();
            optional += (int) g.ops().stream().filter(CheckedOp::optional).count();
            attachAfterTruncate += attachesAfterATruncate(g.run()) ? 1 : 0;
            CheckResult r = LinearizabilityChecker.check(g.profile(), g.ops());
            if (r.status() == CheckResult.Status.UNKNOWN) {
                unknown++;
            } else if (r.status() == CheckResult.Status.VIOLATION) {
                failures.add(failures.size() < 3 ? describeFailure(g, r) : "seed " + seed);
            }
        }
        System.out.printf("checker soundness: %d histories generated (%d ops, %d indeterminate, %d with an attach after a truncate),"
                + " judged VIOLATION=%d, UNKNOWN=%d%n", COUNT, ops, optional, attachAfterTruncate, failures.size(), unknown);
        assertTrue(failures.isEmpty(), failures.size() + " legal histories judged VIOLATION:\n" + String.join("\n", failures));
        assertTrue(attachAfterTruncate > 0, "the generator never reached an attach after a truncate");
        assertTrue(unknown <= Math.max(2, COUNT / 200), unknown + " of " + COUNT + " histories UNKNOWN (search bound): too many");
    }

    /**
     * The model against the mechanism: histories of an independent simulation of the file-backed
     * backends (what their source does, not what the model says) must be legal under the documented
     * profile and under the backend's declaration. This is the half that catches the model being
     * wrong about the kernel, e.g. an attach after a truncate mapping the truncated length.
     */
    @Test
    void historiesOfTheRealMechanismAreNeverViolations() {
        java.util.Map<MechanismHistories.Flavour, List<Profile>> profiles = java.util.Map.of(
                MechanismHistories.Flavour.MMAPFILE, List.of(Profile.DOCUMENTED, declared("mmapfile")),
                MechanismHistories.Flavour.POSIX, List.of(Profile.DOCUMENTED, declared("posix")),
                // The documentation says a segment survives its last holder's crash: a memfd only matches its declaration.
                MechanismHistories.Flavour.MEMFD, List.of(declared("memfd")));
        int unknown = 0;
        int attachAfterTruncate = 0;
        List<String> failures = new ArrayList<>();
        for (long seed = FIRST_SEED; seed < FIRST_SEED + COUNT; seed++) {
            MechanismHistories mechanism = new MechanismHistories(seed, profiles);
            Generated g = mechanism.generate(MAX_OPS);
            attachAfterTruncate += attachesAfterATruncate(g.run()) ? 1 : 0;
            CheckResult r = LinearizabilityChecker.check(g.profile(), g.ops());
            if (r.status() == CheckResult.Status.UNKNOWN) {
                unknown++;
            } else if (r.status() == CheckResult.Status.VIOLATION && failures.size() < 3) {
                List<CheckedOp> shrunk = mechanism.shrink(g, h -> LinearizabilityChecker.check(h.profile(), h.ops()).status()
                        == CheckResult.Status.VIOLATION);
                CheckResult last = LinearizabilityChecker.check(g.profile(), shrunk);
                failures.add("seed " + seed + " (" + g.profile().name() + "): " + last.violated() + " — " + last.why()
                        + "\n  shrunk to " + shrunk.size() + " of " + g.ops().size() + " ops:\n" + showOps(shrunk));
            } else if (r.status() == CheckResult.Status.VIOLATION) {
                failures.add("seed " + seed);
            }
        }
        System.out.printf("checker vs mechanism: %d histories of the simulated mmapfile/posix/memfd backends (%d with an attach after a"
                + " truncate), judged VIOLATION=%d, UNKNOWN=%d%n", COUNT, attachAfterTruncate, failures.size(), unknown);
        assertTrue(failures.isEmpty(), failures.size() + " histories of the real mechanism judged VIOLATION:\n"
                + String.join("\n", failures));
        assertTrue(attachAfterTruncate > 0, "the simulation never reached an attach after a truncate");
        assertTrue(unknown <= Math.max(2, COUNT / 200), unknown + " of " + COUNT + " histories UNKNOWN (search bound): too many");
    }

    /** The same for Qt 6.4's System V mechanism, which the sysv backend mirrors: the keyingResetsLock rules against it. */
    @Test
    void historiesOfQtsSystemVMechanismAreNeverViolations() {
        List<Profile> profiles = List.of(declared("sysv"), Profile.declared("qt-6.4", ReferenceSemantics.QT_6_4));
        int unknown = 0;
        int ops = 0;
        List<String> failures = new ArrayList<>();
        for (long seed = FIRST_SEED; seed < FIRST_SEED + COUNT; seed++) {
            QtSysVMechanism mechanism = new QtSysVMechanism(seed, profiles);
            Generated g = mechanism.generate(MAX_OPS);
            ops += g.ops().size();
            CheckResult r = LinearizabilityChecker.check(g.profile(), g.ops());
            if (r.status() == CheckResult.Status.UNKNOWN) {
                unknown++;
            } else if (r.status() == CheckResult.Status.VIOLATION && failures.size() < 3) {
                List<CheckedOp> shrunk = mechanism.shrink(h -> LinearizabilityChecker.check(h.profile(), h.ops()).status()
                        == CheckResult.Status.VIOLATION);
                CheckResult last = LinearizabilityChecker.check(g.profile(), shrunk);
                failures.add("seed " + seed + " (" + g.profile().name() + "): " + last.violated() + " — " + last.why()
                        + "\n  shrunk to " + shrunk.size() + " of " + g.ops().size() + " ops:\n" + showOps(shrunk));
            } else if (r.status() == CheckResult.Status.VIOLATION) {
                failures.add("seed " + seed);
            }
        }
        System.out.printf("checker vs Qt's System V mechanism: %d histories (%d ops), judged VIOLATION=%d, UNKNOWN=%d%n", COUNT, ops,
                failures.size(), unknown);
        assertTrue(failures.isEmpty(), failures.size() + " histories of Qt's System V mechanism judged VIOLATION:\n"
                + String.join("\n", failures));
        assertTrue(unknown <= Math.max(2, COUNT / 200), unknown + " of " + COUNT + " histories UNKNOWN (search bound): too many");
    }

    static Profile declared(String backend) {
        return Profile.declared(Decl.INSTANCE.profileName(backend), Decl.of(backend));
    }

    @Test
    void historiesWithOneImpossibleOutcomeAreViolations() {
        List<Profile> profiles = profiles();
        int mutants = 0;
        int caught = 0;
        List<String> missed = new ArrayList<>();
        for (long seed = FIRST_SEED; seed < FIRST_SEED + COUNT; seed++) {
            Generated g = new HistoryGenerator(seed, profiles).generate(MAX_OPS);
            List<ModelOp> sequence = g.run().stream().filter(Placed::applied).map(Placed::op).toList();
            Random random = new Random(seed * 31 + 7);
            int at = random.nextInt(sequence.size());
            ModelOp mutant = mutant(g.profile(), sequence, at, random);
            if (mutant == null) {
                continue;
            }
            mutants++;
            List<ModelOp> mutated = new ArrayList<>(sequence);
            mutated.set(at, mutant);
            CheckResult r = LinearizabilityChecker.check(g.profile(), sequential(mutated));
            if (r.status() == CheckResult.Status.VIOLATION) {
                caught++;
            } else if (missed.size() < 3) {
                missed.add("seed " + seed + " (" + g.profile().name() + "): op " + at + " mutated to " + show(mutant) + " judged "
                        + r.status() + "\n" + showOps(sequential(mutated)));
            }
        }
        System.out.printf("checker mutants: %d generated, %d caught as VIOLATION%n", mutants, caught);
        assertTrue(missed.isEmpty(), (mutants - caught) + " illegal histories not caught:\n" + String.join("\n", missed));
        assertTrue(mutants > COUNT / 3, "too few mutants: " + mutants);
    }

    /**
     * An outcome for op {@code at} that the model rejects in every state the prefix can reach (the
     * model is nondeterministic, so a mutant must be impossible whichever branch was taken), or null.
     */
    static ModelOp mutant(Profile profile, List<ModelOp> sequence, int at, Random random) {
        ModelOp original = sequence.get(at);
        if (original.outcome() == Outcome.DEATH) {
            return null;
        }
        Set<ModelState> reachable = reachable(profile, sequence.subList(0, at));
        List<ModelOp> candidates = new ArrayList<>();
        for (ModelState s : reachable) {
            candidates.addAll(HistoryGenerator.candidates(s, original.process(), original));
        }
        if (original.f().equals("read") && original.dataHex() != null && !original.dataHex().isEmpty()) {
            candidates.add(HistoryGenerator.with(original, original.outcome(), original.error(), original.value(),
                    "ff" + original.dataHex().substring(2)));
        }
        List<ModelOp> impossible = new ArrayList<>();
        for (ModelOp c : new LinkedHashSet<>(candidates)) {
            if (!c.equals(original) && reachable.stream().noneMatch(s -> SegmentModel.step(profile, s, c).legal())) {
                impossible.add(c);
            }
        }
        return impossible.isEmpty() ? null : impossible.get(random.nextInt(impossible.size()));
    }

    /** Every state the model may be in after the ops, in that order, whichever branches it took. */
    static Set<ModelState> reachable(Profile profile, List<ModelOp> prefix) {
        Set<ModelState> states = new LinkedHashSet<>(List.of(ModelState.initial()));
        for (ModelOp op : prefix) {
            Set<ModelState> next = new LinkedHashSet<>();
            for (ModelState s : states) {
                next.addAll(SegmentModel.step(profile, s, op).next());
            }
            states = next;
        }
        return states;
    }

    /** No overlaps: the given order is the only one the checker may choose. */
    static List<CheckedOp> sequential(List<ModelOp> ops) {
        List<CheckedOp> out = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            out.add(new CheckedOp(i, ops.get(i), 10L * i, 10L * i + 5, false, i));
        }
        return out;
    }

    private static boolean attachesAfterATruncate(List<Placed> run) {
        boolean truncated = false;
        for (Placed p : run) {
            if (p.op().f().equals("truncate") && p.op().outcome() == Outcome.OK) {
                truncated = true;
            }
            if (truncated && p.applied() && p.op().f().equals("attach") && p.op().outcome() == Outcome.OK) {
                return true;
            }
        }
        return false;
    }

    private static String describeFailure(Generated g, CheckResult r) {
        List<CheckedOp> shrunk = Shrink.whileViolation(g);
        return "seed " + g.seed() + " (" + g.profile().name() + "): " + r.violated() + " — " + r.why()
                + "\n  shrunk to " + shrunk.size() + " of " + g.ops().size() + " ops:\n" + showOps(shrunk);
    }

    static String showOps(List<CheckedOp> ops) {
        StringBuilder b = new StringBuilder();
        for (CheckedOp c : ops) {
            b.append(String.format("    #%d [%d, %d]%s inv=%d %s%n", c.id(), c.call(), c.ret(), c.optional() ? " optional" : "",
                    c.invokeIndex(), show(c.op())));
        }
        return b.toString();
    }

    static String show(ModelOp o) {
        StringBuilder b = new StringBuilder(o.process() + " " + o.f());
        if (o.key() != null) {
            b.append(" key=").append(o.key());
        }
        if (o.size() != null) {
            b.append(" size=").append(o.size());
        }
        if ("ReadOnly".equals(o.mode())) {
            b.append(" ReadOnly");
        }
        if (o.offset() != null) {
            b.append(" @").append(o.offset());
        }
        if (o.length() != null) {
            b.append(" len=").append(o.length());
        }
        if (o.dataHex() != null) {
            b.append(" data=").append(SegmentModel.text(o.dataHex()));
        }
        b.append(" -> ").append(o.outcome());
        if (o.error() != null && o.outcome() == Outcome.FAIL) {
            b.append(' ').append(o.error());
        }
        if (o.value() != null) {
            b.append(" value=").append(o.value());
        }
        return b.toString();
    }

    /**
     * Drops ops while the history stays legal by construction (the ops that took effect, in their
     * linearization order, are still accepted by the model; every interval still holds its
     * linearization point) and the checker still says VIOLATION.
     */
    static final class Shrink {
        private Shrink() {
        }

        static List<CheckedOp> whileViolation(Generated g) {
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < g.ops().size(); i++) {
                all.add(i);
            }
            return select(g, dropWhileItHolds(all, candidate -> stillLegal(g, candidate)
                    && LinearizabilityChecker.check(g.profile(), select(g, candidate)).status() == CheckResult.Status.VIOLATION));
        }

        /** Drops one item at a time, from the last, for as long as what is left still {@code holds}; again until none can go. */
        static <T> List<T> dropWhileItHolds(List<T> items, java.util.function.Predicate<List<T>> holds) {
            List<T> kept = items;
            boolean smaller = true;
            while (smaller) {
                smaller = false;
                for (int i = kept.size() - 1; i >= 0; i--) {
                    List<T> candidate = new ArrayList<>(kept);
                    candidate.remove(i);
                    if (holds.test(candidate)) {
                        kept = candidate;
                        smaller = true;
                    }
                }
            }
            return kept;
        }

        private static boolean stillLegal(Generated g, List<Integer> kept) {
            Set<Integer> runIndices = new java.util.TreeSet<>();
            for (int k : kept) {
                runIndices.add(g.runIndexOfOp().get(k));
            }
            List<ModelOp> applied = new ArrayList<>();
            for (int i : runIndices) {
                if (g.run().get(i).applied()) {
                    applied.add(g.run().get(i).op());
                }
            }
            return !reachable(g.profile(), applied).isEmpty();
        }

        private static List<CheckedOp> select(Generated g, List<Integer> kept) {
            List<CheckedOp> out = new ArrayList<>();
            for (int k : kept) {
                CheckedOp c = g.ops().get(k);
                out.add(new CheckedOp(out.size(), c.op(), c.call(), c.ret(), c.optional(), c.invokeIndex()));
            }
            return out;
        }
    }
}
