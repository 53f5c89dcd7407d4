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
 * Histories of an independent simulation of Qt 6.4's System V QSharedMemory (the Java sysv backend
 * mirrors it call for call: backends/.../QtStyleSegment, sysv/SysVSemaphore), one key: the
 * semaphore's value and SEM_UNDO adjustments, which object owns (created, or opened in Create mode)
 * the semaphore and so removes it at its next initKey, create's SETVAL 1, the QSharedMemoryLocker
 * around create/attach/detach that lets go of a lock its caller held, re-creation of a removed
 * semaphore by the next semop. What the model abstracts as "re-initialised" is here counted, so
 * the model's keyingResetsLock rules are checked against it. A step that would block (anything
 * but lock() while the value is 0) is left out; a lock() that would block is BLOCKED and killed.
 * (Not simulated: a key file unlinked by its owner and re-made with a new inode, which splits the
 * lock in two; see FaultFuzzIT.)
 */
final class QtSysVMechanism {
    private static final long[] SIZES = {0, 64, 4096};
    private static final long[] OFFSETS = {0, 8, 60, 4090};
    private static final HexFormat HEX = HexFormat.of();

    private static final class Proc {
        boolean hasObject;
        boolean attached;
        boolean readOnly;
        boolean lockedByMe;
        boolean ownsSemaphore;
        boolean dead;
        long mapped;
        int undo;
        /** initKey's cleanHandle set unix_key to 0 and nothing derived it again (a create refused for its size). */
        boolean handleDropped;

        Proc copy() {
            Proc c = new Proc();
            c.hasObject = hasObject;
            c.handleDropped = handleDropped;
            c.attached = attached;
            c.readOnly = readOnly;
            c.lockedByMe = lockedByMe;
            c.ownsSemaphore = ownsSemaphore;
            c.dead = dead;
            c.mapped = mapped;
            c.undo = undo;
            return c;
        }
    }

    /** The kernel and the processes' objects. */
    private static final class World {
        boolean segment;
        long size;
        TreeMap<Long, Byte> bytes = new TreeMap<>();
        boolean semaphore;
        int value;
        Map<String, Proc> procs = new TreeMap<>();

        World copy() {
            World w = new World();
            w.segment = segment;
            w.size = size;
            w.bytes = new TreeMap<>(bytes);
            w.semaphore = semaphore;
            w.value = value;
            procs.forEach((k, v) -> w.procs.put(k, v.copy()));
            return w;
        }
    }

    record Scripted(String process, ModelOp call) {
    }

    private final long seed;
    private final Random random;
    private final Profile profile;
    private World world = new World();
    private List<String> names = List.of();
    private List<Scripted> script = List.of();

    QtSysVMechanism(long seed, List<Profile> profiles) {
        this.seed = seed;
        this.random = new Random(seed);
        this.profile = profiles.get(random.nextInt(profiles.size()));
    }

    Generated generate(int maxOps) {
        int processes = 1 + random.nextInt(4);
        List<String> ns = new ArrayList<>();
        for (int i = 0; i < processes; i++) {
            ns.add(String.valueOf((char) ('A' + i)));
        }
        names = ns;
        List<Scripted> steps = new ArrayList<>();
        int target = 2 + random.nextInt(maxOps - 1);
        for (int attempts = 0; steps.size() < target && attempts < target * 20; attempts++) {
            String p = names.get(random.nextInt(names.size()));
            steps.add(new Scripted(p, randomCall(p)));
        }
        return replay(steps);
    }

    Generated replay(List<Scripted> steps) {
        script = List.copyOf(steps);
        world = new World();
        for (String n : names) {
            world.procs.put(n, new Proc());
        }
        List<Placed> run = new ArrayList<>();
        for (Scripted step : steps) {
            if (world.procs.get(step.process()).dead) {
                continue;
            }
            if (step.call().f().equals("kill")) {
                run.add(new Placed(step.call(), true, false, false));
                die(world, step.process());
                continue;
            }
            World trial = world.copy();
            ModelOp done = perform(trial, step.process(), step.call());
            if (done == null) {
                continue; // it would block: not this story
            }
            world = trial;
            run.add(new Placed(done, true, false, done.outcome() == Outcome.BLOCKED));
            if (done.outcome() == Outcome.BLOCKED) {
                run.add(new Placed(HistoryGenerator.kill(step.process()), true, false, false));
                die(world, step.process());
            }
        }
        List<Integer> runIndex = new ArrayList<>();
        List<CheckedOp> ops = HistoryGenerator.Timeline.place(run, new Random(seed ^ 0x5eed), runIndex);
        return new Generated(seed, profile, run, ops, runIndex);
    }

