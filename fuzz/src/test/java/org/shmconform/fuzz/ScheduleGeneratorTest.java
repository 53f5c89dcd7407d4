package org.shmconform.fuzz;

import java.util.List;
import org.shmconform.schedule.ScheduleValidation;
import org.shmconform.engine.Subjects;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.spi.BackendSemantics;
import org.shmconform.spi.BackendSemantics.LockOnHolderDeath;
import org.shmconform.spi.BackendSemantics.Resize;
import org.shmconform.spi.BackendSemantics.Visibility;

/** The generator's promises, checked on many seeds without running anything. */
class ScheduleGeneratorTest {
    private static final BackendSemantics SYSV = new BackendSemantics("qt-sysv", true, true, LockOnHolderDeath.RELEASED,
            Resize.NOT_RESIZABLE, Visibility.IPC_NAMESPACE);

    @Test
    void sameSeedSameSchedule() {
        ScheduleGenerator g = new ScheduleGenerator("sysv", SYSV, 3, 20);
        assertEquals(g.generate(42), g.generate(42));
        assertNotEquals(g.generate(42).steps(), g.generate(43).steps());
    }

    @Test
    void savedScheduleLoadsEqual(@TempDir Path dir) throws Exception {
        for (long seed = 1; seed <= 20; seed++) {
            Schedule s = new ScheduleGenerator("sysv", SYSV, 3, 20).generate(seed);
            Path f = dir.resolve(seed + ".json");
            s.save(f);
            assertEquals(s, Schedule.load(f, Subjects.here().vocabulary()), Files.readString(f));
        }
    }

    @Test
    void killedWorkersStopAndOnlyOpsThatMayWaitOnALockAreAsync() {
        Map<String, Integer> ops = new HashMap<>();
        for (long seed = 1; seed <= 300; seed++) {
            Schedule s = new ScheduleGenerator("sysv", SYSV, 2 + (int) (seed % 3), 16).generate(seed);
            Set<String> killed = new HashSet<>();
            for (Step step : s.steps()) {
                assertFalse(killed.contains(step.worker()), "a killed worker acts again: " + s);
                if (step.noWait()) {
                    assertTrue(Set.of("lock", "create", "attach", "detach").contains(step.op()), step + " in " + s);
                }
                if ("kill".equals(step.op())) {
                    killed.add(step.worker());
                }
                assertFalse(step.op().equals("truncate"), "System V cannot be resized: " + s);
                ops.merge(step.op() + (step.noWait() ? "-async" : ""), 1, Integer::sum);
            }
        }
        // Every kind of step shows up in a few hundred schedules: the blocking lock and kills included.
        for (String op : new String[] {"create", "attach", "detach", "lock", "lock-async", "unlock", "read", "write", "kill",
                "size", "create-async", "attach-async", "detach-async", "rawWrite", "nativeKey"}) {
            assertTrue(ops.getOrDefault(op, 0) > 20, op + " too rare: " + ops);
        }
    }

    /** The states lock bugs live in are reached: the generator's reach, counted by situation. */
    @Test
    void everyOperationIsIssuedInTheStatesLockBugsLiveIn() {
        Map<String, Integer> seen = new HashMap<>();
        for (long seed = 1; seed <= 400; seed++) {
            Schedule s = new ScheduleGenerator("sysv", SYSV, 2 + (int) (seed % 3), 20).generate(seed);
            Map<String, String> heldBy = new HashMap<>(); // worker -> "holds" / "waits" (as issued, not as run)
            Set<String> keys = new HashSet<>();
            for (Step step : s.steps()) {
                String w = step.worker();
                boolean otherHolds = heldBy.entrySet().stream().anyMatch(e -> !e.getKey().equals(w) && e.getValue().equals("holds"));
                if (step.key() != null) {
                    keys.add(step.key());
                }
                switch (step.op()) {
                    case "create", "attach", "detach" -> {
                        if (otherHolds) {
                            seen.merge(step.op() + " while another holds the lock", 1, Integer::sum);
                        }
                        if ("ReadOnly".equals(step.mode())) {
                            seen.merge("read-only attach", 1, Integer::sum);
                        }
                    }
                    case "lock" -> heldBy.putIfAbsent(w, step.noWait() ? "waits" : "holds");
                    case "unlock" -> {
                        if (!heldBy.containsKey(w) && otherHolds) {
                            seen.merge("unlock by a non-holder while another holds", 1, Integer::sum);
                        }
                        heldBy.remove(w);
                    }
                    case "kill" -> seen.merge("kill of a " + heldBy.getOrDefault(w, "bystander"), 1, Integer::sum);
                    default -> { }
                }
            }
            if (keys.size() > 1) {
                seen.merge("several keys", 1, Integer::sum);
            }
        }
        for (String situation : new String[] {"create while another holds the lock", "attach while another holds the lock",
                "detach while another holds the lock", "read-only attach", "unlock by a non-holder while another holds",
                "kill of a holds", "kill of a waits", "kill of a bystander", "several keys"}) {
            assertTrue(seen.getOrDefault(situation, 0) >= 5, situation + " too rare: " + seen);
        }
    }

