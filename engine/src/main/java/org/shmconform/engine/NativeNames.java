package org.shmconform.engine;

import java.nio.file.Path;
import java.util.function.Supplier;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.mmapfile.MmapFileBackend;
import org.shmconform.engine.Qt68Root.KeyMode;
import org.shmconform.spi.NativeName;

/**
 * What a step keyed {@code native-name:<keySpace>:<key>} ({@link NativeName}) sends its worker: the exact
 * kernel name a program of that key space uses for the run's key, so that a Qt object set with
 * setNativeKey meets a non-Qt program (seed N17). The key spaces named here are the Qt-legacy schemes the
 * Java {@code posix} and {@code sysv} backends derive their names from ({@link QtKeys}, as Qt 6.4 does):
 * {@code shm_open("/qipc_sharedmemory_<letters><sha1>")}, and the System V key file of that name in the
 * worker's TMPDIR (which a Qt 6.8 worker sees at the same path: its launcher binds TMPDIR in). And (seed M2) the
 * Java {@code mmapfile} backend's file, which the Qt file-map worker ({@link QtReferenceWorker#FILE_MAP_IMPL}) opens
 * with QFile and maps.
 */
final class NativeNames {
    static final String POSIX = "qt-posix";
    static final String SYSV = "qt-sysv";
    /** The Java mmapfile backend's files (seed M2): {@code <its dir>/qipc_sharedmemory_<letters><sha1>.mmap}. */
    static final String MMAPFILE = "mmapfile";

    private NativeNames() {
    }

    /**
     * The native name for {@code prefixedKey} (the run's prefix plus the schedule's key) in {@code keySpace};
     * {@code tmpdir} is the TMPDIR of the worker that gets it.
     */
    static String resolve(String keySpace, String prefixedKey, Path tmpdir) {
        return switch (keySpace) {
            case POSIX -> QtKeys.posixName(prefixedKey, QtKeys.SHARED_MEMORY_PREFIX);
            case SYSV -> QtKeys.systemVKeyFile(tmpdir, prefixedKey, QtKeys.SHARED_MEMORY_PREFIX).toString();
            // the directory the harness's own mmapfile backend resolves, from the same environment its workers inherit
            case MMAPFILE -> MmapFileBackend.fileFor(new MmapFileBackend().dir(), prefixedKey).toString();
            default -> throw new IllegalArgumentException("no native name is known for key space " + keySpace
                    + " (known: " + POSIX + ", " + SYSV + ", " + MMAPFILE + ")");
        };
    }

    /**
     * The key a worker of column {@code impl} is sent for a plain {@code prefixedKey}: the key itself, but for
     * the System V native-key column ({@link Qt68Columns#SYSV_NATIVE}) the key file path in the worker's
     * TMPDIR, since Qt takes a System V native key as the ftok file (an empty key stays empty: Qt's KeyError),
     * and for the Qt file-map worker ({@link QtReferenceWorker#FILE_MAP_IMPL}) a file of that name in its TMPDIR.
     */
    static String plainKey(String impl, String prefixedKey, Supplier<Path> tmpdir) {
        // the file-map worker takes its key as a path too: a plain key names a file in its TMPDIR, never in its working directory
        if (prefixedKey == null || prefixedKey.isEmpty()
                || !QtReferenceWorker.FILE_MAP_IMPL.equals(impl) && modeOf(impl) != KeyMode.NATIVE_SYSV) {
            return prefixedKey;
        }
        return tmpdir.get().resolve(prefixedKey).toString();
    }

    private static KeyMode modeOf(String impl) {
        return Subjects.here().named(impl)
                .filter(s -> s.start() instanceof Subject.LaunchedWorker l && l.launch() instanceof Qt68Worker)
                .map(s -> ((Qt68Worker) ((Subject.LaunchedWorker) s.start()).launch()).mode()).orElse(null);
    }

    /**
     * Why a worker of column {@code impl} cannot be handed a native name of {@code keySpace}, or null: only
     * a worker that hands its key to Qt as the native key itself (a Qt 6.8 column in native key mode) of
     * the same low-level API does; any other would derive a name from the name.
     */
    static String refusal(String impl, String keySpace) {
        if (MMAPFILE.equals(keySpace) || QtReferenceWorker.FILE_MAP_IMPL.equals(impl)) {
            return MMAPFILE.equals(keySpace) && QtReferenceWorker.FILE_MAP_IMPL.equals(impl) ? null
                    : "a native name of " + MMAPFILE + " is for the Qt file-map worker (" + QtReferenceWorker.FILE_MAP_IMPL
                    + "), which takes no other; not " + impl + " with " + keySpace;
        }
        KeyMode mode = modeOf(impl);
        KeyMode needed = switch (keySpace) {
            case POSIX -> KeyMode.NATIVE_POSIX;
            case SYSV -> KeyMode.NATIVE_SYSV;
            default -> null;
        };
        if (needed == null) {
            return "no native name is known for key space " + keySpace + " (known: " + POSIX + ", " + SYSV + ", " + MMAPFILE + ")";
        }
        if (mode != needed) {
            return "a native name of " + keySpace + " is for a Qt 6.8 worker in key mode " + needed.label() + ", not " + impl
                    + (mode == null ? "" : " (key mode " + mode.label() + ")");
        }
        return null;
    }
}
