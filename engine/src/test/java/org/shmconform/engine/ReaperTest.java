package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.linux.LibC;

/**
 * The reaper removes a System V object only when the run's ledger recorded it (id, key, creator,
 * made after the run started), finds Qt's orphaned semaphore (key file gone) that way, and leaves a
 * foreign object alone even when it is the newest and nobody attaches to it.
 */
class ReaperTest {
    private static final LibC C = LibC.INSTANCE;
    private Path state;
    private RunContext run;
    private final List<Integer> made = new ArrayList<>();
    /**
     * The System V key files' turn, held from before the first key file until the sets are gone: these tests make sets
     * keyed by ftok of files they delete on ext4, so a run beside them (`./mvnw -B verify` beside a `shmconform run`)
     * must not make key files meanwhile. Seen once without it: the run beside took the freed inode of
     * {@code anObjectMadeAfterAKeyFileWentIsNotRecordedThroughIt}'s key file, recorded the test's set through its own
     * file, and reaped it.
     */
    private KeyFileTurns.Turn turn;

    @BeforeEach
    void privateState() throws InterruptedException {
        turn = KeyFileTurns.hold();
        state = PrivateState.use();
        run = RunContext.create();
    }

    @AfterEach
    void cleanUp() {
        try {
            made.forEach(id -> C.semctl(id, 0, LibC.IPC_RMID));
            run.close();
            PrivateState.remove(state);
        } finally {
            turn.close();
        }
    }

    private int semaphore(int key) {
        int id = C.semget(key, 1, 0600 | LibC.IPC_CREAT | LibC.IPC_EXCL);
        assertTrue(id >= 0, "semget errno " + LibC.errno());
        made.add(id);
        return id;
    }

    private static boolean exists(int semid) {
        return C.semctl(semid, 0, LibC.GETVAL) >= 0;
    }

