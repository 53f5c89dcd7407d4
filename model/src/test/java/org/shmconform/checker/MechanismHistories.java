package org.shmconform.checker;



import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.shmconform.checker.HistoryGenerator.Generated;
import org.shmconform.checker.HistoryGenerator.Placed;
import org.shmconform.model.ModelOp;
import org.shmconform.model.ModelOp.Outcome;
import org.shmconform.model.Profile;

/**
 * Histories made by a second, independent description of what the file-backed backends really
 * do, written from their source (backends/.../mmapfile/MmapFileSegment, linux/DescriptorSegment,
 * posix/PosixSegment, SegmentBase) and not from the model: attach maps the object's length as
 * fstat gives it then, a peer's ftruncate moves the object's end but no mapping's length, a touch
 * of a whole page past the end is SIGBUS, mmap of 0 bytes fails, an OFD lock goes with its
 * descriptor. The model must accept every history this produces, so where the model is wrong
 * about the mechanism (as it was about an attach after a truncate) the checker's verdict shows it.
 *
 * <p>Only what is plain sequential behaviour is simulated: no step runs while another process
 * holds the lock, except lock() itself, because there attach/detach would block (and the posix
 * flavour has no lock steps at all, its named semaphore not being undone on death).
 */
final class MechanismHistories {
    private static final long PAGE = 4096;
    private static final HexFormat HEX = HexFormat.of();
    private static final long[] SIZES = {0, 64, 4096, 16384};
    private static final long[] OFFSETS = {0, 8, 60, 4090, 4096, 8192, 12000};
    private static final int[] LENGTHS = {0, 1, 4, 8};
    private static final long[] TRUNCATE_TO = {0, 10, 4096, 5000, 20000, -1};

    /** The backend flavour simulated and the profiles its histories must be legal under. */
    enum Flavour {
        /** A tmpfs file, OFD locks. */
        MMAPFILE(true, false),
        /** shm_open, no lock steps (see above). */
        POSIX(false, false),
        /** A sealed memfd: ftruncate refused (EPERM), gone with its last descriptor, a crash included. */
        MEMFD(true, true);

        final boolean locks;
        final boolean sealedAndUncounted;

        Flavour(boolean locks, boolean sealedAndUncounted) {
            this.locks = locks;
            this.sealedAndUncounted = sealedAndUncounted;
        }
    }

    private static final class Proc {
        boolean attached;
        boolean readOnly;
        boolean dead;
        long mapped;
    }

    private final Random random;
    private final long seed;
    private final Flavour flavour;
    private final Profile profile;
    private boolean exists;
    private long fileSize;
    private TreeMap<Long, Byte> bytes = new TreeMap<>();
    private final Map<String, Proc> procs = new HashMap<>();
    private String lockHolder;

    MechanismHistories(long seed, Map<Flavour, List<Profile>> profiles) {
        this.seed = seed;
        this.random = new Random(seed);
        this.flavour = Flavour.values()[random.nextInt(Flavour.values().length)];
        List<Profile> ps = profiles.get(flavour);
        this.profile = ps.get(random.nextInt(ps.size()));
    }

    /** One scripted step: a call (null: a kill), and for a call in flight when its worker is killed, whether it took effect. */
    record Scripted(String process, ModelOp call, boolean inFlight, boolean takesEffect) {
    }

