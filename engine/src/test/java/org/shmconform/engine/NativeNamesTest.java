package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.mmapfile.MmapFileBackend;
import org.shmconform.backends.posix.PosixBackend;
import org.shmconform.backends.sysv.SysVBackend;

/**
 * A native-name step hands its Qt worker exactly the name the non-Qt program (the Java backend of that
 * key space) uses for the same prefixed key, and only a worker that passes it to Qt as a native key of
 * the same low-level API may get one. Opening a segment makes no kernel object: nothing to clean up.
 */
class NativeNamesTest {
    private static final String KEY = "shmcfxqzwvyk";

    @Test
    void theNameIsTheOneTheJavaBackendOfThatKeySpaceUses() {
        Path tmp = Path.of("/run/shmconform-share/x/tmp-abc");
        assertEquals(new PosixBackend().open(KEY).nativeKey(), NativeNames.resolve(NativeNames.POSIX, KEY, tmp));
        assertEquals(new SysVBackend(tmp).open(KEY).nativeKey(), NativeNames.resolve(NativeNames.SYSV, KEY, tmp));
        assertEquals(NativeNames.POSIX, new PosixBackend().semantics().keySpace());
        assertEquals(NativeNames.SYSV, new SysVBackend(tmp).semantics().keySpace());
        assertEquals(new MmapFileBackend().open(KEY).nativeKey(), NativeNames.resolve(NativeNames.MMAPFILE, KEY, tmp));
        assertEquals(NativeNames.MMAPFILE, new MmapFileBackend().semantics().keySpace());
        assertThrows(IllegalArgumentException.class, () -> NativeNames.resolve("memfd", KEY, tmp));
    }

    @Test
    void onlyTheSystemVNativeKeyColumnGetsAPlainKeyAsAKeyFileInItsTmpdir() {
        Path tmp = Path.of("/run/shmconform-share/x/tmp-abc");
        assertEquals(tmp.resolve(KEY).toString(), NativeNames.plainKey(Qt68Columns.SYSV_NATIVE, KEY, () -> tmp));
        assertEquals("", NativeNames.plainKey(Qt68Columns.SYSV_NATIVE, "", () -> tmp));
        // The Qt file-map worker takes a path: a plain key is a file in its TMPDIR, not in its working directory.
        assertEquals(tmp.resolve(KEY).toString(), NativeNames.plainKey(QtReferenceWorker.FILE_MAP_IMPL, KEY, () -> tmp));
        for (String other : new String[] {Qt68Columns.POSIX_NATIVE, Qt68Columns.SYSV_SAFE, "sysv", "qt"}) {
            assertEquals(KEY, NativeNames.plainKey(other, KEY, () -> {
                throw new AssertionError("no TMPDIR is needed for " + other);
            }));
        }
    }

    @Test
    void onlyAQtWorkerInTheMatchingNativeKeyModeIsGivenANativeName() {
        assertNull(NativeNames.refusal(Qt68Columns.POSIX_NATIVE, NativeNames.POSIX));
        String other = NativeNames.refusal(Qt68Columns.POSIX_NATIVE, NativeNames.SYSV);
        assertTrue(other.contains("native-sysv"), other);
        String legacy = NativeNames.refusal(Qt68Columns.POSIX, NativeNames.POSIX);
        assertTrue(legacy.contains("key mode legacy-posix"), legacy);
        String java = NativeNames.refusal("posix", NativeNames.POSIX);
        assertTrue(java.contains("not posix"), java);
        assertTrue(NativeNames.refusal(Qt68Columns.POSIX_NATIVE, "memfd").startsWith("no native name is known"));
        // The mmapfile backend's file is for the Qt file-map worker alone, which takes no other native name.
        assertNull(NativeNames.refusal(QtReferenceWorker.FILE_MAP_IMPL, NativeNames.MMAPFILE));
        assertTrue(NativeNames.refusal(Qt68Columns.POSIX_NATIVE, NativeNames.MMAPFILE).contains("file-map"));
        assertTrue(NativeNames.refusal(QtReferenceWorker.FILE_MAP_IMPL, NativeNames.POSIX).contains("file-map"));
    }
}
