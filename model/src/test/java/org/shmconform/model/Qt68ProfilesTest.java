package org.shmconform.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmconform.model.ModelOp.Outcome;

/**
 * The Qt 6.8 declarations against the sequences that showed them (issue 11; ReferenceSemantics has
 * the evidence): the System V profile's retryRemovesOrphan, and the POSIX profiles' kept name.
 */
class Qt68ProfilesTest {
    private static final String SPACE = "test@ns:[1]";
    private static final Profile QT68_SYSV = Profile.declared("qt-6.8-legacy-sysv", ReferenceSemantics.QT_6_8_SYSV);
    private static final Profile QT64 = Profile.declared("qt-6.4", ReferenceSemantics.QT_6_4);
    private static final Profile QT68_POSIX = Profile.declared("qt-6.8-legacy-posix", ReferenceSemantics.QT_6_8_POSIX);

    /** crash-survives on qt68-sysv: the failed create's object removes the orphan at its fallback attach. */
    private static final List<ModelOp> CRASH_THEN_FAILED_CREATE = List.of(create("A", "k"), kill("A"), fail(create("B", "k"), "AlreadyExists"));

    @Test
    void qt68SystemVFallbackAttachAfterACrashFindsNothing() {
        assertTrue(SegmentModelTest.legal(QT68_SYSV, CRASH_THEN_FAILED_CREATE, fail(attach("B", "k"), "NotFound")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, CRASH_THEN_FAILED_CREATE, attach("B", "k")));
        // Qt 6.4 and the documentation: the survivor is attached.
        assertTrue(SegmentModelTest.legal(QT64, CRASH_THEN_FAILED_CREATE, attach("B", "k")));
        assertFalse(SegmentModelTest.legal(QT64, CRASH_THEN_FAILED_CREATE, fail(attach("B", "k"), "NotFound")));
        assertFalse(SegmentModelTest.legal(Profile.DOCUMENTED, CRASH_THEN_FAILED_CREATE, fail(attach("B", "k"), "NotFound")));
    }

    @Test
    void qt68SystemVSecondCreateAfterACrashSucceedsAfresh() {
        assertTrue(SegmentModelTest.legal(QT68_SYSV, CRASH_THEN_FAILED_CREATE, create("B", "k")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, CRASH_THEN_FAILED_CREATE, fail(create("B", "k"), "AlreadyExists")));
    }

    @Test
    void onlyAnUnattachedSegmentIsRemoved() {
        // C still holds the segment: B's failed create keeps nothing to clean, its attach succeeds.
        List<ModelOp> held = List.of(create("A", "k"), attach("C", "k"), kill("A"), fail(create("B", "k"), "AlreadyExists"));
        assertTrue(SegmentModelTest.legal(QT68_SYSV, held, attach("B", "k")));
        assertFalse(SegmentModelTest.legal(QT68_SYSV, held, fail(attach("B", "k"), "NotFound")));
    }

    @Test
    void qt68PosixKeepsTheNameAfterTheLastDetach() {
        List<ModelOp> detached = List.of(create("A", "k"), op("A", "detach"));
        assertTrue(SegmentModelTest.legal(QT68_POSIX, detached, attach("C", "k")));
        assertFalse(SegmentModelTest.legal(QT68_POSIX, detached, fail(attach("C", "k"), "NotFound")));
        assertFalse(SegmentModelTest.legal(Profile.DOCUMENTED, detached, attach("C", "k")));
    }

    private static ModelOp op(String p, String f) {
        return new ModelOp(p, f, null, 0, null, null, null, null, null, Outcome.OK, "NoError", null, SPACE, null);
    }

    private static ModelOp create(String p, String key) {
        return new ModelOp(p, "create", key, 12, 64L, "ReadWrite", null, null, null, Outcome.OK, "NoError", null, SPACE, null);
    }

    private static ModelOp attach(String p, String key) {
        return new ModelOp(p, "attach", key, 12, null, "ReadWrite", null, null, null, Outcome.OK, "NoError", null, SPACE, null);
    }

    private static ModelOp kill(String p) {
        return new ModelOp(p, "kill", null, 0, null, null, null, null, null, Outcome.DEATH, null, null, SPACE, null);
    }

    private static ModelOp fail(ModelOp o, String error) {
        return new ModelOp(o.process(), o.f(), o.key(), o.realKeyLength(), o.size(), o.mode(), o.offset(), o.length(), o.dataHex(),
                Outcome.FAIL, error, null, o.space(), o.user());
    }
}
