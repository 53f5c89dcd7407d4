package org.shmconform.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmconform.model.ModelOp.Outcome;
import org.shmconform.spi.BackendSemantics;
import org.shmconform.spi.BackendSemantics.LockOnHolderDeath;
import org.shmconform.spi.BackendSemantics.Resize;
import org.shmconform.spi.BackendSemantics.Visibility;
import org.shmconform.spi.NativeName;

/**
 * Seed M2 in the model: a Qt file-map worker (key space qt-filemap) given the native name of the Java mmapfile
 * backend's file shares that backend's bytes, judged under the mmapfile column's declared profile; the file's last
 * detach (the Java side, after Qt's detach) destroys it, so a later attach by that name finds nothing.
 */
class FileMapMeetingTest {
    private static final String QT = "qt-filemap@shm:[7]";
    private static final String JAVA = "mmapfile@shm:[7]";
    private static final String SAME_FILE = NativeName.of("mmapfile", "k");
    private static final Profile MMAPFILE = Profile.declared("declared:mmapfile",
            new BackendSemantics("mmapfile", true, true, LockOnHolderDeath.RELEASED, Resize.SHRINKABLE, Visibility.DEV_SHM_MOUNT));

    private static final List<ModelOp> MET = List.of(
            op("A", "create", SAME_FILE, 64L, null, null, QT), op("A", "write", null, null, 0L, "from-qt", QT),
            op("B", "attach", "k", null, null, null, JAVA), op("B", "read", null, null, 0L, "from-qt", JAVA),
            op("B", "write", null, null, 16L, "from-java", JAVA));

    @Test
    void theNativeNameReachesTheMmapfileSegmentBothWays() {
        assertTrue(Ops.legal(Profile.DOCUMENTED, MET, op("A", "read", null, null, 16L, "from-java", QT)));
        assertTrue(Ops.legal(MMAPFILE, MET, op("A", "read", null, null, 16L, "from-java", QT)));
        assertFalse(Ops.legal(MMAPFILE, MET, op("A", "read", null, null, 16L, "\0\0\0\0\0\0\0\0\0", QT)));
        assertFalse(Ops.legal(MMAPFILE, MET.subList(0, 2), op("B", "read", null, null, 0L, "from-qt", JAVA)));
    }

    @Test
    void aJavaAttachThatMissesTheFileBreaksTheMeeting() {
        assertEquals(Property.NATIVE_KEY_INTEROP,
                Ops.violated(MMAPFILE, MET.subList(0, 2), Ops.failed(op("B", "attach", "k", null, null, null, JAVA), "NotFound")));
    }

    @Test
    void theLastDetachRemovesTheFileForBoth() {
        List<ModelOp> gone = new ArrayList<>(MET);
        gone.add(op("A", "detach", null, null, null, null, QT));
        gone.add(op("B", "detach", null, null, null, null, JAVA));
        assertTrue(Ops.legal(MMAPFILE, gone, Ops.failed(op("A", "attach", SAME_FILE, null, null, null, QT), "NotFound")));
        assertFalse(Ops.legal(MMAPFILE, gone, op("A", "attach", SAME_FILE, null, null, null, QT)));
    }

    private static ModelOp op(String p, String f, String key, Long size, Long offset, String text, String space) {
        String hex = text == null ? null : java.util.HexFormat.of().formatHex(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Integer length = "read".equals(f) && text != null ? text.length() : null;
        String mode = "create".equals(f) || "attach".equals(f) ? "ReadWrite" : null;
        return Ops.op(p, f, key, size, mode, offset, length, hex, Outcome.OK, "NoError", null, space, null);
    }
}
