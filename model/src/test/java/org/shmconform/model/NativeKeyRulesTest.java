package org.shmconform.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmconform.model.ModelOp.Outcome;
import org.shmconform.spi.NativeName;

/**
 * Seeds N17/N18 in the model: a Qt 6.8 object (key space qt68-posix-safe) given the native name of a
 * non-Qt program's key (key space qt-posix, the Java posix backend) shares that program's bytes; its
 * lock is its own semaphore of that name, so neither lock excludes the other (declared), where the
 * platform notes say a native key is "unable to lock" (documented).
 */
class NativeKeyRulesTest {
    private static final String QT = "qt68-posix-safe@shm:[7]";
    private static final String JAVA = "qt-posix@shm:[7]";
    private static final String NATIVE = NativeName.of("qt-posix", "k");
    private static final Profile QT68_NATIVE = Profile.declared("qt-6.8-native-posix", ReferenceSemantics.QT_6_8_POSIX_NATIVE);

    /** Qt creates by the native name and writes; Java attaches by its own key and reads it; Java answers. */
    private static final List<ModelOp> MET = List.of(
            op("A", "create", NATIVE, 64L, null, null, QT), op("A", "write", null, null, 0L, "from-qt", QT),
            op("B", "attach", "k", null, null, null, JAVA), op("B", "read", null, null, 0L, "from-qt", JAVA),
            op("B", "write", null, null, 16L, "from-java", JAVA));

    @Test
    void aNativeNameReachesTheNonQtProgramsSegment() {
        assertTrue(Ops.legal(QT68_NATIVE, MET, op("A", "read", null, null, 16L, "from-java", QT)));
        assertFalse(Ops.legal(QT68_NATIVE, MET, op("A", "read", null, null, 16L, "\0\0\0\0\0\0\0\0\0", QT)));
        // Without the native name the two key spaces never meet.
        List<ModelOp> apart = List.of(op("A", "create", "k", 64L, null, null, QT));
        assertFalse(Ops.legal(QT68_NATIVE, apart, op("B", "attach", "k", null, null, null, JAVA)));
    }

    @Test
    void aNonQtAttachThatMissesTheNativelyNamedSegmentBreaksN17() {
        List<ModelOp> made = MET.subList(0, 2);
        assertEquals(Property.NATIVE_KEY_INTEROP,
                Ops.violated(QT68_NATIVE, made, Ops.failed(op("B", "attach", "k", null, null, null, JAVA), "NotFound")));
    }

    @Test
    void declaredTheTwoLocksAreDifferentObjectsAndNeitherExcludes() {
        List<ModelOp> qtHolds = plus(MET, op("A", "lock", null, null, null, null, QT));
        assertTrue(Ops.legal(QT68_NATIVE, qtHolds, op("B", "lock", null, null, null, null, JAVA)));
        assertFalse(Ops.legal(QT68_NATIVE, qtHolds, Ops.blocked(op("B", "lock", null, null, null, null, JAVA))));
        List<ModelOp> javaHolds = plus(MET, op("B", "lock", null, null, null, null, JAVA));
        assertTrue(Ops.legal(QT68_NATIVE, javaHolds, op("A", "lock", null, null, null, null, QT)));
        // Each still excludes what shares its name: a second Qt object on the same native name waits for the first.
        List<ModelOp> twoQt = plus(qtHolds, op("C", "attach", NATIVE, null, null, null, QT));
        assertFalse(Ops.legal(QT68_NATIVE, twoQt, op("C", "lock", null, null, null, null, QT)));
        assertTrue(Ops.legal(QT68_NATIVE, twoQt, Ops.blocked(op("C", "lock", null, null, null, null, QT))));
        // And unlock gives back the object's own lock, not the non-Qt program's.
        List<ModelOp> both = plus(qtHolds, op("B", "lock", null, null, null, null, JAVA), op("A", "unlock", null, null, null, null, QT),
                op("C", "attach", NATIVE, null, null, null, QT), op("D", "attach", "k", null, null, null, JAVA));
        assertTrue(Ops.legal(QT68_NATIVE, both, op("C", "lock", null, null, null, null, QT)));
        assertFalse(Ops.legal(QT68_NATIVE, both, op("D", "lock", null, null, null, null, JAVA)));
        assertTrue(Ops.legal(QT68_NATIVE, both, Ops.blocked(op("D", "lock", null, null, null, null, JAVA))));
    }

