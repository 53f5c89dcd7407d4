package org.shmconform.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.model.Ops.attach;
import static org.shmconform.model.Ops.attachReadOnly;
import static org.shmconform.model.Ops.create;
import static org.shmconform.model.Ops.crashed;
import static org.shmconform.model.Ops.failed;
import static org.shmconform.model.Ops.legal;
import static org.shmconform.model.Ops.profile;
import static org.shmconform.model.Ops.read;
import static org.shmconform.model.Ops.truncate;
import static org.shmconform.model.Ops.value;
import static org.shmconform.model.Ops.write;
import static org.shmconform.model.Ops.violated;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmconform.spi.BackendSemantics.Resize;

/** Bytes, bounds, size() and a peer's truncate, as {@link DataRules} states them. */
class DataRulesTest {
    private static final Profile SHRINKABLE = profile(true, true, null, Resize.SHRINKABLE, false);
    private static final Profile SEALED = profile(true, true, null, Resize.SEALED, false);
    private static final Profile FIXED = profile(true, true, null, Resize.NOT_RESIZABLE, false);
    private static final List<ModelOp> SHARED = List.of(create("A", "k", 64), attach("B", "k"), write("A", 4, "hello"));

    @Test
    void aReadSeesTheLastWriteAndZeroesElsewhere() {
        assertTrue(legal(Profile.DOCUMENTED, SHARED, read("B", 4, "hello")));
        assertTrue(legal(Profile.DOCUMENTED, SHARED, read("B", 0, "\0\0\0\0h")));
        assertEquals(Property.DATA_SHARED, violated(Profile.DOCUMENTED, SHARED, read("B", 4, "jello")));
    }

    @Test
    void anAccessOutsideTheMappingFailsWithInvalidSize() {
        assertTrue(legal(Profile.DOCUMENTED, SHARED, failed(read("B", 62, "abc"), "InvalidSize")));
        assertEquals(Property.API_CONTRACT, violated(Profile.DOCUMENTED, SHARED, read("B", 62, "\0\0\0")));
    }

    @Test
    void aWriteThroughAReadOnlyAttachIsRefused() {
        List<ModelOp> readOnly = List.of(create("A", "k", 64), attachReadOnly("B", "k"));
        assertTrue(legal(Profile.DOCUMENTED, readOnly, failed(write("B", 0, "x"), "PermissionDenied")));
        assertEquals(Property.READ_ONLY, violated(Profile.DOCUMENTED, readOnly, write("B", 0, "x")));
    }

    @Test
    void sizeIsTheLengthThisObjectMapped() {
        assertTrue(legal(Profile.DOCUMENTED, SHARED, value("B", "size", "64")));
        assertEquals(Property.CREATE_SIZE, violated(Profile.DOCUMENTED, SHARED, value("B", "size", "4096")));
        assertTrue(legal(Profile.DOCUMENTED, List.of(), value("A", "size", "0")));
    }

    @Test
    void aTouchOfAWholePagePastATruncatedEndMustCrash() {
        List<ModelOp> shrunk = List.of(create("A", "k", 16384), attach("B", "k"), truncate("A", 4096));
        assertTrue(legal(SHRINKABLE, shrunk, crashed(read("B", 8192, "\0"))));
        assertEquals(Property.TRUNCATION_CRASHES, violated(SHRINKABLE, shrunk, read("B", 8192, "\0")));
        // Within the last (partial) page of the object nothing faults.
        assertTrue(legal(SHRINKABLE, shrunk, read("B", 4000, "\0")));
        assertEquals(Property.DATA_SHARED, violated(SHRINKABLE, shrunk, crashed(read("B", 4000, "\0"))));
    }

    /**
     * Fuzz posix seed 1134 (FAIL DATA-SHARED 3/3 on Linux tmpfs): create(16), truncate(1), a write of "wAs10" at 6 (past
     * the end, within its page), truncate(8): a read of 0..12 gave "wAs10" whole. A growth zeroes nothing, past the new
     * end either; the bytes past the old end may also be gone.
     */
    @Test
    void aGrowthZeroesNothingPastTheNewEndEither() {
        List<ModelOp> grown = List.of(create("A", "k", 16), truncate("A", 1), write("A", 6, "wAs10"), truncate("A", 8));
        assertTrue(legal(SHRINKABLE, grown, read("A", 0, "\0\0\0\0\0\0wAs10\0")));
        assertTrue(legal(SHRINKABLE, grown, read("A", 0, "\0\0\0\0\0\0\0\0\0\0\0\0")));
    }

    @Test
    void aTruncateSucceedsOrIsRefusedAsTheProfilePromises() {
        List<ModelOp> made = List.of(create("A", "k", 64));
        assertTrue(legal(SHRINKABLE, made, truncate("A", 10)));
        assertEquals(Property.TRUNCATION_CRASHES, violated(SHRINKABLE, made, failed(truncate("A", 10), "PermissionDenied")));
        assertTrue(legal(SEALED, made, failed(truncate("A", 10), "PermissionDenied")));
        assertEquals(Property.MEMFD_SEALED, violated(SEALED, made, truncate("A", 10)));
        assertEquals(Property.TRUNCATION_CRASHES, violated(FIXED, made, truncate("A", 10)));
        assertTrue(legal(FIXED, made, failed(truncate("A", 10), "UnknownError")));
    }
}
