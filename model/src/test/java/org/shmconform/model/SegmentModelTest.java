package org.shmconform.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.Backends;
import org.shmconform.model.ModelOp.Outcome;

/**
 * The model's rules where it used to be unsound (it rejected what the mechanism legally does),
 * each pinned by the sequence that showed it: the op in question must be legal in some state the
 * prefix can reach, and the wrong outcome still illegal in every one.
 */
class SegmentModelTest {
    private static final String SPACE = "test@ns:[1]";
    private static final Profile POSIX = declared("posix");
    private static final Profile MMAPFILE = declared("mmapfile");
    private static final Profile SYSV = declared("sysv");
    private static final Profile QT = Profile.declared("qt-6.4", ReferenceSemantics.QT_6_4);

    private static Profile declared(String backend) {
        return Profile.declared("declared:" + backend, Backends.named(backend).orElseThrow().semantics());
    }

    // An attach after a peer's truncate maps the truncated length (issue 10: truncate-under-reader on posix).
    @Test
    void anAttachAfterATruncateMapsTheTruncatedLength() {
        List<ModelOp> prefix = List.of(create("A", "k", 16384), write("A", 8192, "far-page"), truncate("A", 4096), attach("B", "k"));
        assertTrue(legal(POSIX, prefix, read("B", 8192, 8, Outcome.FAIL, "InvalidSize", null)));
        assertFalse(legal(POSIX, prefix, read("B", 8192, 8, Outcome.CRASH, null, null)));
        assertTrue(legal(POSIX, prefix, value("B", "size", "4096")));
        assertFalse(legal(POSIX, prefix, value("B", "size", "16384")));
        // The truncater keeps its own mapping: its size is what it created, a touch past the new end is SIGBUS.
        assertTrue(legal(POSIX, prefix, value("A", "size", "16384")));
        assertTrue(legal(POSIX, prefix, read("A", 8192, 8, Outcome.CRASH, null, null)));
        assertFalse(legal(POSIX, prefix, read("A", 8192, 8, Outcome.OK, null, hex(new byte[8]))));
    }

    @Test
    void anAttachToAnObjectTruncatedToNothingFails() {
        List<ModelOp> prefix = List.of(create("A", "k", 64), truncate("A", 0));
        assertTrue(legal(MMAPFILE, prefix, fail(attach("B", "k"), "UnknownError")));
        assertFalse(legal(MMAPFILE, prefix, attach("B", "k")));
    }

    @Test
    void aGrownObjectIsMappedAtItsNewLengthByLaterAttachers() {
        List<ModelOp> prefix = List.of(create("A", "k", 64), truncate("A", 10), truncate("A", 5000), attach("B", "k"));
        assertTrue(legal(POSIX, prefix, value("B", "size", "5000")));
        assertTrue(legal(POSIX, prefix, value("A", "size", "64")));
        assertTrue(legal(POSIX, prefix, read("B", 4990, 8, Outcome.OK, null, hex(new byte[8]))));
    }

    @Test
    void aTruncateThroughAReadOnlyAttachMaySucceedWhereObjectsAreShrinkable() {
        List<ModelOp> prefix = List.of(create("A", "k", 64), attachReadOnly("B", "k"));
        assertTrue(legal(POSIX, prefix, truncate("B", 10)));
        assertTrue(legal(POSIX, prefix, fail(truncate("B", 10), "PermissionDenied")));
        assertFalse(legal(SYSV, prefix, truncate("B", 10)));
    }

    @Test
    void aReadThatNeverRepliedNeitherThrowsNorChangesAnything() {
        List<ModelOp> prefix = List.of(create("A", "k", 64));
        assertTrue(legal(POSIX, prefix, read("A", 0, 4, Outcome.OK, null, null)));
    }

    @Test
    void aKillOfAWorkerThatAlreadyCrashedChangesNothing() {
        assertTrue(legal(POSIX, List.of(create("A", "k", 64), kill("A")), kill("A")));
        assertFalse(legal(POSIX, List.of(create("A", "k", 64), kill("A")), attach("A", "k")));
    }

    // Qt's QSharedMemoryLocker: create()/attach() by the lock's holder unlock on the way out.
    @Test
    void anAttachByTheLockHolderMayReleaseTheLock() {
        List<ModelOp> prefix = List.of(fail(attach("B", "k"), "NotFound"), op("B", "lock"), create("A", "k", 64), attach("B", "k"));
        assertTrue(legal(Profile.DOCUMENTED, prefix, op("A", "lock")));
        List<ModelOp> withoutAttach = prefix.subList(0, 3);
        assertFalse(legal(Profile.DOCUMENTED, withoutAttach, op("A", "lock")));
    }

    // A lock held without an attachment stays with the object a re-key drops, until its process dies.
    @Test
    void aLockHeldByADroppedObjectBlocksOthersUntilItsProcessDies() {
        List<ModelOp> prefix = List.of(fail(attach("B", "k"), "NotFound"), op("B", "lock"), fail(attach("B", "j"), "NotFound"),
                create("A", "k", 64));
        assertTrue(legal(MMAPFILE, prefix, blocked(op("A", "lock"))));
        List<ModelOp> died = new ArrayList<>(prefix);
        died.add(kill("B"));
        assertTrue(legal(MMAPFILE, died, op("A", "lock")));
        assertFalse(legal(MMAPFILE, died, blocked(op("A", "lock"))));
    }

