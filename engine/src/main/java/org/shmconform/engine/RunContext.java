package org.shmconform.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.shmconform.backends.host.CoarseClock;
import org.shmconform.backends.host.OfdLockFile;
import org.shmconform.engine.state.PrivateDirectory;
import org.shmconform.engine.state.RunsBeingMade;
import org.shmconform.engine.state.RunLock;
import org.shmconform.engine.state.StateDirectory;

/**
 * One run of the harness: its id, which every key it makes carries (so a reaper can find what a
 * killed run left), and its private directory {@code <state>/runs/<id>/} (0700, lstat-checked, see
 * {@link PrivateDirectory}): {@code lock} (an open-file-description lock held for the run's whole
 * life: the proof it is alive, which holds across pid namespaces), {@code ledger} (what its workers
 * may have made, see {@link Ledger}) and {@code logs/} (workers' stderr).
 *
 * <p>The workers' TMPDIRs (where Qt's key files live) and the class path a worker running as
 * another user needs are in {@code <state>-share/<id>-<random>/} (0711 root, not listable): each
 * TMPDIR is {@code tmp-<random>}, 0700 and owned by the worker's user; the shared one is opened to
 * traversal (0711) only when a worker of another user must find the key files in it.
 *
 * <p>The state directory is {@code shmconform.state.dir} if set, else /run/shmconform for root,
 * else $XDG_RUNTIME_DIR/shmconform.
 */
public final class RunContext implements AutoCloseable {
    public static final String KEY_PREFIX = "shmcf";
    public static final String STATE_DIR_PROPERTY = StateDirectory.PROPERTY;
    /** A run id: exactly this many lowercase letters, so no run's prefix is a prefix of another's. */
    static final int ID_LENGTH = StateDirectory.RUN_ID_LENGTH;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Runs of this JVM, so the reaper can release a run's lock when it removes the run. */
    private static final Map<String, RunContext> LIVE = new ConcurrentHashMap<>();

    private final String runId;
    private final Path runDir;
    private final long startSecond;
    private final OfdLockFile lock;
    private final Ledger ledger;
    private WorkerPool workerPool;
    /** The execution ids handed out or reserved ({@link #nextExecutionPrefix}), so that none is given twice. */
    private final java.util.Set<String> executionIds = new java.util.HashSet<>();
    /** Drawn by {@link #reserveNextExecutionPrefix} and not handed out yet, or null; guarded by {@link #executionIds}. */
    private String reservedExecutionId;
    private final Map<String, Path> tmpDirs = new LinkedHashMap<>();
    /** TMPDIR names whose directories get a file system of their own ({@link #keyFilesOnAFileSystemOfTheirOwn}). */
    private final java.util.Set<String> ownFileSystem = new java.util.HashSet<>();
    /** Why a name's file system could not be had, by name. */
    private final Map<String, String> ownFileSystemRefused = new java.util.HashMap<>();
    /** Placement directories by name ({@link PlacementDirectories}). */
    private final Map<String, Path> placed = new LinkedHashMap<>();
    private Path shareDir;
    private final java.util.Map<String, Path> handOverSockets = new java.util.HashMap<>();
    /** The run's names in /dev/shm that it cannot have made ({@link ForeignNames}). */
    private ForeignNames foreignNames;
    /** The uids of the users the run started workers as, the harness's own included ({@link #noteWorkerUser}). */
    private final java.util.Set<Integer> workerUids = new java.util.HashSet<>(java.util.Set.of(PrivateDirectory.myUid()));
    /** What the reaper of dead runs left in place at this run's start ({@link #leftInPlaceAtStart}). */
    private final List<String> leftInPlaceAtStart;

    private RunContext(String runId, Path runDir, long startSecond, OfdLockFile lock, Ledger ledger, List<String> leftInPlaceAtStart) {
        this.runId = runId;
        this.runDir = runDir;
        this.startSecond = startSecond;
        this.lock = lock;
        this.ledger = ledger;
        this.leftInPlaceAtStart = List.copyOf(leftInPlaceAtStart);
    }

    /** The state directory (checked and made 0700 if missing): see {@link StateDirectory}. */
    public static Path stateDir() {
        return StateDirectory.root();
    }

    public static Path runsRoot() {
        return StateDirectory.runs();
    }

    /** What outlives runs on purpose (the compiled Qt worker, class-data archives, class jars): root only. */
    public static Path cacheDir() {
        return StateDirectory.cache();
    }

