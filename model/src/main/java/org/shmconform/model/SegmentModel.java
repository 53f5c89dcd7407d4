package org.shmconform.model;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Function;
import org.shmconform.model.ModelOp.Outcome;
import org.shmconform.model.ModelState.Worker;

/**
 * The executable model of the documented semantics: a pure step function. Given a state and one
 * completed operation it returns every state the operation may lead to (several where the profile
 * leaves a choice open), or the property the operation contradicts. The rules live by subject:
 * {@link LifecycleRules}, {@link LockRules}, {@link DataRules}, {@link KeySpaceRules}, {@link NativeKeyRules}, and what
 * each profile promises where they branch, {@link Promises}.
 */
public final class SegmentModel {
    /** Keys longer than this may be refused by a backend (file name limits); below it they must work. */
    public static final int SAFE_KEY_LENGTH = 100;
    /** The keying part of a create() that then blocked in its locker: a checker-made op (HistoryOps), never a request. */
    public static final String CREATE_KEYED = "createKeyed";
    /**
     * The initKey part of an attach() that then blocked in its locker (or never returned): a checker-made op (HistoryOps).
     * Its cleanHandle of a failed create's kept handle runs before the locker waits (fuzz qt68-sysv seed 91357, 3/3: C's
     * attach removed the unattached segment its kept handle named, then waited behind A's lock; A's attach then found
     * its own kept handle stale: AlreadyExists). Where keying splits the lock (POSIX), also an optional part of an attach
     * that returned while another process's create of its key overlapped it: the semaphore its initKey opened before its
     * locker waited may be the one that create unlinked meanwhile (fuzz qt68-posix seed 982342,
     * {@link LockRules#openedBeforeItsLockerWaits}).
     */
    public static final String ATTACH_KEYED = "attachKeyed";
    /**
     * The cleanHandle of a failed create's kept handle, the first thing a later create() or attach() of that object does
     * (QSharedMemoryPrivate::initKey): a checker-made optional op placed in the interval of such a call that returned
     * (HistoryOps), so it may happen before a peer's last detach that the rest of the call follows (fuzz qt68-sysv seed
     * 189, {@link LifecycleRules#keptHandleCleanedFirst}).
     */
    public static final String HANDLE_CLEANED = "handleCleaned";
    /**
     * The point where the QSystemSemaphore handle() of a create() or attach() that failed with KeyError ("QSystemSemaphore::
     * handle:: ftok failed") made or found its key file (QtIpcCommon::createUnixKeyFile), before its ftok: a checker-made
     * optional op placed in the call's interval (HistoryOps), so that another object's op that unlinks that file
     * ({@link LockRules#unlinksTheKeyFile}) may be placed between the two ({@link ModelState#ftoks}), and the ftok then
     * finds no file (fuzz qt68-sysv-native seed 484555, {@link LifecycleRules#ftokMayMissItsKeyFile}).
     */
    public static final String KEY_FILE_MADE = "keyFileMade";

    private SegmentModel() {
    }

    /** The result of one step: next states, or the contradiction. */
    public record Step(List<ModelState> next, Property violated, String why) {
        static Step to(ModelState... states) {
            return new Step(List.of(states), null, null);
        }

        static Step to(List<ModelState> states) {
            return new Step(states, null, null);
        }

        static Step violates(Property p, String why) {
            return new Step(List.of(), p, why);
        }

        /** Every state any base leads to, or the first base's contradiction when none leads anywhere. */
        static <T> Step anyOf(List<T> bases, Function<T, Step> f) {
            LinkedHashSet<ModelState> next = new LinkedHashSet<>();
            Step first = null;
            for (T b : bases) {
                Step st = f.apply(b);
                if (st.legal()) {
                    next.addAll(st.next());
                } else if (first == null) {
                    first = st;
                }
            }
            return next.isEmpty() ? first : to(new ArrayList<>(next));
        }

        /** Where either of two readings may hold: the states of both, or {@code first}'s contradiction when neither holds. */
        static Step either(Step first, Step second) {
            return anyOf(List.of(first, second), Function.identity());
        }

        public boolean legal() {
            return !next.isEmpty();
        }
    }

    public static Step step(Profile profile, ModelState s, ModelOp op) {
        Step step = stepOf(profile, s, op);
        if (s.ftoks().isEmpty() || !step.legal()) {
            return step;
        }
        return Step.to(step.next().stream().map(next -> LockRules.ftoksAfter(profile, s, op, next)).distinct().toList());
    }