    @Test
    void aTapeGivesBackItsScheduleAndMutantsStayValid() {
        ScheduleGenerator g = new ScheduleGenerator("sysv", SYSV, 3, 16);
        TapeMutator mutator = new TapeMutator(new java.util.SplittableRandom(7), 32);
        for (long seed = 1; seed <= 100; seed++) {
            ScheduleGenerator.Generated a = g.generate(seed, null);
            assertEquals(a.schedule().steps(), g.generate(999, a.tape()).schedule().steps());
            Tape mutant = mutator.mutate(a.tape(), g.generate(seed + 1000, null).tape());
            Schedule m = g.generate(seed, mutant).schedule();
            assertEquals(List.of(), ScheduleValidation.problems(m, Set.of("sysv"), Set.of("local")), m.toString());
            Set<String> killed = new HashSet<>();
            for (Step step : m.steps()) {
                assertFalse(killed.contains(step.worker()), "a killed worker acts again: " + m);
                if ("kill".equals(step.op())) {
                    killed.add(step.worker());
                }
            }
        }
    }

    /**
     * rawWrite, truncate and nativeKey are on the menu (issue 13), with what follows them: a worker whose step the
     * shadow expects to crash it (a raw store into a read-only mapping, an access after its object was truncated to
     * nothing) is dead after it and takes no further step, and is never one that holds or may hold a lock (had the crash
     * not come, its lock would stay held while the shadow offered it as free: an earlier attempt's qt68-sysv seed 3304,
     * UNKNOWN 3/3). A truncate only where the column says a peer can resize the object.
     */
    @Test
    void rawWriteTruncateAndNativeKeyAreIssuedAndAnExpectedCrashEndsItsWorker() {
        BackendSemantics posix = new BackendSemantics("qt-posix", true, false, LockOnHolderDeath.STAYS_HELD,
                Resize.SHRINKABLE, Visibility.DEV_SHM_MOUNT);
        BackendSemantics mmapfile = new BackendSemantics("mmapfile", true, false, LockOnHolderDeath.RELEASED,
                Resize.SHRINKABLE, Visibility.DEV_SHM_MOUNT);
        Map<String, Integer> seen = new HashMap<>();
        for (BackendSemantics semantics : List.of(SYSV, posix, mmapfile)) {
            for (long seed = 1; seed <= 400; seed++) {
                ScheduleGenerator.Generated g = new ScheduleGenerator("c", semantics, 2 + (int) (seed % 3), 16).generate(seed, null);
                ShadowState shadow = new ShadowState(semantics);
                ScheduleGenerator.Generated again = new ScheduleGenerator("c", semantics, 2 + (int) (seed % 3), 16).generate(seed + 77, g.tape());
                assertEquals(g.schedule().steps(), again.schedule().steps(), "the tape gives back its schedule");
                startingKeys(shadow, g);
                Set<String> crashed = new HashSet<>();
                for (Step step : g.schedule().steps()) {
                    String w = step.worker();
                    assertFalse(crashed.contains(w), "a worker acts after its expected crash: " + g.schedule());
                    boolean mayHold = shadow.holds(w) || shadow.maybeHolders.contains(w) || shadow.holder.containsValue(w);
                    boolean aliveBefore = !shadow.dead.contains(w);
                    shadow.apply(step);
                    if (!"kill".equals(step.op()) && aliveBefore && shadow.dead.contains(w)) {
                        assertFalse(mayHold, "a holder was given a step expected to crash it: " + step + " in " + g.schedule());
                        crashed.add(w);
                        seen.merge("crash by " + step.op(), 1, Integer::sum);
                    }
                    if ("truncate".equals(step.op())) {
                        assertTrue(semantics.resize() == Resize.SHRINKABLE, step + " on " + semantics.resize());
                        seen.merge(step.length() == 0 ? "truncate to 0" : "truncate", 1, Integer::sum);
                    }
                    seen.merge(step.op(), 1, Integer::sum);
                }
            }
        }
        for (String what : new String[] {"rawWrite", "nativeKey", "truncate to 0", "truncate", "crash by rawWrite", "crash by read",
                "crash by write"}) {
            assertTrue(seen.getOrDefault(what, 0) >= 5, what + " too rare: " + seen);
        }
    }