    List<CheckedOp> shrink(java.util.function.Predicate<Generated> stillFails) {
        List<Scripted> current = new ArrayList<>(script);
        boolean smaller = true;
        while (smaller) {
            smaller = false;
            for (int i = current.size() - 1; i >= 0; i--) {
                List<Scripted> candidate = new ArrayList<>(current);
                candidate.remove(i);
                if (stillFails.test(replay(candidate))) {
                    current = candidate;
                    smaller = true;
                }
            }
        }
        return replay(current).ops();
    }

    private ModelOp randomCall(String p) {
        int r = random.nextInt(20);
        String mode = random.nextInt(6) == 0 ? "ReadOnly" : "ReadWrite";
        long offset = OFFSETS[random.nextInt(OFFSETS.length)];
        return switch (r) {
            case 0, 1, 2 -> HistoryGenerator.call(p, "create", "k", SIZES[random.nextInt(SIZES.length)], mode, null, null, null);
            case 3, 4, 5 -> HistoryGenerator.call(p, "attach", "k", null, mode, null, null, null);
            case 6, 7 -> HistoryGenerator.call(p, "detach", null, null, null, null, null, null);
            case 8, 9, 10 -> HistoryGenerator.call(p, "lock", null, null, null, null, null, null);
            case 11, 12 -> HistoryGenerator.call(p, "unlock", null, null, null, null, null, null);
            case 13, 14 -> HistoryGenerator.call(p, "read", null, null, null, offset, 4, null);
            case 15, 16 -> HistoryGenerator.call(p, "write", null, null, null, offset, null, HEX.formatHex(new byte[] {'x', 'y'}));
            case 17 -> HistoryGenerator.call(p, "size", null, null, null, null, null, null);
            case 18 -> HistoryGenerator.call(p, "truncate", null, null, null, null, 10, null);
            default -> HistoryGenerator.kill(p);
        };
    }

    /** One call on a trial world; null when it would block. */
    private static ModelOp perform(World w, String p, ModelOp c) {
        Proc me = w.procs.get(p);
        switch (c.f()) {
            case "create" -> {
                me.hasObject = true;
                initKey(w, me);
                // setKey(key, 1, Create): this object owns the semaphore from now on and SETVALs it to 1.
                openSemaphore(w, me);
                me.ownsSemaphore = true;
                setValue(w, 1);
                if (!lockFor(w, p, me)) {
                    return null;
                }
                ModelOp result;
                me.handleDropped = c.size() <= 0; // the size check comes before handle() derives unix_key again
                if (c.size() <= 0) {
                    result = fail(c, "InvalidSize");
                } else if (w.segment) {
                    result = fail(c, "AlreadyExists");
                } else {
                    w.segment = true;
                    w.size = c.size();
                    w.bytes = new TreeMap<>();
                    attachTo(w, me, c);
                    result = ok(c, null, null);
                }
                unlock(w, p, me);
                return result;
            }
            case "attach" -> {
                if (me.attached) {
                    return fail(c, "NoError");
                }
                me.hasObject = true;
                initKey(w, me);
                me.handleDropped = false;
                if (!lockFor(w, p, me)) {
                    return null;
                }
                ModelOp result = w.segment ? ok(c, null, null) : fail(c, "NotFound");
                if (w.segment) {
                    attachTo(w, me, c);
                }
                unlock(w, p, me);
                return result;
            }
            case "detach" -> {
                if (!me.attached) {
                    return fail(c, "NoError");
                }
                if (!lockFor(w, p, me)) {
                    return null;
                }
                me.attached = false;
                me.mapped = 0;
                // shmget(unix_key) after shmdt: with a dropped handle (key 0) it finds nothing and nothing is removed.
                if (!me.handleDropped && w.procs.values().stream().noneMatch(x -> x.attached)) {
                    w.segment = false; // shm_nattch 0: IPC_RMID
                    w.bytes = new TreeMap<>();
                }
                me.handleDropped = false;
                unlock(w, p, me);
                return ok(c, null, null);
            }
            case "lock" -> {
                if (!me.hasObject) {
                    return fail(c, "LockError");
                }
                if (me.lockedByMe) {
                    return ok(c, null, null);
                }
                openSemaphore(w, me);
                if (w.value == 0) {
                    return HistoryGenerator.with(c, Outcome.BLOCKED, null, null, null);
                }
                acquire(w, p, me);
                return ok(c, null, null);
            }
            case "unlock" -> {
                if (!me.lockedByMe) {
                    return fail(c, "NoError");
                }
                unlock(w, p, me);
                return ok(c, null, null);
            }
            case "read", "write" -> {
                if (!me.attached) {
                    return fail(c, "NotFound");
                }
                long len = c.f().equals("read") ? c.length() : c.dataHex().length() / 2;
                if (c.offset() + len > me.mapped) {
                    return fail(c, "InvalidSize");
                }
                if (c.f().equals("write")) {
                    if (me.readOnly) {
                        return fail(c, "PermissionDenied");
                    }
                    byte[] data = HEX.parseHex(c.dataHex());
                    for (int i = 0; i < data.length; i++) {
                        w.bytes.put(c.offset() + i, data[i]);
                    }
                    return ok(c, null, c.dataHex());
                }
                byte[] out = new byte[(int) len];
                w.bytes.subMap(c.offset(), c.offset() + len).forEach((at, b) -> out[(int) (at - c.offset())] = b);
                return ok(c, null, HEX.formatHex(out));
            }
            case "size" -> {
                return ok(c, Long.toString(me.attached ? me.mapped : 0), null);
            }
            case "truncate" -> {
                return fail(c, me.hasObject ? "UnknownError" : "NotFound"); // a System V segment has no length to change
            }
            default -> throw new IllegalArgumentException(c.f());
        }
    }

