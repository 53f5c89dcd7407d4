package org.shmconform.engine;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.shmconform.backends.Backends;
import org.shmconform.backends.QtKeys;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.backends.host.OfdLockFile;
import org.shmconform.backends.sysv.QtKeyFile;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.engine.state.PrivateDirectory;
import org.shmconform.engine.state.RunsBeingMade;

/**
 * Removes what a run made, and only what it can prove is its own: never by pid (pids are reused),
 * never by a name another program could carry, never through a link.
 * <ul>
 * <li>names that carry the run's id ({@code shmcf<run id>...}, fixed length, letters only): the
 * backends' {@code removeLeftovers} for /dev/shm names, mapped files and System V key files in the
 * run's own TMPDIRs; Qt 6.8's platform-safe names ({@link Qt68Leftovers});</li>
 * <li>System V objects recorded in the run's {@link Ledger}: removed only if the object with that
 * id still has the recorded key and creator and changed after the run started. They are recorded there from kernel
 * facts while the worker that made it, or operated or attached it last, lives ({@link SetsOfLiveWorker},
 * {@link SegmentsOfLiveWorker}), whether its key file is there or not (this finds Qt's orphaned semaphores, whose key
 * file is gone); never for carrying the ftok value of a key file of the run, which another program's object may carry
 * too (the exception: {@link Ledger#observeAtKill}). No System V object is ever taken for its key alone, a dead run's
 * neither: its workers are gone and prove nothing, so what its ledger does not name is left, and each such object at the
 * ftok value of one of its key files is reported ({@link #LEFT});</li>
 * <li>the run's directories, deleted without following links ({@link PrivateDirectory#deleteTree});</li>
 * <li>at start-up, runs whose lock can be taken (their harness is dead, in whatever pid namespace),
 * including their leftover workers ({@link LeftoverWorkers}).</li>
 * </ul>
 */
public final class Reaper {
    /** Loaded and probed once: the reaper runs after every schedule, and a probe makes kernel objects of its own. */
    private static List<SharedMemoryBackend> available;

    private Reaper() {
    }

    static synchronized List<SharedMemoryBackend> availableBackends() {
        if (available == null) {
            List<SharedMemoryBackend> ok = new ArrayList<>();
            for (SharedMemoryBackend b : Backends.all()) {
                try {
                    if (b.availability().available()) {
                        ok.add(b);
                    }
                } catch (RuntimeException | LinkageError e) {
                    // a plug-in that cannot say whether it works has nothing the reaper could remove
                }
            }
            available = ok;
        }
        return available;
    }

    /**
     * After one execution (ScheduleRunner's finally): records what its workers left in the ledger,
     * then removes it by name and by ledger entry.
     */
    static void afterExecution(RunContext run, String executionPrefix, List<String> notes) {
        afterExecution(run, executionPrefix, notes, () -> { });
    }

    /**
     * As above, with {@code beforeRemoval} run once the key files are recorded and before anything is removed: a look at
     * what the execution met at its keys ({@link Ledger#foreignAtKeysOf}), which a removal of an object a worker used
     * last would hide.
     */
    static void afterExecution(RunContext run, String executionPrefix, List<String> notes, Runnable beforeRemoval) {
        List<Path> tmps = run.workerTmps();
        try {
            run.ledger().observe(executionPrefix, tmps);
        } catch (RuntimeException e) {
            notes.add("ledger: " + e.getMessage());
        }
        beforeRemoval.run();
        // The objects before their key files: once a key file is unlinked, the next file made on that file system may
        // take its inode, hence its ftok value, and another run's semget(IPC_CREAT) would join a set still here.
        for (String line : removeRecorded(run.ledger().startSecond(), run.ledger().systemVRecords())) {
            notes.add("reaped after the schedule: " + line);
        }
        for (String line : removeByName(executionPrefix, tmps, run.runDir(), run.workerUids())) {
            notes.add("reaped after the schedule: " + line);
        }
        for (String line : removePlacedFiles(executionPrefix, run.placementDirectories())) {
            notes.add("reaped after the schedule: " + line);
        }
    }