    /**
     * On an object truncated to nothing, a read the shadow takes for refused past its worker's end is past the longest the
     * object ever was, whatever length the worker mapped: the shadow's idea of that length can be wrong. An attach it
     * holds pending behind a lock may have gone through at once, through a semaphore a POSIX create re-made (fuzz
     * qt68-posix-native seeds 425575 and 425643, mutants, UNKNOWN: C attached k at 200 bytes, not after A's truncate to
     * 35; C locked, truncated to 0, and its read at 33, which the shadow took for past its end, crashed it holding the
     * lock, so B's attach waited until the engine killed it and B's later steps were not performed). Such a read is all
     * a holder is offered on an object truncated to nothing. Fresh schedules and mutants of them, on a column whose lock
     * stays held when its holder dies.
     */
    @Test
    void aReadMeantAsPastTheEndIsPastAnyMappingOfTheObject() {
        BackendSemantics posix = new BackendSemantics("qt-posix", true, false, LockOnHolderDeath.STAYS_HELD,
                Resize.SHRINKABLE, Visibility.DEV_SHM_MOUNT);
        TapeMutator mutator = new TapeMutator(new java.util.SplittableRandom(11), 128);
        int pastTheEnd = 0;
        int holdersOnNothing = 0;
        List<Tape> corpus = new java.util.ArrayList<>();
        for (long seed = 1; seed <= 4000; seed++) {
            ScheduleGenerator generator = new ScheduleGenerator("c", posix, 3, 64);
            ScheduleGenerator.Generated g = seed % 2 == 1 || corpus.size() < 2 ? generator.generate(seed, null)
                    : generator.generate(seed, mutator.mutate(corpus.get((int) (seed % corpus.size())),
                            corpus.get((int) (seed / 2 % corpus.size()))));
            corpus.add(g.tape());
            ShadowState shadow = new ShadowState(posix);
            startingKeys(shadow, g);
            // Each object the shadow follows: the longest it was made or truncated to (a truncate counted whether or not it
            // went through).
            Map<ShadowState.Segment, Long> longest = new java.util.IdentityHashMap<>();
            for (Step step : g.schedule().steps()) {
                String w = step.worker();
                ShadowState.Segment seg = shadow.segment(w);
                if (seg != null) {
                    longest.merge(seg, seg.size, Math::max);
                }
                // On an object truncated to nothing every byte it touches is a SIGBUS: a read the shadow takes for refused
                // must be refused whatever w mapped.
                if ("read".equals(step.op()) && seg != null && shadow.attached(w) && seg.objectSize == 0
                        && step.offset() + step.length() > seg.mapped(w)) {
                    pastTheEnd++;
                    if (shadow.mayHoldALock(w)) {
                        holdersOnNothing++;
                    }
                    assertTrue(step.offset() + step.length() > longest.get(seg), "a read past " + w + "'s end may touch the object: "
                            + step + " (longest " + longest.get(seg) + ") in " + g.schedule());
                }
                if ("truncate".equals(step.op()) && seg != null && step.length() != null) {
                    longest.merge(seg, (long) step.length(), Math::max);
                }
                shadow.apply(step);
            }
        }
        assertTrue(holdersOnNothing >= 5 && pastTheEnd >= 20, "too rare: " + holdersOnNothing + " holders' and " + pastTheEnd
                + " reads in all past the end of an object truncated to nothing");
    }

    /** The workers' starting keys, as the generator drew them in gene 0: "k", the last of three or four now and then another. */
    private static void startingKeys(ShadowState shadow, ScheduleGenerator.Generated g) {
        long[] d = g.tape().genes().get(0).draws();
        int n = g.schedule().workers().size();
        for (int i = 0; i < n; i++) {
            boolean other = i == n - 1 && i > 1 && Math.floorMod(d[0], 4L) == 0;
            shadow.keyOf.put(g.schedule().workers().get(i).id(), other ? ScheduleGenerator.KEYS.get(1 + (int) Math.floorMod(d[1], 3L)) : "k");
        }
    }

    @Test
    void generatedSchedulesAreValid() {
        BackendSemantics sysv = new BackendSemantics("qt-sysv", true, true, BackendSemantics.LockOnHolderDeath.RELEASED,
                BackendSemantics.Resize.NOT_RESIZABLE, BackendSemantics.Visibility.IPC_NAMESPACE);
        for (long seed = 1; seed <= 300; seed++) {
            Schedule s = new ScheduleGenerator("sysv", sysv, 2 + (int) (seed % 3), 24).generate(seed);
            assertEquals(List.of(), ScheduleValidation.problems(s, Set.of("sysv"), Set.of("local")), s.toString());
        }
    }
}
