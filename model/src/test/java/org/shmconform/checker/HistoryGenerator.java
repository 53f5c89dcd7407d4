package org.shmconform.checker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.shmconform.model.ModelOp;
import org.shmconform.model.ModelOp.Outcome;
import org.shmconform.model.ModelState;
import org.shmconform.model.ModelState.Segment;
import org.shmconform.model.ModelState.Worker;
import org.shmconform.model.Profile;
import org.shmconform.model.SegmentModel;

/**
 * Legal histories by construction: a random sequential run of the model (each op gets an outcome
 * the model accepts in the state reached so far; where the model branches, one branch is followed
 * at random), then real-time intervals around each op's linearization point, with random overlaps
 * between processes, shaped the way {@link HistoryOps} shapes them (a crash followed by a death op,
 * an op in flight when its worker is killed as an optional op, a lock that never returned placed
 * at the moment the engine gave up).
 */
final class HistoryGenerator {
    static final String SPACE = "test@ns:[1]";
    private static final String[] ERRORS = {"NoError", "NotFound", "AlreadyExists", "InvalidSize", "KeyError", "LockError",
        "PermissionDenied", "UnknownError"};
    private static final long[] SIZES = {0, 64, 4096, 16384};
    private static final long[] OFFSETS = {0, 8, 60, 4090, 4096, 8192, 12000};
    private static final int[] LENGTHS = {0, 1, 4, 8};
    private static final long[] TRUNCATE_TO = {0, 10, 4096, 5000, 20000, -1};
    private static final HexFormat HEX = HexFormat.of();

    /** One op of the sequential run: what it was, where it linearized, and how HistoryOps would show it. */
    record Placed(ModelOp op, boolean applied, boolean optional, boolean blocked) {
    }

    /** A generated history: the ops in linearization order (applied ones) and as the checker sees them. */
    record Generated(long seed, Profile profile, List<Placed> run, List<CheckedOp> ops, List<Integer> runIndexOfOp) {
    }

    private final Random random;
    private final Profile profile;
    private final long seed;

    HistoryGenerator(long seed, List<Profile> profiles) {
        this.seed = seed;
        this.random = new Random(seed);
        this.profile = profiles.get(random.nextInt(profiles.size()));
    }

