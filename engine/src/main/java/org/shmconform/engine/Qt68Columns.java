package org.shmconform.engine;

import java.util.List;
import org.shmconform.engine.Qt68Root.KeyMode;
import org.shmconform.model.ReferenceSemantics;
import org.shmconform.spi.Availability;
import org.shmconform.spi.BackendSemantics;

/**
 * The Qt 6.8 columns (issue 11): Qt 6.8's own QSharedMemory from Debian 13, with System V and with
 * POSIX keys, each in legacy-key mode ({@code QSharedMemory::legacyNativeKey}, the names Qt 6.4 and the
 * Java backends derive) and platformSafeKey mode. One root serves all four ({@link Qt68Root}); where it
 * is not built they are NOT-AVAILABLE-HERE with the reason and the command that builds it.
 */
public final class Qt68Columns {
    public static final String SYSV = "qt68-sysv";
    public static final String SYSV_SAFE = "qt68-sysv-safe";
    public static final String POSIX = "qt68-posix";
    public static final String POSIX_SAFE = "qt68-posix-safe";
    /**
     * POSIX with native keys: {@code setNativeKey(QNativeIpcKey(key, PosixRealtime))}, the key is the shm_open name
     * itself; the column that puts "when using native keys ... (for example, unable to lock)" to the test.
     */
    public static final String POSIX_NATIVE = "qt68-posix-native";
    /**
     * System V with native keys: {@code setNativeKey(QNativeIpcKey(<TMPDIR>/<key>, SystemV))}, the ftok file named
     * by the harness in the run's TMPDIR (a bare key would make Qt create its key file in the worker's working
     * directory); the column a non-Qt System V program (the Java sysv backend) meets by its native name (seed N17).
     */
    public static final String SYSV_NATIVE = "qt68-sysv-native";
    /** Every Qt 6.8 column's name, in matrix order. */
    public static final List<String> NAMES = List.of(SYSV, SYSV_SAFE, POSIX, POSIX_SAFE, POSIX_NATIVE, SYSV_NATIVE);
    /**
     * qt68-sysv-native's declaration: Qt 6.8's System V code path with a native key, as qt68-sysv-safe's (whose
     * platformSafeKey is such a native key, a key file named by the key) in its own key space (key files in the
     * TMPDIR, where no other column's names are). Measured with the named suite on this column (see the README).
     */
    static final BackendSemantics QT_6_8_SYSV_NATIVE = withKeySpace(ReferenceSemantics.QT_6_8_SYSV_SAFE, SYSV_NATIVE);
    private static final String FIX = "build the root as root with: bash qt-worker/build-qt68-root.sh " + Qt68Root.DEFAULT_CACHE
            + " (about 5 minutes and 1.5 GB the first time; .ci/run does it)";

    private Qt68Columns() {
    }

    static List<Subject> all() {
        Availability a = availability();
        String qt = a.available() ? version(Qt68Worker.qtLibrary(Qt68Root.located().root())) : "Qt 6.8";
        return List.of(
                column(SYSV, KeyMode.LEGACY_SYSV, "System V, legacy keys: setNativeKey(QSharedMemory::legacyNativeKey(key, SystemV)),"
                        + " the $TMPDIR/qipc_sharedmemory_... key file Qt 6.4 and the Java sysv backend use", qt, a, ReferenceSemantics.QT_6_8_SYSV),
                column(SYSV_SAFE, KeyMode.SAFE_SYSV, "System V, platformSafeKey: setNativeKey(QSharedMemory::platformSafeKey(key, SystemV)),"
                        + " the key file $XDG_RUNTIME_DIR/<key>", qt, a, ReferenceSemantics.QT_6_8_SYSV_SAFE),
                column(POSIX, KeyMode.LEGACY_POSIX, "POSIX, legacy keys: setNativeKey(QSharedMemory::legacyNativeKey(key, PosixRealtime)),"
                        + " shm_open(\"/qipc_sharedmemory_...\"), the Java posix backend's name", qt, a, ReferenceSemantics.QT_6_8_POSIX),
                column(POSIX_SAFE, KeyMode.SAFE_POSIX, "POSIX, platformSafeKey: setNativeKey(QSharedMemory::platformSafeKey(key, PosixRealtime)),"
                        + " shm_open(\"/<key>\") and sem_open(\"/<key>\")", qt, a, ReferenceSemantics.QT_6_8_POSIX_SAFE),
                column(POSIX_NATIVE, KeyMode.NATIVE_POSIX, "POSIX, native keys: setNativeKey(QNativeIpcKey(key, PosixRealtime)),"
                        + " the key is the shm_open name itself (the platformSafeKey column's objects)", qt, a,
                        ReferenceSemantics.QT_6_8_POSIX_NATIVE),
                column(SYSV_NATIVE, KeyMode.NATIVE_SYSV, "System V, native keys: setNativeKey(QNativeIpcKey($TMPDIR/<key>, SystemV)),"
                        + " the key file named by the harness in the run's TMPDIR", qt, a, QT_6_8_SYSV_NATIVE));
    }

    private static BackendSemantics withKeySpace(BackendSemantics d, String keySpace) {
        return d.inKeySpace(keySpace);
    }

    /** Whether the root is built here; when not, the reason and how to build it. */
    static Availability availability() {
        Availability a = Qt68Root.availability();
        if (a.available()) {
            return a;
        }
        return a.because("Qt 6.8 root: " + a.reason() + "; " + FIX);
    }

    /** "Qt 6.8.2" from "libQt6Core.so.6.8.2". */
    static String version(String library) {
        return library.startsWith("libQt6Core.so.") ? "Qt " + library.substring("libQt6Core.so.".length()) : "Qt 6.8";
    }

    private static Subject column(String name, KeyMode mode, String keys, String qt, Availability a, BackendSemantics declared) {
        return new Subject(name, qt + " (Debian 13) QSharedMemory, key mode " + mode.label() + ": " + keys
                + "; qt-worker/qt_shm_worker.cpp in a Debian 13 root", a, declared, "qt-6.8-" + mode.label(),
                new Subject.LaunchedWorker(new Qt68Worker(mode)));
    }

    /** Whether a column is one of these. */
    public static boolean isQt68(String column) {
        return NAMES.contains(column);
    }
}