    /** initKey: re-keying the semaphore cleans the old handle, which removes a semaphore this object owns; then opens it. */
    private static void initKey(World w, Proc me) {
        if (me.ownsSemaphore && w.semaphore) {
            w.semaphore = false; // IPC_RMID: every adjustment goes with it
            w.procs.values().forEach(x -> x.undo = 0);
        }
        me.ownsSemaphore = false;
        openSemaphore(w, me);
    }

    /** semget(IPC_CREAT|IPC_EXCL), falling back to the existing set; the creator owns it and sets it to 1. */
    private static void openSemaphore(World w, Proc me) {
        if (!w.semaphore) {
            w.semaphore = true;
            me.ownsSemaphore = true;
            setValue(w, 1);
        }
    }

    /** semctl(SETVAL) also clears every process's SEM_UNDO adjustment. */
    private static void setValue(World w, int value) {
        w.value = value;
        w.procs.values().forEach(x -> x.undo = 0);
    }

    /** QSharedMemoryLocker: lock() unless already held; false when it would block. */
    private static boolean lockFor(World w, String p, Proc me) {
        if (me.lockedByMe) {
            return true;
        }
        openSemaphore(w, me); // a semop on a removed set re-creates it (Qt's retry)
        if (w.value == 0) {
            return false;
        }
        acquire(w, p, me);
        return true;
    }

    private static void acquire(World w, String p, Proc me) {
        w.value--;
        me.undo++;
        me.lockedByMe = true;
    }

    private static void unlock(World w, String p, Proc me) {
        if (!me.lockedByMe) {
            return;
        }
        me.lockedByMe = false;
        openSemaphore(w, me);
        w.value++;
        me.undo--;
    }

    private static void attachTo(World w, Proc me, ModelOp c) {
        me.attached = true;
        me.readOnly = "ReadOnly".equals(c.mode());
        me.mapped = w.size;
    }

    /** SIGKILL: SEM_UNDO gives back what it took; the kernel detaches it and the segment survives. */
    private static void die(World w, String p) {
        Proc me = w.procs.get(p);
        if (w.semaphore) {
            w.value = Math.max(0, w.value + me.undo); // the kernel clamps an adjustment that would go below 0
        }
        me.undo = 0;
        me.dead = true;
        me.attached = false;
        me.lockedByMe = false;
    }

    private static ModelOp ok(ModelOp c, String value, String data) {
        return HistoryGenerator.with(c, Outcome.OK, "NoError", value, data);
    }

    private static ModelOp fail(ModelOp c, String error) {
        return HistoryGenerator.with(c, Outcome.FAIL, error, null, c.f().equals("read") ? null : c.dataHex());
    }
}