    @Test
    void documentedANativeKeyIsUnableToLock() {
        assertEquals(Property.NATIVE_KEY_UNPROTECTED, Ops.violated(Profile.DOCUMENTED, MET, op("A", "lock", null, null, null, null, QT)));
        assertTrue(Ops.legal(Profile.DOCUMENTED, MET, Ops.failed(op("A", "lock", null, null, null, null, QT), "LockError")));
        // The non-Qt program's own lock is not a native key's: it locks as ever.
        assertTrue(Ops.legal(Profile.DOCUMENTED, MET, op("B", "lock", null, null, null, null, JAVA)));
    }

    @Test
    void documentedQtChangesAPlainKeyUnlessToldOtherwise() {
        String sha1 = "0123456789abcdef0123456789abcdef01234567";
        List<ModelOp> made = List.of(op("A", "create", "k", 64L, null, null, JAVA));
        assertTrue(Ops.legal(Profile.DOCUMENTED, made, nativeKey("A", "/qipc_sharedmemory_shmcfabck" + sha1, JAVA)));
        assertEquals(Property.KEY_CHANGED_BY_QT, Ops.violated(Profile.DOCUMENTED, made, nativeKey("A", "shmcfabck", JAVA)));
        // No column declares how it names its objects: as declared, the key itself is recorded, not judged.
        assertTrue(Ops.legal(QT68_NATIVE, made, nativeKey("A", "shmcfabck", JAVA)));
        // Told otherwise (a native name): the name as given, never changed a second time.
        List<ModelOp> named = List.of(op("A", "create", NATIVE, 64L, null, null, QT));
        assertTrue(Ops.legal(QT68_NATIVE, named, nativeKey("A", "/qipc_sharedmemory_shmcfabck" + sha1, QT)));
        assertEquals(Property.KEY_CHANGED_BY_QT,
                Ops.violated(QT68_NATIVE, named, nativeKey("A", "/qipc_sharedmemory_qipcsharedmemoryshmcfabck" + sha1, QT)));
        assertEquals(Property.KEY_CHANGED_BY_QT, Ops.violated(Profile.DOCUMENTED, named, nativeKey("A", "/shmcfabck", QT)));
    }

    @Test
    void aNativeKeysShapeLeavesOutTheRunsLettersAndTheHash() {
        String sha1 = "0123456789abcdef0123456789abcdef01234567";
        assertEquals("/qipc_sharedmemory_<letters><sha1>", NativeKeyRules.shape("/qipc_sharedmemory_shmcfabck" + sha1, "k"));
        assertEquals("<dir>/qipc_sharedmemory_<letters><sha1>", NativeKeyRules.shape("/run/x/tmp-q/qipc_sharedmemory_shmcfabck" + sha1, "k"));
        assertEquals("/<key>", NativeKeyRules.shape("/shmcfabck", "k"));
        assertEquals("<dir>/<key>", NativeKeyRules.shape("/run/x/xdg-q/shmcfabck", "k"));
        assertEquals("<key>", NativeKeyRules.shape("shmcfabck", "k"));
    }

    private static ModelOp nativeKey(String p, String value, String space) {
        return Ops.op(p, "nativeKey", null, null, null, null, null, null, Outcome.OK, "NoError", value, space, null);
    }

    private static List<ModelOp> plus(List<ModelOp> prefix, ModelOp... more) {
        List<ModelOp> all = new ArrayList<>(prefix);
        all.addAll(List.of(more));
        return all;
    }

    private static ModelOp op(String p, String f, String key, Long size, Long offset, String text, String space) {
        String hex = text == null ? null : java.util.HexFormat.of().formatHex(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Integer length = "read".equals(f) && text != null ? text.length() : null;
        String mode = "create".equals(f) || "attach".equals(f) ? "ReadWrite" : null;
        return Ops.op(p, f, key, size, mode, offset, length, hex, Outcome.OK, "NoError", null, space, null);
    }
}