    /** A random script, run. */
    Generated generate(int maxOps) {
        int processes = 1 + random.nextInt(4);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < processes; i++) {
            names.add(String.valueOf((char) ('A' + i)));
        }
        List<Scripted> script = new ArrayList<>();
        int target = 2 + random.nextInt(maxOps - 1);
        for (int attempts = 0; script.size() < target && attempts < target * 20; attempts++) {
            reset(names);
            run(script); // the state the script leads to, for choosing a sensible next call
            String p = names.get(random.nextInt(names.size()));
            if (procs.get(p).dead) {
                continue;
            }
            ModelOp call = randomCall(p);
            if (call == null) {
                continue;
            }
            boolean inFlight = random.nextInt(12) == 0 && !List.of("write", "rawWrite", "lock").contains(call.f());
            script.add(new Scripted(p, call, inFlight, inFlight && random.nextBoolean()));
        }
        return replay(names, script);
    }

    /** The script run afresh: outcomes come from the simulation, so any sub-script is again a real history. */
    Generated replay(List<String> names, List<Scripted> script) {
        reset(names);
        List<Placed> run = run(script);
        List<Integer> runIndex = new ArrayList<>();
        List<CheckedOp> ops = HistoryGenerator.Timeline.place(run, new Random(seed ^ 0x5eed), runIndex);
        return new Generated(seed, profile, run, ops, runIndex);
    }

    /** Shrinks a script: drops steps while {@code stillFails} holds for the replayed history. */
    List<CheckedOp> shrink(Generated g, java.util.function.Predicate<Generated> stillFails) {
        List<Scripted> script = new ArrayList<>(lastScript);
        List<String> names = new ArrayList<>(procs.keySet());
        java.util.Collections.sort(names);
        boolean smaller = true;
        while (smaller) {
            smaller = false;
            for (int i = script.size() - 1; i >= 0; i--) {
                List<Scripted> candidate = new ArrayList<>(script);
                candidate.remove(i);
                if (stillFails.test(replay(names, candidate))) {
                    script = candidate;
                    smaller = true;
                }
            }
        }
        return replay(names, script).ops();
    }

    private List<Scripted> lastScript = List.of();

    private void reset(List<String> names) {
        exists = false;
        fileSize = 0;
        bytes = new TreeMap<>();
        lockHolder = null;
        procs.clear();
        for (String n : names) {
            procs.put(n, new Proc());
        }
    }

    private List<Placed> run(List<Scripted> script) {
        lastScript = List.copyOf(script);
        List<Placed> run = new ArrayList<>();
        for (Scripted step : script) {
            String p = step.process();
            Proc me = procs.get(p);
            if (me.dead || !possible(p, step.call())) {
                continue; // after a shrink the step may no longer make sense (or would block): leave it out
            }
            if (step.inFlight()) {
                // SIGKILLed while the call is in flight: it took effect or not. (Stores and locks are left out:
                // a store that would fault, or a lock that would block, is a different story.)
                boolean takesEffect = step.takesEffect();
                if (takesEffect && perform(p, step.call()).outcome() == Outcome.CRASH) {
                    takesEffect = false; // only a read gets here, and a faulting read changed nothing
                }
                run.add(new Placed(HistoryGenerator.indeterminate(step.call()), takesEffect, true, false));
                run.add(new Placed(HistoryGenerator.kill(p), true, false, false));
                die(p);
                continue;
            }
            ModelOp done = perform(p, step.call());
            run.add(new Placed(done, true, false, done.outcome() == Outcome.BLOCKED));
            if (done.outcome() == Outcome.CRASH || done.outcome() == Outcome.BLOCKED) {
                // A crash ends the worker; a lock still blocked is what the engine kills at its deadline.
                run.add(new Placed(HistoryGenerator.kill(p), true, false, false));
                die(p);
            }
        }
        return run;
    }

    /** Steps that would block (attach/detach under another's lock) or make no sense are not simulated. */
    private boolean possible(String p, ModelOp call) {
        Proc me = procs.get(p);
        boolean lockedByOther = lockHolder != null && !lockHolder.equals(p);
        return switch (call.f()) {
            case "attach" -> !lockedByOther;
            case "detach" -> !lockedByOther && me.attached;
            case "lock" -> me.attached;
            case "rawWrite" -> me.attached && call.offset() + call.dataHex().length() / 2 <= me.mapped;
            default -> true;
        };
    }

    private ModelOp randomCall(String p) {
        Proc me = procs.get(p);
        long offset = OFFSETS[random.nextInt(OFFSETS.length)];
        int r = random.nextInt(22);
        if (!me.attached && r >= 6 && random.nextBoolean()) {
            r = random.nextInt(6);
        }
        String mode = random.nextInt(5) == 0 ? "ReadOnly" : "ReadWrite";
        return switch (r) {
            case 0, 1, 2 -> HistoryGenerator.call(p, "create", "k", SIZES[random.nextInt(SIZES.length)], mode, null, null, null);
            case 3, 4, 5 -> HistoryGenerator.call(p, "attach", "k", null, mode, null, null, null);
            case 6, 7 -> HistoryGenerator.call(p, "detach", null, null, null, null, null, null);
            case 8, 9 -> flavour.locks ? HistoryGenerator.call(p, "lock", null, null, null, null, null, null) : null;
            case 10 -> flavour.locks ? HistoryGenerator.call(p, "unlock", null, null, null, null, null, null) : null;
            case 11, 12, 13 -> HistoryGenerator.call(p, "read", null, null, null, offset, LENGTHS[random.nextInt(LENGTHS.length)], null);
            case 14, 15, 16 -> HistoryGenerator.call(p, "write", null, null, null, offset, null, data());
            case 17 -> HistoryGenerator.call(p, "rawWrite", null, null, null, offset, null, data());
            case 18, 19 -> HistoryGenerator.call(p, "truncate", null, null, null, null,
                    (int) TRUNCATE_TO[random.nextInt(TRUNCATE_TO.length)], null);
            case 20 -> HistoryGenerator.call(p, "size", null, null, null, null, null, null);
            default -> HistoryGenerator.call(p, "isAttached", null, null, null, null, null, null);
        };
    }

    private String data() {
        byte[] b = new byte[1 + random.nextInt(6)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) ("xyz\0".charAt(random.nextInt(4)));
        }
        return HEX.formatHex(b);
    }

    /** What the backend does for one call, applied to the simulated kernel state. */
    private ModelOp perform(String p, ModelOp c) {
        Proc me = procs.get(p);
        return switch (c.f()) {
            case "create" -> {
                if (c.size() <= 0) {
                    yield fail(c, "InvalidSize");
                }
                if (me.attached || exists) {
                    yield fail(c, "AlreadyExists");
                }
                exists = true;
                fileSize = c.size();
                bytes = new TreeMap<>();
                attach(me, c);
                yield ok(c, null, null);
            }
            case "attach" -> {
                if (me.attached) {
                    yield fail(c, "NoError");
                }
                if (!exists) {
                    yield fail(c, "NotFound");
                }
                if (fileSize == 0) {
                    yield fail(c, "UnknownError"); // mmap of 0 bytes: EINVAL
                }
                attach(me, c);
                yield ok(c, null, null);
            }
            case "detach" -> {
                me.attached = false;
                me.mapped = 0;
                if (p.equals(lockHolder)) {
                    lockHolder = null; // the descriptor that carried the OFD lock is closed
                }
                if (procs.values().stream().noneMatch(x -> x.attached)) {
                    exists = false;
                    bytes = new TreeMap<>();
                }
                yield ok(c, null, null);
            }
            case "lock" -> {
                if (p.equals(lockHolder)) {
                    yield ok(c, null, null);
                }
                if (lockHolder != null) {
                    yield new ModelOp(c.process(), c.f(), c.key(), c.realKeyLength(), c.size(), c.mode(), c.offset(), c.length(),
                            null, Outcome.BLOCKED, null, null, c.space(), c.user());
                }
                lockHolder = p;
                yield ok(c, null, null);
            }
            case "unlock" -> {
                if (!p.equals(lockHolder)) {
                    yield fail(c, "NoError");
                }
                lockHolder = null;
                yield ok(c, null, null);
            }
            case "read", "write", "rawWrite" -> access(me, c);
            case "truncate" -> {
                if (!me.attached) {
                    yield fail(c, "NotFound");
                }
                if (c.length() < 0 || flavour.sealedAndUncounted) {
                    yield fail(c, "UnknownError"); // ftruncate: EINVAL, or EPERM from F_SEAL_SHRINK/F_SEAL_GROW
                }
                fileSize = c.length();
                bytes = new TreeMap<>(bytes.headMap((long) c.length()));
                yield ok(c, null, null);
            }
            case "size" -> ok(c, Long.toString(me.attached ? me.mapped : 0), null);
            case "isAttached" -> ok(c, Boolean.toString(me.attached), null);
            default -> throw new IllegalArgumentException(c.f());
        };
    }

    private ModelOp access(Proc me, ModelOp c) {
        boolean raw = c.f().equals("rawWrite");
        if (!me.attached) {
            return fail(c, "NotFound");
        }
        long offset = c.offset();
        long len = c.f().equals("read") ? c.length() : c.dataHex().length() / 2;
        if (offset + len > me.mapped) {
            return fail(c, "InvalidSize");
        }
        boolean writes = !c.f().equals("read");
        if (writes && me.readOnly) {
            return raw ? crash(c) : fail(c, "PermissionDenied");
        }
        long pageEnd = (fileSize + PAGE - 1) / PAGE * PAGE;
        byte[] data = writes ? HEX.parseHex(c.dataHex()) : null;
        if (len > 0 && offset + len > pageEnd) {
            if (writes) {
                store(offset, java.util.Arrays.copyOf(data, (int) Math.max(0, pageEnd - offset))); // memcpy got that far
            }
            return crash(c);
        }
        if (writes) {
            store(offset, data);
            return ok(c, null, c.dataHex());
        }
        byte[] out = new byte[(int) len];
        bytes.subMap(offset, offset + len).forEach((at, b) -> out[(int) (at - offset)] = b);
        return ok(c, null, HEX.formatHex(out));
    }

    private void store(long offset, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            if (data[i] == 0) {
                bytes.remove(offset + i);
            } else {
                bytes.put(offset + i, data[i]);
            }
        }
    }

    private void attach(Proc me, ModelOp c) {
        me.attached = true;
        me.readOnly = "ReadOnly".equals(c.mode());
        me.mapped = fileSize; // fstat: the length now, whatever create asked for
    }

    /** SIGKILL: the kernel closes its descriptors (attach count and OFD lock go); a file survives, a memfd may not. */
    private void die(String p) {
        Proc me = procs.get(p);
        me.dead = true;
        me.attached = false;
        if (p.equals(lockHolder)) {
            lockHolder = null;
        }
        if (flavour.sealedAndUncounted && procs.values().stream().noneMatch(x -> x.attached)) {
            exists = false; // the kernel frees a memfd with its last descriptor
            bytes = new TreeMap<>();
        }
    }

    private static ModelOp ok(ModelOp c, String value, String data) {
        return HistoryGenerator.with(c, Outcome.OK, "NoError", value, data);
    }

    private static ModelOp fail(ModelOp c, String error) {
        return HistoryGenerator.with(c, Outcome.FAIL, error, null, c.f().equals("read") ? null : c.dataHex());
    }

    private static ModelOp crash(ModelOp c) {
        return HistoryGenerator.with(c, Outcome.CRASH, null, "SIGBUS", c.f().equals("read") ? null : c.dataHex());
    }
}