    // Qt's POSIX semaphore: B made k's semaphore (its failed attach found none), so its re-key sem_unlinks the name, and
    // A's create makes a fresh one: the lock B's dropped object still holds is not A's any more.
    @Test
    void aPosixReKeyByTheSemaphoresMakerLeavesItsHeldLockBehindTheName() {
        List<ModelOp> prefix = List.of(fail(attach("B", "k"), "NotFound"), op("B", "lock"), fail(attach("B", "j"), "NotFound"),
                create("A", "k", 64));
        assertTrue(legal(POSIX, prefix, op("A", "lock")));
        assertFalse(legal(POSIX, prefix, blocked(op("A", "lock"))));
        // As documented there is one lock per key, which B's dropped object may still hold.
        assertTrue(legal(Profile.DOCUMENTED, prefix, blocked(op("A", "lock"))));
    }

    // Qt 6.4: whoever owns the lock's semaphore (made it first, even by a failed attach) re-creates it at its next attach.
    @Test
    void anAttachByTheSemaphoresOwnerReinitialisesAHeldLock() {
        List<ModelOp> held = List.of(fail(attach("B", "k"), "NotFound"), create("A", "k", 64), attach("C", "k"), op("C", "lock"));
        assertFalse(legal(QT, held, op("A", "lock")));
        List<ModelOp> reattached = new ArrayList<>(held);
        reattached.add(attach("B", "k"));
        assertTrue(legal(QT, reattached, op("A", "lock")));
        assertFalse(legal(Profile.DOCUMENTED, reattached, op("A", "lock")));
    }

    /** Whether {@code last} is legal in some state {@code prefix} can reach (every prefix op must be legal too). */
    static boolean legal(Profile profile, List<ModelOp> prefix, ModelOp last) {
        Set<ModelState> states = new LinkedHashSet<>(List.of(ModelState.initial()));
        for (ModelOp op : prefix) {
            Set<ModelState> next = new LinkedHashSet<>();
            for (ModelState s : states) {
                next.addAll(SegmentModel.step(profile, s, op).next());
            }
            assertFalse(next.isEmpty(), "prefix op " + op + " illegal");
            states = next;
        }
        return states.stream().anyMatch(s -> SegmentModel.step(profile, s, last).legal());
    }

    private static ModelOp op(String p, String f) {
        return new ModelOp(p, f, null, 0, null, null, null, null, null, Outcome.OK, "NoError", null, SPACE, null);
    }

    private static ModelOp create(String p, String key, long size) {
        return new ModelOp(p, "create", key, 12, size, "ReadWrite", null, null, null, Outcome.OK, "NoError", null, SPACE, null);
    }

    private static ModelOp attach(String p, String key) {
        return new ModelOp(p, "attach", key, 12, null, "ReadWrite", null, null, null, Outcome.OK, "NoError", null, SPACE, null);
    }

    private static ModelOp attachReadOnly(String p, String key) {
        return new ModelOp(p, "attach", key, 12, null, "ReadOnly", null, null, null, Outcome.OK, "NoError", null, SPACE, null);
    }

    private static ModelOp write(String p, long offset, String text) {
        return new ModelOp(p, "write", null, 0, null, null, offset, null, hex(text.getBytes()), Outcome.OK, "NoError", null, SPACE, null);
    }

    private static ModelOp read(String p, long offset, int length, Outcome outcome, String error, String dataHex) {
        return new ModelOp(p, "read", null, 0, null, null, offset, length, dataHex, outcome, error, null, SPACE, null);
    }

    private static ModelOp truncate(String p, int length) {
        return new ModelOp(p, "truncate", null, 0, null, null, null, length, null, Outcome.OK, "NoError", null, SPACE, null);
    }

    private static ModelOp value(String p, String f, String value) {
        return new ModelOp(p, f, null, 0, null, null, null, null, null, Outcome.OK, "NoError", value, SPACE, null);
    }

    private static ModelOp kill(String p) {
        return new ModelOp(p, "kill", null, 0, null, null, null, null, null, Outcome.DEATH, null, null, SPACE, null);
    }

    private static ModelOp fail(ModelOp o, String error) {
        return new ModelOp(o.process(), o.f(), o.key(), o.realKeyLength(), o.size(), o.mode(), o.offset(), o.length(), o.dataHex(),
                Outcome.FAIL, error, null, o.space(), o.user());
    }

    private static ModelOp blocked(ModelOp o) {
        return new ModelOp(o.process(), o.f(), o.key(), o.realKeyLength(), o.size(), o.mode(), o.offset(), o.length(), o.dataHex(),
                Outcome.BLOCKED, null, null, o.space(), o.user());
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    @Test
    void helpersBuildWhatTheyNameSoTheAssertionsAboveMeanSomething() {
        assertEquals("66", hex("f".getBytes()));
        assertTrue(legal(POSIX, List.of(), create("A", "k", 64)));
        assertFalse(legal(POSIX, List.of(), attach("A", "k")));
    }
}