    Generated generate(int maxOps) {
        int processes = 1 + random.nextInt(4);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < processes; i++) {
            names.add(String.valueOf((char) ('A' + i)));
        }
        ModelState s = ModelState.initial();
        List<Placed> run = new ArrayList<>();
        Set<String> blocked = new LinkedHashSet<>();
        int target = 2 + random.nextInt(maxOps - 1);
        for (int attempts = 0; run.size() < target && attempts < target * 20; attempts++) {
            String p = names.get(random.nextInt(names.size()));
            if (s.worker(p).dead()) {
                continue;
            }
            if (blocked.contains(p)) {
                // A worker blocked in lock() does nothing more; at most it is killed.
                if (random.nextInt(3) == 0) {
                    s = apply(s, kill(p), run);
                    blocked.remove(p);
                }
                continue;
            }
            if (random.nextInt(12) == 0) {
                s = killedWhileInFlight(s, p, run);
                continue;
            }
            List<ModelOp> legal = new ArrayList<>();
            for (ModelOp candidate : candidates(s, p, randomCall(s, p))) {
                if (SegmentModel.step(profile, s, candidate).legal()) {
                    legal.add(candidate);
                }
            }
            if (legal.isEmpty()) {
                continue;
            }
            ModelOp op = pick(legal);
            s = apply(s, op, run);
            if (op.outcome() == Outcome.CRASH) {
                s = apply(s, kill(p), run);
            } else if (op.outcome() == Outcome.BLOCKED) {
                blocked.add(p);
            }
        }
        List<Integer> runIndex = new ArrayList<>();
        List<CheckedOp> ops = Timeline.place(run, random, runIndex);
        return new Generated(seed, profile, run, ops, runIndex);
    }

    /** The worker is SIGKILLed while an op is in flight: the op took effect before the death, or not. */
    private ModelState killedWhileInFlight(ModelState s, String p, List<Placed> run) {
        ModelOp inFlight = indeterminate(randomCall(s, p));
        SegmentModel.Step step = SegmentModel.step(profile, s, inFlight);
        boolean takesEffect = step.legal() && random.nextBoolean();
        if (takesEffect) {
            s = step.next().get(random.nextInt(step.next().size()));
        }
        run.add(new Placed(inFlight, takesEffect, true, false));
        return apply(s, kill(p), run);
    }

    private ModelState apply(ModelState s, ModelOp op, List<Placed> run) {
        SegmentModel.Step step = SegmentModel.step(profile, s, op);
        if (!step.legal()) {
            throw new IllegalStateException("generator applied an illegal op " + op + ": " + step.why());
        }
        run.add(new Placed(op, true, false, op.outcome() == Outcome.BLOCKED));
        return step.next().get(random.nextInt(step.next().size()));
    }

    /** OK outcomes are preferred, so runs get somewhere; every legal outcome stays possible. */
    private ModelOp pick(List<ModelOp> legal) {
        List<ModelOp> ok = legal.stream().filter(o -> o.outcome() == Outcome.OK).toList();
        return !ok.isEmpty() && random.nextInt(3) > 0 ? ok.get(random.nextInt(ok.size())) : legal.get(random.nextInt(legal.size()));
    }

    /** One call with its arguments (outcome still open): mostly sensible for the worker's state, sometimes not. */
    private ModelOp randomCall(ModelState s, String p) {
        Worker w = s.worker(p);
        String key = random.nextInt(8) == 0 ? "j" : random.nextInt(40) == 0 ? "" : "k";
        long offset = OFFSETS[random.nextInt(OFFSETS.length)];
        int r = random.nextInt(24);
        if (!w.attached() && r < 12 && random.nextBoolean()) {
            r = random.nextBoolean() ? 0 : 3; // get attached more often than not
        }
        return switch (r) {
            case 0, 1, 2 -> call(p, "create", key, SIZES[random.nextInt(SIZES.length)], mode(), null, null, null);
            case 3, 4, 5 -> call(p, "attach", key, null, mode(), null, null, null);
            case 6, 7 -> call(p, "detach", null, null, null, null, null, null);
            case 8, 9 -> call(p, "lock", null, null, null, null, null, null);
            case 10, 11 -> call(p, "unlock", null, null, null, null, null, null);
            case 12, 13, 14 -> call(p, "read", null, null, null, offset, LENGTHS[random.nextInt(LENGTHS.length)], null);
            case 15, 16, 17 -> call(p, "write", null, null, null, offset, null, data());
            case 18 -> call(p, "rawWrite", null, null, null, offset, null, data());
            case 19, 20 -> call(p, "truncate", null, null, null, null, (int) TRUNCATE_TO[random.nextInt(TRUNCATE_TO.length)], null);
            case 21 -> call(p, "size", null, null, null, null, null, null);
            case 22 -> call(p, "isAttached", null, null, null, null, null, null);
            default -> kill(p);
        };
    }

    private String mode() {
        return random.nextInt(5) == 0 ? "ReadOnly" : "ReadWrite";
    }

    private String data() {
        byte[] b = new byte[1 + random.nextInt(6)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) ("xyz\0".charAt(random.nextInt(4)));
        }
        return HEX.formatHex(b);
    }

    /** Every outcome worth trying for a call in state s: OK (with the values the state suggests), each error, a crash, blocking. */
    static List<ModelOp> candidates(ModelState s, String p, ModelOp call) {
        List<ModelOp> out = new ArrayList<>();
        if (call.f().equals("kill")) {
            out.add(call);
            return out;
        }
        Worker w = s.worker(p);
        switch (call.f()) {
            case "read" -> {
                for (String data : readValues(s, w, call)) {
                    out.add(with(call, Outcome.OK, "NoError", null, data));
                }
            }
            case "size" -> {
                for (long v : new long[] {w.mapped(), 0, 10, 64, 4096, 5000, 16384, 20000}) {
                    out.add(with(call, Outcome.OK, "NoError", Long.toString(v), null));
                }
            }
            case "isAttached" -> {
                out.add(with(call, Outcome.OK, "NoError", "true", null));
                out.add(with(call, Outcome.OK, "NoError", "false", null));
            }
            default -> out.add(with(call, Outcome.OK, "NoError", null, call.dataHex()));
        }
        for (String e : ERRORS) {
            out.add(with(call, Outcome.FAIL, e, null, call.dataHex()));
        }
        out.add(with(call, Outcome.CRASH, null, "SIGBUS", call.dataHex()));
        if (call.f().equals("lock")) {
            out.add(with(call, Outcome.BLOCKED, null, null, null));
        }
        return out;
    }

    /** What a read may return: the bytes the state holds, zeros, and one byte off. */
    private static List<String> readValues(ModelState s, Worker w, ModelOp call) {
        int length = call.length() == null ? 0 : call.length();
        byte[] held = new byte[length];
        Segment seg = w.key() == null ? null : s.segments().get(w.key());
        if (seg != null && call.offset() != null) {
            seg.written().subMap(call.offset(), call.offset() + length).forEach((at, b) -> held[(int) (at - call.offset())] = b);
        }
        Set<String> values = new LinkedHashSet<>();
        values.add(HEX.formatHex(held));
        values.add(HEX.formatHex(new byte[length]));
        if (length > 0) {
            byte[] off = held.clone();
            off[length - 1] ^= 0x01;
            values.add(HEX.formatHex(off));
        }
        return new ArrayList<>(values);
    }

    static ModelOp call(String p, String f, String key, Long size, String mode, Long offset, Integer length, String data) {
        int realLength = key == null || key.isEmpty() ? 0 : 11 + key.length();
        return new ModelOp(p, f, key, realLength, size, mode, offset, length, data, Outcome.OK, "NoError", null, SPACE, null);
    }

    static ModelOp kill(String p) {
        return new ModelOp(p, "kill", null, 0, null, null, null, null, null, Outcome.DEATH, null, null, SPACE, null);
    }

    static ModelOp with(ModelOp c, Outcome outcome, String error, String value, String data) {
        return new ModelOp(c.process(), c.f(), c.key(), c.realKeyLength(), c.size(), c.mode(), c.offset(), c.length(), data,
                outcome, error, value, c.space(), c.user());
    }

    /** As HistoryOps shows an op whose worker was killed before it replied: OK, no error, no value, no read data. */
    static ModelOp indeterminate(ModelOp c) {
        return new ModelOp(c.process(), c.f(), c.key(), c.realKeyLength(), c.size(), c.mode(), c.offset(), c.length(),
                c.f().equals("read") ? null : c.dataHex(), Outcome.OK, null, null, c.space(), c.user());
    }

    /** Real-time intervals around linearization points, in the list order and with the invoke indices HistoryOps gives. */
    static final class Timeline {
        private Timeline() {
        }

        private record Timed(Placed placed, long call, long ret, long invokeTime, long listTime, int tieBreak, int runIndex) {
            Timed(Placed placed, long call, long ret, long invokeTime, long listTime, int tieBreak) {
                this(placed, call, ret, invokeTime, listTime, tieBreak, -1);
            }
        }

        /** @param runIndexOfOp filled with, for each op returned, its index in {@code run} */
        static List<CheckedOp> place(List<Placed> run, Random random, List<Integer> runIndexOfOp) {
            final long gap = 100;
            List<Timed> timed = new ArrayList<>();
            java.util.Map<String, Long> freeFrom = new java.util.HashMap<>();
            long[] nextAt = new long[run.size()]; // the next linearization point of the same process: where a ret must end
            java.util.Map<String, Long> upcoming = new java.util.HashMap<>();
            for (int i = run.size() - 1; i >= 0; i--) {
                nextAt[i] = upcoming.getOrDefault(run.get(i).op().process(), Long.MAX_VALUE / 4);
                upcoming.put(run.get(i).op().process(), (i + 1) * gap);
            }
            for (int i = 0; i < run.size(); i++) {
                Placed pl = run.get(i);
                String p = pl.op().process();
                long at = (i + 1) * gap; // the linearization point
                long from = freeFrom.getOrDefault(p, 0L);
                Placed previous = i > 0 ? run.get(i - 1) : null;
                if (pl.op().f().equals("kill") && previous != null && previous.op().process().equals(p)
                        && previous.op().outcome() == Outcome.CRASH) {
                    // The death HistoryOps adds for a crash: at the instant the crashed op ended.
                    Timed crash = timed.remove(timed.size() - 1);
                    timed.add(new Timed(crash.placed(), crash.call(), at, crash.invokeTime(), at, 0));
                    timed.add(new Timed(pl, at, at, at, at, 1));
                    freeFrom.put(p, at);
                    continue;
                }
                if (pl.optional()) {
                    // In flight when its worker was killed: invoked before the kill, closed as info after it began.
                    Placed death = run.get(i + 1);
                    long deathAt = (i + 2) * gap;
                    long call = between(random, from, pl.applied() ? at : deathAt);
                    long info = deathAt + random.nextInt((int) gap);
                    long killCall = between(random, Math.max(call, pl.applied() ? at : call), deathAt);
                    long killRet = deathAt + random.nextInt((int) gap);
                    timed.add(new Timed(pl, call, info, call, info, 0));
                    timed.add(new Timed(death, killCall, killRet, killCall, killRet, 0));
                    freeFrom.put(p, Long.MAX_VALUE / 4);
                    i++;
                    continue;
                }
                if (pl.blocked()) {
                    // Placed at the moment the engine gave up on it; invoked earlier.
                    timed.add(new Timed(pl, at, at, between(random, from, at), at, 0));
                    freeFrom.put(p, at);
                    continue;
                }
                long call = between(random, from, at);
                long ret = Math.min(nextAt[i],
                        at + (random.nextInt(3) == 0 ? random.nextInt((int) (3 * gap)) : random.nextInt((int) gap / 2)));
                timed.add(new Timed(pl, call, ret, call, ret, 0));
                freeFrom.put(p, ret);
            }
            // A process's next op is invoked only after the previous one returned (a nemesis kill excepted).
            java.util.Map<String, Timed> last = new java.util.HashMap<>();
            for (int i = 0; i < timed.size(); i++) {
                Timed t = timed.get(i);
                Timed before = last.get(t.placed().op().process());
                if (before != null && !t.placed().op().f().equals("kill") && before.ret() > t.invokeTime()) {
                    throw new IllegalStateException("program order broken at " + t);
                }
                last.put(t.placed().op().process(), t);
            }
            for (Timed t : new ArrayList<>(timed)) {
                int index = -1;
                for (int i = 0; i < run.size(); i++) {
                    if (run.get(i) == t.placed()) {
                        index = i;
                    }
                }
                timed.set(timed.indexOf(t), new Timed(t.placed(), t.call(), t.ret(), t.invokeTime(), t.listTime(), t.tieBreak(), index));
            }
            List<Timed> byList = new ArrayList<>(timed);
            byList.sort(Comparator.comparingLong(Timed::listTime).thenComparingInt(Timed::tieBreak));
            List<Timed> byInvoke = new ArrayList<>(timed);
            byInvoke.sort(Comparator.comparingLong(Timed::invokeTime).thenComparingInt(Timed::tieBreak));
            List<CheckedOp> ops = new ArrayList<>();
            for (Timed t : byList) {
                ops.add(new CheckedOp(ops.size(), t.placed().op(), t.call(), t.ret(), t.placed().optional(), byInvoke.indexOf(t)));
                runIndexOfOp.add(t.runIndex());
            }
            return ops;
        }

        private static long between(Random random, long from, long to) {
            return to <= from ? to : from + (long) (random.nextDouble() * (to - from));
        }
    }
}