    private static Step stepOf(Profile profile, ModelState s, ModelOp op) {
        Worker w = s.worker(op.process());
        if (w.dead()) {
            // A kill of a worker that already died (of a crash) changes nothing; anything else is a contradiction.
            return op.f().equals("kill") ? Step.to(s) : Step.violates(Property.API_CONTRACT, op.process() + " acted after it died");
        }
        if (op.outcome() == Outcome.BLOCKED && op.f().equals("attachFd")) {
            return HandOverRules.blockedAttach(s, op);
        }
        if (op.outcome() == Outcome.BLOCKED && !op.f().equals("lock")) {
            return LockRules.blockedInternally(profile, s, op, w);
        }
        if (LockRules.runsModifySemaphore(op, w)) {
            // modifySemaphore clears the object's error; a lock by the holder or an unlock by a non-holder returns
            // before it (QSharedMemory::lock, unlock: lockedByMe), and the error stays: fuzz qt68-sysv seed 221338 and
            // qt68-sysv-safe seed 222431 (3/3): A create k → UnknownError; A unlock → false; A attach k →
            // UnknownError.
            s = LifecycleRules.semaphoreErrorCleared(s, op.process());
        }
        // Qt 6.4: an owner whose set another owner's remake removed meets it in its semop and unlinks that owner's file.
        s = LockRules.lockerMetARemovedSet(profile, s, op, w);
        // Qt 6.8: an owner whose set was removed under it re-makes its key file in its semop.
        List<ModelState> bases = new ArrayList<>();
        for (ModelState b : LifecycleRules.semopMayRemakeTheKeyFile(profile, s, op, w)) {
            bases.addAll(LockRules.lockerMayMakeTheSet(b, op, b.worker(op.process())));
        }
        return Step.anyOf(bases, base -> dispatch(profile, base, op, base.worker(op.process())));
    }

    private static Step dispatch(Profile profile, ModelState s, ModelOp op, Worker w) {
        return HandOverRules.stopServers(op, switch (op.f()) {
            case "placement" -> PlacementRules.placement(s, op);
            case "placeIn" -> PlacementRules.placeIn(s, op, w);
            case "createTemp" -> TemporaryFileRules.create(s, op, w);
            case "tempFiles" -> TemporaryFileRules.list(s, op);
            case "serveFd" -> HandOverRules.serve(profile, s, op, w);
            case "attachFd" -> HandOverRules.attach(profile, s, op, w);
            case "spawnChild" -> HandOverRules.spawnChild(profile, s, op, w);
            case CREATE_KEYED -> keyedBeforeTheLocker(profile, s, op, w, true);
            case ATTACH_KEYED -> keyedBeforeTheLocker(profile, s, op, w, false);
            case HANDLE_CLEANED -> LifecycleRules.keptHandleCleanedFirst(profile, s, op, w);
            case KEY_FILE_MADE -> LockRules.keyFileMadeBeforeItsFtok(profile, s, op);
            case "create" -> NativeKeyRules.create(profile, s, op, w);
            case "attach" -> NativeKeyRules.attach(profile, s, op, w);
            case "detach" -> LifecycleRules.detach(profile, s, op, w);
            case "kill" -> LifecycleRules.death(profile, s, op.process());
            case "lock" -> NativeKeyRules.lock(profile, s, op, w);
            case "unlock" -> NativeKeyRules.unlock(profile, s, op, w);
            case "read", "write", "rawWrite" -> DataRules.access(s, op, w);
            case "truncate" -> DataRules.truncate(profile, s, op, w);
            case "size" -> DataRules.size(s, op, w);
            case "nativeKey" -> NativeKeyRules.nativeKey(profile, s, op, w);
            case "isAttached" -> Expect.value(s, op, Boolean.toString(w.attached()), Property.API_CONTRACT);
            default -> op.outcome() == Outcome.CRASH ? Expect.crashed(s, op) : Step.to(s); // sleep, error
        });
    }

    /** What the op returned, in the words the model's reasons use ("true", "false (NotFound)", ...). */
    public static String describe(ModelOp op) {
        return Expect.describe(op);
    }

    /** Hex shown as text where printable, for messages. */
    public static String text(String hex) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i + 1 < hex.length(); i += 2) {
            int c = Integer.parseInt(hex.substring(i, i + 2), 16);
            b.append(c >= 32 && c < 127 ? String.valueOf((char) c) : c == 0 ? "\\0" : String.format("\\x%02x", c));
        }
        return b.append('"').toString();
    }

    /**
     * What a create's or attach's initKey does before its locker waits: the kept handle cleaned, a create's keying, the
     * semaphore a POSIX attach opens ({@link LockRules#openedBeforeItsLockerWaits}).
     */
    private static Step keyedBeforeTheLocker(Profile profile, ModelState s, ModelOp op, Worker w, boolean create) {
        if (LifecycleRules.keptHandleIsStale(profile, s, op, w)) {
            // initKey returns at its failed cleanHandle, before it keys anything: a call that got there answers for it
            // whole (false, AlreadyExists), and one that blocked in its locker cannot have got there.
            return Step.violates(s.blame(s.orphan(op.process()), Property.LAST_DETACH_DESTROYS), op.process()
                    + "'s cleanHandle fails here (its failed create's segment was destroyed since): nothing keyed");
        }
        List<ModelState> out = new ArrayList<>();
        for (ModelState cleaned : LifecycleRules.cleanOrphanHandle(profile, s, op.process())) {
            ModelState keyed = LockRules.keyingMayMeetANamelessSet(profile, cleaned, op);
            out.addAll(create ? LockRules.keyedByBlockedCreate(profile, keyed, op).next()
                    : LifecycleRules.keyedAttachMayRemakeTheKeyFile(profile,
                    LockRules.attachKeyedMadeTheKeyFile(profile, LockRules.openedBeforeItsLockerWaits(profile, keyed, op), op, w), op));
        }
        return Step.to(out);
    }
}