    /**
     * Every backend's objects whose native name starts with {@code prefix} (which carries a run id), and the key files of
     * the prefix in the run's TMPDIRs; never a System V object through a key file's ftok value (the SPI's contract); in
     * /dev/shm, only regular files of {@code owners}, the users the run's workers ran as (another user may plant a file
     * at a name of the run there: {@link org.shmconform.backends.host.RunOwned}).
     */
    private static List<String> removeByName(String prefix, List<Path> tmps, Path runDir, java.util.Set<Integer> owners) {
        List<String> removed = new ArrayList<>();
        if (tmps.isEmpty()) {
            tmps = List.of(runDir); // /dev/shm names and mapped files do not depend on a TMPDIR; the run's directory holds no key file
        }
        for (SharedMemoryBackend backend : availableBackends()) {
            try {
                for (Path tmp : tmps) {
                    if (Files.isDirectory(tmp, LinkOption.NOFOLLOW_LINKS)) {
                        removed.addAll(backend.removeLeftovers(prefix, tmp, owners));
                    }
                }
            } catch (RuntimeException | LinkageError e) {
                removed.add(backend.name() + ": reaping failed: " + e.getMessage());
            }
        }
        try {
            removed.addAll(Qt68Leftovers.remove(prefix, tmps, owners)); // Qt 6.8's platform-safe names, which no backend knows
        } catch (RuntimeException | LinkageError e) {
            removed.add("qt68: reaping failed: " + e.getMessage());
        }
        return removed;
    }

    /**
     * System V objects the ledger recorded: removed only while the object with that id has the
     * recorded key and creator and a change time after the run started.
     */
    static List<String> removeRecorded(List<Ledger.Entry> ledger) {
        Map<String, Ledger.Entry> recorded = new HashMap<>();
        for (Ledger.Entry e : ledger) {
            String id = Ledger.systemVId(e);
            if (id != null) {
                recorded.put(id, e);
            } else if (e.kind().equals("foreign") && e.fields().size() >= 2) {
                recorded.remove(e.field(0) + ":" + e.field(1)); // met at a key, not the run's (Ledger#foreignAtKeysOf)
            }
        }
        return removeRecorded(Ledger.startOf(ledger), recorded);
    }

    /** As above, from the run's start second and its records by {@link Ledger#systemVId} (the live ledger's own map). */
    static List<String> removeRecorded(long start, Map<String, Ledger.Entry> recorded) {
        List<String> removed = new ArrayList<>();
        if (recorded.isEmpty()) {
            return removed;
        }
        for (SysVObjects.Obj o : SysVObjects.list()) {
            Ledger.Entry e = recorded.get(o.kind() + ":" + o.id());
            if (e != null && Integer.parseInt(e.field(1)) == o.key() && Integer.parseInt(e.field(3)) == o.cuid()
                    && o.ctime() >= start && SysVObjects.remove(o)) {
                removed.add(String.format("%s key 0x%08x id %d (recorded in the run's ledger)", o.kind(), o.key(), o.id()));
            }
        }
        return removed;
    }

    /**
     * A dead run's reaping (its harness is gone: {@link #reapDeadRuns}): the System V objects its ledger recorded, and no
     * other. Its ledger names what its workers proved theirs up to their death: after each step that may make or operate
     * a System V object on a column whose lock is a System V set, at each kill and before each worker ends
     * ({@link WorkerProcess#recordOrphansItLeft}). An object made by a step still in flight when the harness died, or by
     * a column that records at none of these, is not proven the run's: it is left, and a line starting with {@link #LEFT}
     * names each one at the ftok value of a key file of the run (the key file itself is removed).
     *
     * @return one line per object removed, one per object left, and a {@link #KEPT} line per directory of the run that
     *         stays
     */
    public static List<String> reapRun(String runId, Path runDir) {
        return reapRun(runId, runDir, true);
    }

    /**
     * The run's own end ({@link RunContext#end}): its harness lives and its workers have ended, each recording what it
     * made or used last.
     *
     * @return one line per object removed, and a {@link #KEPT} line per directory of the run that stays
     */
    static List<String> reapOwnRun(String runId, Path runDir) {
        return reapRun(runId, runDir, false);
    }

    /** How a line of {@link #reapRun} starts when it names a System V object left because nothing proves it the run's. */
    public static final String LEFT = "left, not proven the run's: ";

    /** The users a run's workers ran as, from its ledger ({@code user <uid>}, {@link RunContext#noteWorkerUser}), and ours. */
    static java.util.Set<Integer> workerUids(List<Ledger.Entry> ledger) {
        java.util.Set<Integer> uids = new java.util.HashSet<>();
        uids.add(PrivateDirectory.myUid());
        for (Ledger.Entry e : ledger) {
            if (e.kind().equals(RunContext.USER) && e.fields().size() == 1 && e.field(0).matches("[0-9]{1,10}")) {
                try {
                    uids.add(Integer.parseUnsignedInt(e.field(0))); // as the kernel numbers it: unsigned
                } catch (NumberFormatException tooLarge) {
                    // no uid: a line no run of ours wrote
                }
            }
        }
        return uids;
    }