    /**
     * A dead run's reaper removes its names in /dev/shm only when one of the run's worker users owns them, and reads those
     * users from the run's ledger ({@code user <uid>}), where the run wrote each as it started a worker of it.
     */
    @Test
    void theUsersARunStartedWorkersAsAreInItsLedgerForADeadRunsReaper() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Users.exists("nobody"), "no user nobody here");
        int nobody = Users.uid("nobody");
        assertEquals(java.util.Set.of(org.shmconform.backends.host.HostIds.uid()), Reaper.workerUids(Ledger.read(run.runDir())));
        run.workerTmp("as-nobody", "nobody");
        assertTrue(run.workerUids().contains(nobody), run.workerUids().toString());
        assertEquals(java.util.Set.of(org.shmconform.backends.host.HostIds.uid(), nobody), Reaper.workerUids(Ledger.read(run.runDir())));
        assertEquals(1, ledgerText().lines().filter(l -> l.equals("user " + nobody)).count(), "written once: " + ledgerText());
    }

    @Test
    void anOrphanedSemaphoreRecordedInTheLedgerIsRemovedAndAForeignOneIsKept() throws Exception {
        String prefix = run.nextExecutionPrefix();
        Path tmp = run.workerTmp();
        Path keyFile = QtKeys.systemVKeyFile(tmp, prefix + "k", QtKeys.SYSTEM_SEMAPHORE_PREFIX);
        Files.createFile(keyFile);
        int ours = semaphore(C.ftok(keyFile.toString(), 'Q'));
        int foreign = semaphore(0 /* IPC_PRIVATE: made now, by us, unattached: everything the old pid sweep looked at */);
        run.ledger().observeAtKill(prefix, run.workerTmps()); // a set nobody operated, met at a kill: Ledger#observeAtKill
        Files.delete(keyFile); // what Qt 6.4 does to a semaphore's key file it did not create
        List<String> notes = new ArrayList<>();
        Reaper.afterExecution(run, prefix, notes);
        assertFalse(exists(ours), "the orphan recorded in the ledger is removed: " + notes);
        assertTrue(exists(foreign), "an object the ledger does not name is left alone");
        assertTrue(notes.stream().anyMatch(n -> n.contains("id " + ours) && n.contains("ledger")), notes.toString());
    }

    /**
     * On one tmpfs, inode numbers repeat in their low 16 bits, so a later object of another program (or
     * of another run beside this one) can carry the ftok value of a key file of ours that is long gone,
     * and even be made by the same uid after the run started. Not ours, even for the look at a kill, the one that records
     * a set nobody operated through a key file that is there ({@link #aForeignSegmentAndSetAtTheKeyOfALiveKeyFileAreLeftAlone}:
     * an operated set or a segment is never recorded through one).
     */
    @Test
    void aLaterObjectWithTheKeyOfAKeyFileLongGoneIsNotOurs() throws Exception {
        String prefix = run.nextExecutionPrefix();
        Path keyFile = QtKeys.systemVKeyFile(run.workerTmp(), prefix + "g", QtKeys.SYSTEM_SEMAPHORE_PREFIX);
        Files.createFile(keyFile);
        int key = C.ftok(keyFile.toString(), 'Q');
        run.ledger().observe(prefix, run.workerTmps());
        Files.delete(keyFile);
        // Let the watch see the file go first (it then forgets it).
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> !run.ledger().watches(keyFile));
        int foreign = semaphore(key); // same key, same uid, after the run started: another program's all the same
        String later = run.nextExecutionPrefix();
        run.ledger().observeAtKill(later, run.workerTmps()); // the one look that records a set through a key file
        List<String> notes = new ArrayList<>();
        Reaper.afterExecution(run, later, notes);
        Reaper.afterExecution(run, prefix, notes);
        assertTrue(exists(foreign), "an object keyed like a key file of ours that is gone was removed: " + notes);
        assertFalse(ledgerText().contains("sem " + foreign + " "), "the ledger recorded another program's object");
    }

    /**
     * A key file's deletion proves nothing about the objects its ftok value keys afterwards: on one file system the
     * freed inode goes to the next file made, so another run's (or program's) new file carries the same ftok value,
     * and its object is not ours (a run beside {@code ./mvnw -B verify} once saw {@code B attach k → NotFound} right
     * after {@code A create k → true} on sysv / docker-host, as if the other run had reaped the new segment). The
     * ledger's monitor is held here so the watch sees the deletion only after the other object exists, as a late
     * watch does under load.
     */
    @Test
    void anObjectMadeAfterAKeyFileWentIsNotRecordedThroughIt() throws Exception {
        String prefix = run.nextExecutionPrefix();
        Path keyFile = QtKeys.systemVKeyFile(run.workerTmp(), prefix + "w", QtKeys.SYSTEM_SEMAPHORE_PREFIX);
        Files.createFile(keyFile);
        int key = C.ftok(keyFile.toString(), 'Q');
        awaitLedger("keyfile " + keyFile);
        int another;
        synchronized (run.ledger()) {
            Files.delete(keyFile);
            another = semaphore(key); // what a new file on the freed inode keys: same key, same uid, after the run started
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> !run.ledger().watches(keyFile));
        List<String> notes = new ArrayList<>();
        Reaper.afterExecution(run, prefix, notes);
        assertTrue(exists(another), "an object made after our key file went was reaped: " + notes);
        assertFalse(ledgerText().contains("sem " + another + " "), "the ledger recorded an object through a key file that was gone");
    }

    /** A semaphore's key file keys sets only: a segment with its ftok value is another program's (or another run's). */
    @Test
    void aSegmentIsNeverRecordedThroughASemaphoresKeyFile() throws Exception {
        String prefix = run.nextExecutionPrefix();
        Path keyFile = QtKeys.systemVKeyFile(run.workerTmp(), prefix + "s", QtKeys.SYSTEM_SEMAPHORE_PREFIX);
        Files.createFile(keyFile);
        int key = C.ftok(keyFile.toString(), 'Q');
        int set = semaphore(key);
        int segment = C.shmget(key, 4096, 0600 | LibC.IPC_CREAT | LibC.IPC_EXCL);
        assertTrue(segment >= 0, "shmget errno " + LibC.errno());
        try {
            run.ledger().observeAtKill(prefix, run.workerTmps()); // the one look that records a set through a key file
            String ledger = ledgerText();
            assertTrue(ledger.contains("sem " + set + " "), ledger);
            assertFalse(ledger.contains("shm " + segment + " "), "a segment recorded through a semaphore's key file: " + ledger);
        } finally {
            C.shmctl(segment, LibC.IPC_RMID, null);
        }
    }

    /**
     * Another program of the same user (root beside a CI run) whose own key file shares the low byte of the device and
     * the low 16 bits of the inode with a key file of the run makes its segment and its set (a QSystemSemaphore: semget,
     * then SETVAL) at that key while the run's file is there, after the file and after the run started: everything the
     * ledger's and the sysv backend's key-file rule asked of an object of ours (that key, the file's owner, made no
     * earlier than the file). Here the test process is that program, with the run's own key files. No worker of the
     * run made or used either: they are not the run's, at a kill's look or after the schedule. Both were reaped before
     * the ownership proof became a worker's (checked).
     */
    @Test
    void aForeignSegmentAndSetAtTheKeyOfALiveKeyFileAreLeftAlone() throws Exception {
        String prefix = run.nextExecutionPrefix();
        Path segmentsFile = QtKeys.systemVKeyFile(run.workerTmp(), prefix + "f", QtKeys.SHARED_MEMORY_PREFIX);
        Path setsFile = QtKeys.systemVKeyFile(run.workerTmp(), prefix + "f", QtKeys.SYSTEM_SEMAPHORE_PREFIX);
        Path platformSafeFile = run.workerTmp().resolve(prefix + "f"); // Qt 6.8's System V key file: the key itself
        Files.createFile(segmentsFile);
        Files.createFile(setsFile);
        Files.createFile(platformSafeFile);
        int segment = C.shmget(C.ftok(segmentsFile.toString(), 'Q'), 4096, 0600 | LibC.IPC_CREAT | LibC.IPC_EXCL);
        assertTrue(segment >= 0, "shmget errno " + LibC.errno());
        int another = C.shmget(C.ftok(platformSafeFile.toString(), 'Q'), 4096, 0600 | LibC.IPC_CREAT | LibC.IPC_EXCL);
        try {
            assertTrue(another >= 0, "shmget errno " + LibC.errno());
            int set = semaphore(C.ftok(setsFile.toString(), 'Q'));
            assertEquals(0, C.semctl(set, 0, LibC.SETVAL, 1), "SETVAL errno " + LibC.errno()); // as QSystemSemaphore's create
            run.ledger().observeAtKill(prefix, run.workerTmps()); // the look a kill takes while its worker is stopped
            List<String> notes = new ArrayList<>();
            Reaper.afterExecution(run, prefix, notes);
            assertTrue(exists(set), "the other program's set at the key of a live key file of the run was reaped: " + notes);
            for (int id : new int[] {segment, another}) {
                assertTrue(C.shmctl(id, LibC.IPC_STAT, new com.sun.jna.Memory(128)) == 0,
                        "the other program's segment " + id + " at the key of a live key file of the run was reaped: " + notes);
            }
            assertFalse(ledgerText().contains("sem " + set + " ") || ledgerText().contains("shm " + segment + " ")
                            || ledgerText().contains("shm " + another + " "),
                    "the ledger recorded another program's object: " + ledgerText());
            assertFalse(Files.exists(segmentsFile, LinkOption.NOFOLLOW_LINKS) || Files.exists(setsFile, LinkOption.NOFOLLOW_LINKS)
                    || Files.exists(platformSafeFile, LinkOption.NOFOLLOW_LINKS), "the run's key files go all the same");
        } finally {
            C.shmctl(segment, LibC.IPC_RMID, null);
            if (another >= 0) {
                C.shmctl(another, LibC.IPC_RMID, null);
            }
        }
    }

    /**
     * The same at the run's end ({@link RunContext#close}), whose reaper looks at the key files still in the run's
     * TMPDIRs: the harness lives and its workers have recorded what they made, so a key file's ftok value takes nothing
     * there either (nor at a dead run's reaping: {@link #aDeadRunsKeyFilesTakeNoForeignSegmentOrSetAndNameThem}). Reaped
     * before (checked).
     */
    @Test
    void aForeignSegmentAtTheKeyOfAKeyFileLeftAtTheRunsEndIsLeftAlone() throws Exception {
        String prefix = run.nextExecutionPrefix();
        Path legacyFile = QtKeys.systemVKeyFile(run.workerTmp(), prefix + "e", QtKeys.SHARED_MEMORY_PREFIX);
        Path platformSafeFile = run.workerTmp().resolve(prefix + "e");
        Files.createFile(legacyFile);
        Files.createFile(platformSafeFile);
        int segment = C.shmget(C.ftok(legacyFile.toString(), 'Q'), 4096, 0600 | LibC.IPC_CREAT | LibC.IPC_EXCL);
        int another = C.shmget(C.ftok(platformSafeFile.toString(), 'Q'), 4096, 0600 | LibC.IPC_CREAT | LibC.IPC_EXCL);
        try {
            assertTrue(segment >= 0 && another >= 0, "shmget errno " + LibC.errno());
            Path dir = run.runDir();
            run.close();
            run = RunContext.create(); // for cleanUp
            for (int id : new int[] {segment, another}) {
                assertTrue(C.shmctl(id, LibC.IPC_STAT, new com.sun.jna.Memory(128)) == 0,
                        "the other program's segment " + id + " at the key of a key file left at the run's end was reaped");
            }
            assertFalse(Files.exists(legacyFile, LinkOption.NOFOLLOW_LINKS) || Files.exists(dir, LinkOption.NOFOLLOW_LINKS),
                    "the run's key files and directory go all the same");
        } finally {
            for (int id : new int[] {segment, another}) {
                if (id >= 0) {
                    C.shmctl(id, LibC.IPC_RMID, null);
                }
            }
        }
    }

    /**
     * A dead run (its harness SIGKILLed; {@link Reaper#reapRun} is what the next run's {@link Reaper#reapDeadRuns} does
     * once the run's lock is free): its workers are gone and prove nothing now, so its key files take nothing with them
     * either. Another program's segment and set (semget, then SETVAL) at the ftok values of its legacy key files, and a
     * segment at its Qt 6.8 key file's, made by the same user after the files and after the run started, stay, and a
     * line says each was left; the object its ledger recorded as a worker's (here the test records one as
     * {@link WorkerProcess#provenOf} would) goes; so do the key files. The other program's three were removed before
     * (checked: the dead run's key files were trusted).
     */
    @Test
    void aDeadRunsKeyFilesTakeNoForeignSegmentOrSetAndNameThem() throws Exception {
        String prefix = run.nextExecutionPrefix();
        Path segmentsFile = Files.createFile(QtKeys.systemVKeyFile(run.workerTmp(), prefix + "d", QtKeys.SHARED_MEMORY_PREFIX));
        Path setsFile = Files.createFile(QtKeys.systemVKeyFile(run.workerTmp(), prefix + "d", QtKeys.SYSTEM_SEMAPHORE_PREFIX));
        Path platformSafeFile = Files.createFile(run.workerTmp().resolve(prefix + "d"));
        int segment = C.shmget(C.ftok(segmentsFile.toString(), 'Q'), 4096, 0600 | LibC.IPC_CREAT | LibC.IPC_EXCL);
        int another = C.shmget(C.ftok(platformSafeFile.toString(), 'Q'), 4096, 0600 | LibC.IPC_CREAT | LibC.IPC_EXCL);
        try {
            assertTrue(segment >= 0 && another >= 0, "shmget errno " + LibC.errno());
            int set = semaphore(C.ftok(setsFile.toString(), 'Q'));
            assertEquals(0, C.semctl(set, 0, LibC.SETVAL, 1), "SETVAL errno " + LibC.errno()); // as QSystemSemaphore's create
            int proven = semaphore(0);
            run.ledger().recordProvenOfLiveWorker(org.shmconform.backends.sysv.SysVObjects.list().stream()
                    .filter(o -> o.kind().equals("sem") && o.id() == proven).toList());
            List<String> lines = Reaper.reapRun(run.runId(), run.runDir());
            assertTrue(exists(set), "the other program's set at the key of a dead run's key file was removed: " + lines);
            for (int id : new int[] {segment, another}) {
                assertTrue(C.shmctl(id, LibC.IPC_STAT, new com.sun.jna.Memory(128)) == 0,
                        "the other program's segment " + id + " at the key of a dead run's key file was removed: " + lines);
            }
            assertFalse(exists(proven), "the set the dead run's ledger recorded is removed: " + lines);
            for (String left : new String[] {"segment key .* id " + segment + " ", "semaphore set key .* id " + set + " ",
                    "segment key .* id " + another + " "}) {
                java.util.regex.Pattern said = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(Reaper.LEFT) + left
                        + ".*dead run " + run.runId() + ".*");
                assertTrue(lines.stream().anyMatch(l -> said.matcher(l).matches()), "no line says " + left + "was left: " + lines);
            }
            assertFalse(Files.exists(segmentsFile, LinkOption.NOFOLLOW_LINKS) || Files.exists(setsFile, LinkOption.NOFOLLOW_LINKS)
                    || Files.exists(platformSafeFile, LinkOption.NOFOLLOW_LINKS), "the dead run's key files go all the same");
        } finally {
            for (int id : new int[] {segment, another}) {
                if (id >= 0) {
                    C.shmctl(id, LibC.IPC_RMID, null);
                }
            }
            run.close();
            run = RunContext.create(); // for cleanUp
        }
    }

    private String ledgerText() throws java.io.IOException {
        return String.join("\n", Files.readAllLines(run.runDir().resolve(Ledger.FILE)));
    }

    /** Waits (bounded) for the watch thread to write a line: the outcome is the line, not the time. */
    private void awaitLedger(String start) throws InterruptedException {
        for (int i = 0; i < 1000; i++) {
            if (Ledger.read(run.runDir()).stream().anyMatch(e -> (e.kind() + " " + String.join(" ", e.fields()) + " ").startsWith(start))) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the ledger never recorded " + start + ": " + Ledger.read(run.runDir()));
    }

    @Test
    void aPlantedKeyFileSymlinkIsNeverFollowed() throws Exception {
        String prefix = run.nextExecutionPrefix();
        Path target = Files.createTempFile(run.runDir(), "victim", "");
        int victim = semaphore(C.ftok(target.toString(), 'Q'));
        Path link = QtKeys.systemVKeyFile(run.workerTmp(), prefix + "s", QtKeys.SYSTEM_SEMAPHORE_PREFIX);
        Files.createSymbolicLink(link, target);
        List<String> notes = new ArrayList<>();
        Reaper.afterExecution(run, prefix, notes);
        assertTrue(exists(victim), "the object keyed by the link's target is not ours: " + notes);
        assertFalse(Files.exists(link, LinkOption.NOFOLLOW_LINKS), "the link itself is removed");
        assertTrue(Files.exists(target), "its target is not");
    }

    @Test
    void aDeadRunIsReapedOnlyOnceItsLockIsFree() {
        Path dir = run.runDir();
        var attempt = RunContext.lockIfDead(dir);
        assertEquals(org.shmconform.backends.host.OfdLockFile.Outcome.HELD, attempt.outcome(),
                "a live run's lock cannot be taken, even from this process");
        assertTrue(Files.isDirectory(dir));
        run.close();
        assertFalse(Files.exists(dir, LinkOption.NOFOLLOW_LINKS));
        run = RunContext.create(); // for cleanUp
    }

    /**
     * A directory of a run kept because a file system that is not provably the run's is mounted in it (another's tmpfs
     * on a lane's TMPDIR, or in the run directory) says so at the run's end and at every later reaping, and goes at the
     * first reaping after it is unmounted. Before, the first removal took the run's lock file and ledger with the rest,
     * and no later reaper looked at what stayed again, in silence.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void aDirectoryKeptByAForeignMountSaysWhyAtEachReapingAndGoesOnceUnmounted(boolean onATmpDir) throws Exception {
        Path runDir = run.runDir();
        Path kept = onATmpDir ? run.workerTmp() : runDir;
        Path foreign = Files.createDirectory(kept.resolve("foreign"));
        ForeignTmpfs.mountOn(foreign);
        Path beside = Files.writeString(runDir.resolve("logs").resolve("beside"), "the run's");
        try {
            Files.writeString(foreign.resolve("theirs"), "keep");
            List<String> atItsEnd = run.end(() -> { });
            assertTrue(atItsEnd.stream().anyMatch(l -> l.startsWith(Reaper.KEPT) && l.contains(foreign.toString())
                    && l.contains("umount")), atItsEnd.toString());
            assertEquals("keep", Files.readString(foreign.resolve("theirs")));
            assertFalse(Files.exists(beside, LinkOption.NOFOLLOW_LINKS), "the rest of the run goes");

            for (int reaping = 0; reaping < 2; reaping++) {
                List<String> later = Reaper.reapDeadRuns();
                assertTrue(later.stream().anyMatch(l -> l.startsWith(Reaper.KEPT) && l.contains(foreign.toString())),
                        later.toString());
                assertEquals("keep", Files.readString(foreign.resolve("theirs")));
            }
            // A later run's start reaps too, and keeps what it says for the run's report (ConformanceRun).
            try (RunContext next = RunContext.create()) {
                assertTrue(next.leftInPlaceAtStart().stream().anyMatch(l -> l.startsWith(Reaper.KEPT) && l.contains(foreign.toString())),
                        next.leftInPlaceAtStart().toString());
            }
        } finally {
            ForeignTmpfs.unmount(foreign);
        }
        List<String> unmounted = Reaper.reapDeadRuns();
        assertTrue(unmounted.stream().noneMatch(l -> l.startsWith(Reaper.KEPT)), unmounted.toString());
        assertFalse(Files.exists(kept, LinkOption.NOFOLLOW_LINKS), "once unmounted, the directory goes");
        assertFalse(Files.exists(runDir, LinkOption.NOFOLLOW_LINKS), "and the run's directory with it");
        run = RunContext.create(); // for cleanUp
    }
}
