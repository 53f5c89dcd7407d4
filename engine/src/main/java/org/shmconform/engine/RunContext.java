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
import java.util.concurrent.atomic.AtomicInteger;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.linux.OfdLock;

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
    public static final String STATE_DIR_PROPERTY = "shmconform.state.dir";
    /** A run id: exactly this many lowercase letters, so no run's prefix is a prefix of another's. */
    static final int ID_LENGTH = 6;
    static final String LOCK = "lock";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int O_NOFOLLOW = 0400000;
    /** Runs of this JVM, so the reaper can release a run's lock when it removes the run. */
    private static final Map<String, RunContext> LIVE = new ConcurrentHashMap<>();

    private final String runId;
    private final Path runDir;
    private final long startSecond;
    private final int lockFd;
    private final Ledger ledger;
    private final AtomicInteger executions = new AtomicInteger();
    private final Map<String, Path> tmpDirs = new LinkedHashMap<>();
    private Path shareDir;
    private final java.util.Map<String, Path> handOverSockets = new java.util.HashMap<>();

    private RunContext(String runId, Path runDir, long startSecond, int lockFd, Ledger ledger) {
        this.runId = runId;
        this.runDir = runDir;
        this.startSecond = startSecond;
        this.lockFd = lockFd;
        this.ledger = ledger;
    }

    /** The state directory (checked and made 0700 if missing). */
    public static Path stateDir() {
        String set = System.getProperty(STATE_DIR_PROPERTY);
        Path dir;
        if (set != null && !set.isBlank()) {
            dir = Path.of(set);
        } else if (PrivateDirectory.myUid() == 0) {
            dir = Path.of("/run/shmconform");
        } else {
            String xdg = System.getenv("XDG_RUNTIME_DIR");
            if (xdg == null || xdg.isBlank()) {
                throw new PrivateDirectory.UnsafeDirectoryException(Path.of("$XDG_RUNTIME_DIR"),
                        "not set; give a private state directory with -D" + STATE_DIR_PROPERTY + "=<dir> (or --state-dir)");
            }
            dir = Path.of(xdg, "shmconform");
        }
        if (!dir.isAbsolute() || dir.toString().matches(".*\\s.*")) {
            throw new PrivateDirectory.UnsafeDirectoryException(dir, "the state directory must be an absolute path without blanks");
        }
        return PrivateDirectory.ensure(dir, "rwx------");
    }

    public static Path runsRoot() {
        return PrivateDirectory.ensure(stateDir().resolve("runs"), "rwx------");
    }

    /** What outlives runs on purpose (the compiled Qt worker, class-data archives, class jars): root only. */
    public static Path cacheDir() {
        return PrivateDirectory.ensure(stateDir().resolve("cache"), "rwx------");
    }

    /** Where other users' workers find their TMPDIR and class path: traversable, not listable, not writable. */
    static Path shareRoot() {
        Path state = stateDir();
        return PrivateDirectory.ensure(state.resolveSibling(state.getFileName() + "-share"), "rwx--x--x");
    }

    /** Reaps what dead runs left, then makes this run's directory, locked before anyone can see it. */
    public static RunContext create() {
        Path runs = runsRoot();
        Reaper.reapDeadRuns();
        long start = System.currentTimeMillis() / 1000;
        for (int attempt = 0; attempt < 100; attempt++) {
            String id = letters(ID_LENGTH);
            if (Files.exists(runs.resolve(id), LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            // Made under a name the reaper ignores, locked, then renamed: a reaper never sees it unlocked.
            Path making = PrivateDirectory.createFresh(runs.resolve(".new-" + letters(16)), "rwx------");
            int fd = lockNew(making.resolve(LOCK));
            Ledger ledger = Ledger.create(making, start);
            PrivateDirectory.createFresh(making.resolve("logs"), "rwx------");
            Path dir = runs.resolve(id);
            try {
                Files.move(making, dir); // rename(2): fails if a run took the id meanwhile
            } catch (IOException e) {
                LibC.INSTANCE.close(fd);
                ledger.close();
                PrivateDirectory.deleteTree(making);
                continue;
            }
            ledger.watchKeyFiles(KEY_PREFIX + id);
            RunContext run = new RunContext(id, dir, start, fd, ledger);
            LIVE.put(id, run);
            return run;
        }
        throw new IllegalStateException("cannot find a free run id in " + runs);
    }

    /** Creates the lock file (never through a link) and takes its OFD lock, held until the run ends or the process dies. */
    private static int lockNew(Path file) {
        int fd = LibC.INSTANCE.open(file.toString(), LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL | O_NOFOLLOW | LibC.O_CLOEXEC, 0600);
        if (fd < 0 || OfdLock.tryExclusive(fd, 0, 1) != 0) {
            throw new IllegalStateException("cannot lock " + file + ": errno " + LibC.errno());
        }
        return fd;
    }

    /**
     * Whether the run whose directory is {@code runDir} is alive: its lock is held. The lock is the
     * kernel's, so this holds whatever pid namespace the other harness runs in. Returns the fd of
     * the lock, taken, when the run is dead (the caller reaps, then closes it), or -1 when alive.
     */
    static int lockIfDead(Path runDir) {
        int fd = LibC.INSTANCE.open(runDir.resolve(LOCK).toString(), LibC.O_RDWR | O_NOFOLLOW | LibC.O_CLOEXEC);
        if (fd < 0) {
            return -2; // no lock file (or a link): not a run this reaper can prove dead
        }
        if (OfdLock.tryExclusive(fd, 0, 1) != 0) {
            LibC.INSTANCE.close(fd);
            return -1;
        }
        return fd;
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
        String slot = name == null ? "" : name;
        Path dir = tmpDirs.get(slot);
        if (dir == null) {
            dir = shareDir().resolve("tmp-" + letters(16));
            ledger.write("tmpdir " + dir);
            PrivateDirectory.createFresh(dir, "rwx------");
            ledger.watch(dir);
            if (user != null) {
                chown(dir, user);
            }
            tmpDirs.put(slot, dir);
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
        if (dir == null) {
            dir = shareDir().resolve("tmp-" + letters(16));
            ledger.write("tmpdir " + dir);
            PrivateDirectory.createFresh(dir, "rwx------");
            chown(dir, user);
            tmpDirs.put("\0scratch-" + user, dir);
        }
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

    /** Every TMPDIR this run handed out. */
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

    /** A fresh prefix for one execution of a schedule, so re-runs never meet each other's leftovers. */
    public String nextExecutionPrefix() {
        String prefix = keyPrefix() + toLetters(executions.incrementAndGet());
        ledger.write("execution " + prefix);
        return prefix;
    }

    @Override
    public void close() {
        Reaper.reapRun(runId, runDir);
    }

    /** Called by the reaper once the run's objects and directories are gone. */
    static void released(String runId) {
        RunContext run = LIVE.remove(runId);
        if (run != null) {
            run.ledger.close();
            LibC.INSTANCE.close(run.lockFd);
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
        if (!runId.matches("[a-z]{" + ID_LENGTH + "}")) {
            return false;
        }
        if (isLiveHere(runId)) {
            return true;
        }
        int fd = lockIfDead(runsRoot().resolve(runId));
        if (fd >= 0) {
            LibC.INSTANCE.close(fd);
        }
        return fd == -1;
    }

    static String letters(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append((char) ('a' + RANDOM.nextInt(26)));
        }
        return b.toString();
    }

    /** 1 → "b", 26 → "ba": a counter spelled in letters (Qt drops digits from native names). */
    static String toLetters(int n) {
        StringBuilder b = new StringBuilder();
        do {
            b.insert(0, (char) ('a' + n % 26));
            n /= 26;
        } while (n > 0);
        return b.toString();
    }
}