    private static List<String> reapRun(String runId, Path runDir, boolean harnessDied) {
        List<String> removed = new ArrayList<>();
        List<Ledger.Entry> ledger = Ledger.read(runDir);
        List<Path> tmps = new ArrayList<>();
        List<Path> shares = new ArrayList<>();
        List<Path> outside = new ArrayList<>();
        List<Path> ownFileSystems = new ArrayList<>();
        Path shareRoot = RunContext.shareRoot();
        for (Ledger.Entry e : ledger) {
            Path p = e.fields().isEmpty() ? null : Path.of(String.join(" ", e.fields()));
            // Only directories of this run in the share area: a ledger line is trusted no further than that.
            if (p == null || p.getParent() == null) {
                continue;
            }
            if (e.kind().equals("share") && p.getParent().equals(shareRoot) && p.getFileName().toString().startsWith(runId + "-")) {
                shares.add(p);
            } else if (e.kind().equals("tmpdir") && shares.contains(p.getParent())) {
                tmps.add(p);
            } else if (e.kind().equals(KeyFileSystem.LEDGER_KIND) && shares.contains(p.getParent())) {
                ownFileSystems.add(p);
            } else if (e.kind().equals("placedir") && isPlacementOutside(p, runId)) {
                outside.add(p); // one in the share area goes with it
            }
        }
        removed.addAll(LeftoverWorkers.kill(runId, tmps));
        removed.addAll(removeRecorded(ledger)); // before the key files, as after each schedule
        if (harnessDied) {
            // Said before the key files go, while their ftok values can still be read.
            removed.addAll(unprovenAtKeyFiles(RunContext.KEY_PREFIX + runId, tmps, runId));
        }
        removed.addAll(removeByName(RunContext.KEY_PREFIX + runId, tmps, runDir, workerUids(ledger)));
        // Its key files' own file systems after their key files, before their directories and images: a mount point
        // cannot be deleted. A live run's are its own doing, not a leftover to report.
        List<String> unmounted = KeyFileSystem.takeDown(ownFileSystems, runDir);
        if (harnessDied) {
            removed.addAll(unmounted);
        }
        Map<Path, String> elsewhere = new java.util.LinkedHashMap<>();
        for (Path share : shares) {
            PrivateDirectory.deleteTree(share);
            elsewhere.put(share, "share");
        }
        for (Path dir : outside) {
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && PrivateDirectory.uidOf(dir) == PrivateDirectory.myUid()) {
                PrivateDirectory.deleteTree(dir);
                elsewhere.put(dir, "placedir");
            }
        }
        removed.addAll(KeptDirectories.removeRunDirectory(runDir, elsewhere));
        RunContext.released(runId);
        return removed;
    }

    /** How a line of {@link #reapRun} starts when it names a directory of the run it could not remove, and why. */
    public static final String KEPT = KeptDirectories.KEPT;

    /**
     * The System V objects a dead run's key files key that are still there after its recorded ones went: at a key file's
     * ftok value, of a kind the file keys, made by the file's owner no earlier than the file (what Qt could have made
     * through it). Each is described, never removed: its creator may be the run's worker as well as another program of
     * the same user whose key file shares the device's low byte and the inode's low 16 bits, and nothing tells which.
     * Regular files with one name only ({@link QtKeyFile}); a link keys nothing of ours.
     */
    static List<String> unprovenAtKeyFiles(String prefix, List<Path> tmps, String runId) {
        List<String> left = new ArrayList<>();
        String letters = QtKeys.lettersOf(prefix);
        List<SysVObjects.Obj> objects = null;
        for (Path tmp : tmps) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(tmp)) {
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    List<String> kinds = name.startsWith(QtKeys.SHARED_MEMORY_PREFIX + letters) ? List.of("shm")
                            : name.startsWith(QtKeys.SYSTEM_SEMAPHORE_PREFIX + letters) ? List.of("sem")
                            : name.startsWith(letters) ? List.of("shm", "sem") : List.of(); // Qt 6.8's platform-safe key file
                    QtKeyFile k;
                    try {
                        k = kinds.isEmpty() ? null : QtKeyFile.lstat(file).orElse(null);
                    } catch (IOException e) {
                        continue; // gone meanwhile: it keys nothing now
                    }
                    if (k == null) {
                        continue;
                    }
                    if (objects == null) {
                        objects = SysVObjects.list();
                    }
                    for (SysVObjects.Obj o : objects) {
                        if (kinds.contains(o.kind()) && o.key() == k.key() && o.cuid() == k.uid() && o.ctime() >= k.madeSecond()) {
                            left.add(LEFT + String.format("%s key 0x%08x id %d at the ftok value of key file %s of dead run %s:"
                                    + " its ledger does not record it, and another program's object can carry that key"
                                    + " (ipcrm %s %d removes it if it is the run's)", o.kind().equals("shm") ? "segment" : "semaphore set",
                                    o.key(), o.id(), file, runId, o.kind().equals("shm") ? "-m" : "-s", o.id()));
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // a TMPDIR that is gone holds no key file
            }
        }
        return left;
    }

    /**
     * The files of an execution in the run's placement directories ({@link RunContext#placementDirectory}): regular
     * files whose name carries its key prefix, unlinked (never followed). Only files: no backend keys a System V
     * object by a file there, so nothing is removed through an ftok value.
     */
    static List<String> removePlacedFiles(String prefix, List<Path> dirs) {
        List<String> removed = new ArrayList<>();
        String start = QtKeys.SHARED_MEMORY_PREFIX + QtKeys.lettersOf(prefix);
        for (Path dir : dirs) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path f : files) {
                    if (f.getFileName().toString().startsWith(start) && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)
                            && Files.deleteIfExists(f)) {
                        removed.add("placed file " + f);
                    }
                }
            } catch (IOException e) {
                removed.add("could not list " + dir + ": " + e.getMessage());
            }
        }
        return removed;
    }

    /**
     * A run's placement directory outside its share area ({@link RunContext#placementDirectory}): in /var/tmp or
     * /run/user/&lt;uid&gt;, named {@code shmconform-<run id>-<16 letters>}; a ledger line is trusted no further.
     */
    static boolean isPlacementOutside(Path p, String runId) {
        Path parent = p.getParent();
        boolean knownParent = parent != null && (parent.equals(Path.of("/var/tmp"))
                || parent.getParent() != null && parent.getParent().equals(Path.of("/run/user")) && parent.getFileName().toString().matches("[0-9]+"));
        return knownParent && p.getFileName().toString().matches(PlacementDirectories.OUTSIDE_PREFIX + runId + "-[a-z]{16}");
    }

    /** Reaps every run under the runs root whose lock can be taken: its harness is gone. */
    public static List<String> reapDeadRuns() {
        List<String> removed = new ArrayList<>();
        List<Path> lockless = new ArrayList<>();
        Path root = RunContext.runsRoot();
        try (DirectoryStream<Path> runs = Files.newDirectoryStream(root)) {
            for (Path run : runs) {
                String name = run.getFileName().toString();
                boolean isRun = name.matches("[a-z]{" + RunContext.ID_LENGTH + "}");
                boolean beingMade = name.startsWith(".new-");
                if ((!isRun && !beingMade) || RunContext.isLiveHere(name) || !Files.isDirectory(run, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                OfdLockFile.Attempt attempt = RunContext.lockIfDead(run);
                if (beingMade && attempt.outcome() == OfdLockFile.Outcome.NOT_OPENABLE) {
                    lockless.add(run); // its maker may be alive and about to lock it, or dead before it could
                }
                if (attempt.outcome() != OfdLockFile.Outcome.TAKEN) {
                    continue; // alive (or not provably a run of ours)
                }
                try {
                    if (isRun) {
                        removed.addAll(reapRun(name, run));
                        // Its containers too, now that its death is proven (a no-op where no engine answers).
                        removed.addAll(org.shmconform.engine.env.ContainerSweeper.removeRun(name));
                    } else {
                        PrivateDirectory.deleteTree(run); // died before it was named: made no objects
                    }
                } finally {
                    attempt.lock().close();
                }
            }
        } catch (IOException e) {
            removed.add("cannot list " + root + ": " + e.getMessage());
        }
        removed.addAll(removeMakersLeftovers(lockless));
        removed.addAll(org.shmconform.engine.env.ContainerLifeline.removeUnheld(org.shmconform.engine.state.StateDirectory.root()));
        return removed;
    }

    /** The lockless {@code .new-} directories, once no harness is making a run: their makers died before locking them. */
    private static List<String> removeMakersLeftovers(List<Path> lockless) {
        List<String> removed = new ArrayList<>();
        if (lockless.isEmpty()) {
            return removed;
        }
        try (OfdLockFile noneBeingMade = RunsBeingMade.noneBeingMade()) {
            if (noneBeingMade == null) {
                return removed; // a maker is at work: the next reaper decides
            }
            for (Path dir : lockless) {
                if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    PrivateDirectory.deleteTree(dir);
                    removed.add("run being made whose maker died before locking it: " + dir);
                }
            }
        }
        return removed;
    }
}
