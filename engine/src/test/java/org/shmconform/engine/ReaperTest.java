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

    @Test
    void anOrphanedSemaphoreRecordedInTheLedgerIsRemovedAndAForeignOneIsKept() throws Exception {
        String prefix = run.nextExecutionPrefix();
        Path tmp = run.workerTmp();
        Path keyFile = QtKeys.systemVKeyFile(tmp, prefix + "k", QtKeys.SYSTEM_SEMAPHORE_PREFIX);
        Files.createFile(keyFile);
        int ours = semaphore(C.ftok(keyFile.toString(), 'Q'));
        int foreign = semaphore(0 /* IPC_PRIVATE: made now, by us, unattached: everything the old pid sweep looked at */);
        run.ledger().observe(prefix, run.workerTmps());
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
     * and even be made by the same uid after the run started. Only objects keyed by a key file that
     * exists when the ledger looks (or that it saw go) are ours.
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
        run.ledger().observe(later, run.workerTmps());
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
            run.ledger().observe(prefix, run.workerTmps());
            String ledger = ledgerText();
            assertTrue(ledger.contains("sem " + set + " "), ledger);
            assertFalse(ledger.contains("shm " + segment + " "), "a segment recorded through a semaphore's key file: " + ledger);
        } finally {
            C.shmctl(segment, LibC.IPC_RMID, null);
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
}