    /** Where other users' workers find their TMPDIR and class path: traversable, not listable, not writable. */
    static Path shareRoot() {
        return StateDirectory.shareRoot();
    }

    /** Reaps what dead runs left, then makes this run's directory, locked before anyone can see it. */
    public static RunContext create() {
        Path runs = runsRoot();
        List<String> leftInPlace = leftInPlace(Reaper.reapDeadRuns());
        // Never removed, so said: the user may know it for the dead run's.
        leftInPlace.forEach(line -> System.err.println("shmconform: " + line));
        // On the clock that dates System V objects (CoarseClock): an object made after this reading is dated in its second or later.
        long start = CoarseClock.nowMillis() / 1000;
        for (int attempt = 0; attempt < 100; attempt++) {
            String id = letters(ID_LENGTH);
            if (Files.exists(runs.resolve(id), LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Path dir = runs.resolve(id);
            OfdLockFile lock;
            Ledger ledger;
            // Made under a name the reaper ignores, locked, then renamed: a reaper never sees it unlocked. Made while
            // holding RunsBeingMade, so a reaper can tell one whose maker died before its lock was in place.
            try (OfdLockFile beingMade = RunsBeingMade.hold()) {
                Path making = PrivateDirectory.createFresh(runs.resolve(".new-" + letters(16)), "rwx------");
                lock = RunLock.createIn(making); // never through a link, held until the run ends or the process dies
                ledger = Ledger.create(making, start);
                PrivateDirectory.createFresh(making.resolve("logs"), "rwx------");
                try {
                    Files.move(making, dir); // rename(2): fails if a run took the id meanwhile
                } catch (IOException e) {
                    lock.close();
                    ledger.close();
                    PrivateDirectory.deleteTree(making);
                    continue;
                }
            }
            ledger.watchKeyFiles(KEY_PREFIX + id);
            RunContext run = new RunContext(id, dir, start, lock, ledger, leftInPlace);
            run.foreignNames = ForeignNames.watch(KEY_PREFIX + id, EXECUTION_ID_LENGTH);
            LIVE.put(id, run);
            RunLock.heldHere(id);
            return run;
        }
        throw new IllegalStateException("cannot find a free run id in " + runs);
    }

    /**
     * Whether the run whose directory is {@code runDir} is alive: its lock is held. The lock is the
     * kernel's, so this holds whatever pid namespace the other harness runs in. When the run is
     * dead the attempt holds its lock, taken (the caller reaps, then closes it).
     */
    static OfdLockFile.Attempt lockIfDead(Path runDir) {
        return RunLock.takeIfDead(runDir);
    }

    public String runId() {
        return runId;
    }

    public Path runDir() {
        return runDir;
    }

    public Ledger ledger() {
        return ledger;
    }

    long startSecond() {
        return startSecond;
    }

    /** This run's directory in the share area, made on first use and announced in the ledger first. */
    synchronized Path shareDir() {
        if (shareDir == null) {
            Path dir = shareRoot().resolve(runId + "-" + letters(16));
            ledger.write("share " + dir);
            shareDir = PrivateDirectory.createFresh(dir, "rwx--x--x");
        }
        return shareDir;
    }

    /**
     * Where the hand-over socket {@code name} of the execution {@code prefix} lives (serveFd, attachFd):
     * in this run's share directory (ours, 0711: a peer of another user can reach a socket there but
     * not list or plant one), removed with the run. The same name in one execution is one path.
     */
    synchronized Path handOverSocket(String prefix, String name) {
        return handOverSockets.computeIfAbsent(prefix + "/" + name, k -> shareDir().resolve("fd-" + letters(12)));
    }

    /** The TMPDIR every worker of this run gets. */
    public Path workerTmp() {
        return workerTmp(null, null);
    }

    /** A further TMPDIR, for workers that must not share key files with the others; made on first use. */
    public Path workerTmp(String name) {
        return workerTmp(name, null);
    }

    /**
     * The TMPDIR {@code name} (null: the shared one) for a worker running as {@code user} (null:
     * this user). Made on first use, 0700, owned by the first worker's user; if a worker of another
     * user needs a TMPDIR of ours it becomes 0711 so that it can find (not list, not write) the key
     * files, as in Qt where both would use /tmp.
     */
    public synchronized Path workerTmp(String name, String user) {
        noteWorkerUser(user); // every worker's command asks for its TMPDIR (WorkerCommands)
        String slot = name == null ? "" : name;
        Path dir = tmpDirs.get(slot);
        if (dir == null) {
            dir = freshDirectory(slot, "tmp-", user, true, name);
        } else if (user != null && PrivateDirectory.uidOf(dir) == PrivateDirectory.myUid()) {
            PrivateDirectory.setMode(dir, "rwx--x--x");
        } else if (user == null && PrivateDirectory.uidOf(dir) != PrivateDirectory.myUid()) {
            // Our worker would ftok() (follow) names another user can plant there.
            throw new IllegalStateException("TMPDIR '" + name + "' belongs to another user's worker: a worker of ours will not use it");
        }
        return dir;
    }

    /**
     * A directory of the worker's own user, 0700, for what its JVM writes for itself (java.io.tmpdir,
     * where JNA unpacks its library when the user has no home; hs_err files): never /tmp, and not
     * the TMPDIR it may share read-only with this user's workers.
     */
    public synchronized Path userScratch(String user) {
        Path dir = tmpDirs.get("\0scratch-" + user);
        return dir != null ? dir : freshDirectory("\0scratch-" + user, "tmp-", user, false, null);
    }

    /**
     * Where the harness makes spawned children's FIFOs ({@link SpawnedChildren}): a directory of ours, 0711, so that a
     * child's user can open the FIFO given to it by its name, but can neither list the directory nor rename, replace or
     * link anything in it. What the harness opens there (as root) is then what it made; in a directory of that user, a
     * FIFO could be swapped for a link to any file, which the harness would write, read into its logs or open.
     */
    public synchronized Path childFifoDirectory() {
        Path dir = tmpDirs.get("\0fifos");
        if (dir == null) {
            dir = freshDirectory("\0fifos", "fifo-", null, false, null);
            PrivateDirectory.setMode(dir, "rwx--x--x");
            PrivateDirectory.verify(dir, PrivateDirectory.myUid(), "rwx--x--x");
        }
        return dir;
    }

    /**
     * Puts the key files of the workers whose TMPDIR is {@code name} on a file system of their own ({@link KeyFileSystem}):
     * that TMPDIR and its XDG_RUNTIME_DIRs (where Qt 6.8's platform-safe System V keys make theirs) each get one when
     * made. Asked before any worker uses the name.
     *
     * @return null if they are, else why not in one line; the name's directories are then ordinary ones
     */
    public synchronized String keyFilesOnAFileSystemOfTheirOwn(String name) {
        if (tmpDirs.containsKey(name) && !ownFileSystem.contains(name)) {
            return "TMPDIR '" + name + "' is in use already";
        }
        ownFileSystem.add(name);
        workerTmp(name, null);
        return ownFileSystemRefused.get(name);
    }

    /**
     * A new unguessable directory in the run's share directory, announced in the ledger before it is
     * made (so the reaper deletes it with the run), 0700, given to {@code user} (null: ours), watched
     * for key files when {@code watched}, and remembered under {@code slot}; a file system of its own
     * is mounted on it first when the TMPDIR {@code name} asked for one.
     */
    private Path freshDirectory(String slot, String prefix, String user, boolean watched, String name) {
        Path dir = shareDir().resolve(prefix + letters(16));
        ledger.write("tmpdir " + dir);
        PrivateDirectory.createFresh(dir, "rwx------");
        if (name != null && ownFileSystem.contains(name)) {
            String why = KeyFileSystem.makeOn(dir, runDir, ledger); // before the watch: it must watch the new file system
            if (why != null && !slot.equals(name)) {
                // A later directory of a name whose TMPDIR has one (its XDG_RUNTIME_DIR): its workers must not make key
                // files on a shared file system unsaid, so their start fails with the reason (a step that could not run).
                throw new IllegalStateException("no file system of its own for " + dir + " (TMPDIR '" + name + "' has one): " + why);
            }
            if (why != null) {
                ownFileSystem.remove(name);
                ownFileSystemRefused.put(name, why);
            }
        }
        if (watched) {
            ledger.watch(dir);
        }
        if (user != null) {
            chown(dir, user);
        }
        tmpDirs.put(slot, dir);
        return dir;
    }

    private static void chown(Path dir, String user) {
        try {
            UserPrincipal owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
            Files.getFileAttributeView(dir, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setOwner(owner);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot give " + dir + " to " + user, e);
        }
    }

    /**
     * The XDG_RUNTIME_DIR of a worker (Qt 6.8's {@code platformSafeKey(key, SystemV)} makes its key file
     * there): one per TMPDIR slot ({@code name}, null for the shared one) and user (null: this user), made
     * on first use in the run's share directory, 0700 and owned by that user, because Qt's QStandardPaths
     * refuses a runtime directory of another owner or mode and falls back to one outside the run. Announced
     * in the ledger (as a {@code tmpdir}, so the reaper deletes it with the run) and watched for key files
     * before any worker can use it. Workers of different users never share one: as in a real session, each
     * user's platform-safe System V keys are its own.
     */
    public synchronized Path workerRuntimeDir(String name, String user) {
        String slot = "\0xdg-" + (name == null ? "" : name) + "\0" + (user == null ? "" : user);
        Path dir = tmpDirs.get(slot);
        return dir != null ? dir : freshDirectory(slot, "xdg-", user, true, name);
    }

    /**
     * The directory a schedule's {@code placement} or {@code placeIn} step names ({@link PlacementDirectories}):
     * /dev/shm and /tmp as they are; {@code disk} and {@code xdg-runtime} as private 0700 directories of this
     * run, made on first use, announced in the ledger first ({@code placedir}), cleared of the run's files after
     * every schedule and removed with the run. An IllegalStateException says why the name cannot be used here.
     */
    public synchronized Path placementDirectory(String name) {
        String missing = PlacementDirectories.missing(name);
        if (missing != null) {
            throw new IllegalStateException(missing);
        }
        if (name.equals(PlacementDirectories.DEV_SHM) || name.equals(PlacementDirectories.TMP)) {
            return PlacementDirectories.fixed(name);
        }
        Path made = placed.get(name);
        if (made != null) {
            return made;
        }
        Path parent = name.equals(PlacementDirectories.DISK) ? PlacementDirectories.diskParent() : PlacementDirectories.xdgRuntimeDir();
        // In the share area, or outside it (/var/tmp, /run/user/<uid>) named so the reaper can prove it is this run's.
        Path dir = parent.equals(shareRoot()) ? shareDir().resolve("place-" + letters(16))
                : parent.resolve(PlacementDirectories.OUTSIDE_PREFIX + runId + "-" + letters(16));
        PrivateDirectory.checkAncestors(parent);
        // Not a TMPDIR: no key file lives there, so neither the ledger's key-file watch nor System V reaping looks in it.
        ledger.write("placedir " + dir);
        PrivateDirectory.createFresh(dir, "rwx------");
        placed.put(name, dir);
        return dir;
    }

    /** The placement directories this run made ({@link #placementDirectory}): the reaper removes the run's files there. */
    public synchronized List<Path> placementDirectories() {
        return new ArrayList<>(placed.values());
    }

    /** The run's names in /dev/shm that it cannot have made. */
    ForeignNames foreignNames() {
        return foreignNames;
    }

    /**
     * Remembers that a worker of the run runs as {@code user} (null: the harness's own), in the ledger too ({@code user
     * <uid>}): the reaper removes a run's name in /dev/shm only when one of these users owns it ({@link Reaper}), since
     * another user may have planted a file at a name of the run there.
     */
    synchronized void noteWorkerUser(String user) {
        int uid;
        try {
            uid = Users.uid(user);
        } catch (IOException e) {
            return; // no such user: no worker of it can start either
        }
        if (workerUids.add(uid)) {
            ledger.write(USER + " " + Integer.toUnsignedString(uid));
        }
    }

    /** The ledger's line for a worker user: {@code user <uid>}. */
    static final String USER = "user";

    /** The uids of the users the run started workers as, the harness's own included. */
    public synchronized java.util.Set<Integer> workerUids() {
        return java.util.Set.copyOf(workerUids);
    }

    /** Every TMPDIR (and worker runtime directory) this run handed out. */
    public synchronized List<Path> workerTmps() {
        return new ArrayList<>(tmpDirs.values());
    }

    public Path logs() {
        return runDir.resolve("logs");
    }

    /** Letters only, so it survives Qt's key mangling into every native name. */
    public String keyPrefix() {
        return KEY_PREFIX + runId;
    }

    /** An execution id: exactly this many lowercase letters, drawn at random. */
    static final int EXECUTION_ID_LENGTH = 6;

    /**
     * A fresh prefix for one execution of a schedule, so re-runs never meet each other's leftovers: the run's prefix and
     * {@value #EXECUTION_ID_LENGTH} random letters. Of a fixed length, so that no execution's prefix is a prefix of
     * another's (with a counter, execution "b"'s reaper matched the names of "ba" to "bz", and "b" with key "ak" named
     * what "ba" with key "k" names). Drawn, not counted, so that another user who read one execution's name in /dev/shm
     * cannot plant a file at the names of the next (a foreign name is reported all the same: {@link ForeignNames}).
     */
    public String nextExecutionPrefix() {
        String id;
        synchronized (executionIds) {
            id = reservedExecutionId;
            reservedExecutionId = null;
            if (id == null) {
                id = freshExecutionId();
            }
        }
        String prefix = keyPrefix() + id;
        ledger.write("execution " + prefix);
        return prefix;
    }

    /**
     * The prefix the next {@link #nextExecutionPrefix} returns, drawn now (asked again, the same); its ledger line is
     * written when it is handed out, as ever. Why: a test plants a file at the next execution's name before it runs.
     */
    String reserveNextExecutionPrefix() {
        synchronized (executionIds) {
            if (reservedExecutionId == null) {
                reservedExecutionId = freshExecutionId();
            }
            return keyPrefix() + reservedExecutionId;
        }
    }

    /** A new execution id, never given before in the run; holding {@link #executionIds}. */
    private String freshExecutionId() {
        String id;
        do {
            id = letters(EXECUTION_ID_LENGTH);
        } while (!executionIds.add(id));
        return id;
    }

    /**
     * The reaping's lines about what it did not remove ({@link Reaper#LEFT}: an object not proven a dead run's;
     * {@link Reaper#KEPT}: a run's directory in which another file system is mounted), in their order.
     */
    public static List<String> leftInPlace(List<String> reaped) {
        return reaped.stream().filter(line -> line.startsWith(Reaper.LEFT) || line.startsWith(Reaper.KEPT)).toList();
    }

    /**
     * What the reaper of dead runs found at this run's start and did not remove ({@link #leftInPlace}), which it also
     * said on stderr: a report holds it too, since a run in CI is read from its report.
     */
    public List<String> leftInPlaceAtStart() {
        return leftInPlaceAtStart;
    }

    /**
     * The run's pool of reusable local workers ({@link WorkerPool}), made on first use; {@link #close}
     * ends every worker in it before the run is reaped.
     */
    public synchronized WorkerPool workerPool() {
        if (workerPool == null) {
            workerPool = new WorkerPool(this);
        }
        return workerPool;
    }

    @Override
    public void close() {
        end(() -> { });
    }

    /**
     * Ends the run, in the one order that leaves nothing: every worker of its pool (reused workers are the run's own,
     * not leftovers for the reaper to report), then {@code beforeReaping} (what the caller owns: environments,
     * containers, logs to keep), then the reaper, which removes the run directory last, whatever came before.
     *
     * @return what the reaper removed
     */
    public List<String> end(Runnable beforeReaping) {
        List<String> reaped;
        try {
            try {
                endPooledWorkers();
            } finally {
                beforeReaping.run();
            }
        } finally {
            reaped = Reaper.reapOwnRun(runId, runDir);
            leftInPlace(reaped).forEach(line -> System.err.println("shmconform: " + line));
        }
        return reaped;
    }

    /**
     * Ends every worker of the run's pool (idle, borrowed or spare), so that the reaper after it finds only
     * what crashed or killed workers left; the pool is not used again. Nothing when no pool was made.
     */
    private void endPooledWorkers() {
        WorkerPool pool;
        synchronized (this) {
            pool = workerPool;
        }
        if (pool != null) {
            pool.close();
        }
    }

    /** Called by the reaper once the run's objects and directories are gone. */
    static void released(String runId) {
        RunContext run = LIVE.remove(runId);
        RunLock.releasedHere(runId);
        if (run != null) {
            if (run.foreignNames != null) {
                run.foreignNames.close();
            }
            run.ledger.close();
            run.lock.close();
        }
    }

    static boolean isLiveHere(String runId) {
        return LIVE.containsKey(runId);
    }

    /**
     * Whether a run provably lives: it is this JVM's, or its directory's lock is held by some process
     * (in any pid namespace). For sweepers of things that carry a run id but no lock of their own
     * (containers), which must never take a live run elsewhere for a dead one.
     */
    public static boolean provablyLive(String runId) {
        return RunLock.provablyLive(runId);
    }

    static String letters(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append((char) ('a' + RANDOM.nextInt(26)));
        }
        return b.toString();
    }
}
