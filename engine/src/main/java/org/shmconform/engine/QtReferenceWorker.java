package org.shmconform.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.time.Duration;
import org.shmconform.spi.Availability;
import org.shmconform.engine.launch.ToolRun;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * The Qt 6.4 reference worker (qt-worker/qt_shm_worker.cpp): Qt's own QSharedMemory speaking the
 * worker protocol. Its source travels in the harness jar; it is compiled once per source version
 * with qt-worker/build.sh into the private cache ({@link RunContext#cacheDir()}, 0700). The
 * binary's SHA-256 is written beside it when it is built and checked, with lstat (a regular file of
 * ours, written by nobody else), before every use: nothing is executed that does not match (hashed again only when
 * lstat says it may have changed, {@link FileDigests}). Where
 * Qt6Core or g++ is missing, the column is NOT_AVAILABLE with build.sh's one-line reason.
 */
public final class QtReferenceWorker {
    public static final String IMPL = "qt";
    static final String BINARY_NAME = "qt_shm_worker";
    /** The Qt column's worker program as {@link Subjects} hands it out. */
    public static final Subject.NativeProgram PROGRAM = new Subject.NativeProgram() {
        @Override
        public Path binary() {
            return QtReferenceWorker.binary();
        }

        @Override
        public Path copyFor(Path dir) {
            return QtReferenceWorker.copyFor(dir);
        }

        @Override
        public boolean forksWorkers() {
            return true;
        }

        @Override
        public String provenance() {
            Path at;
            synchronized (QtReferenceWorker.class) {
                at = binary;
            }
            return "built by qt-worker/build.sh (the host's g++ against the host's Qt6Core, pkg-config) into "
                    + (at == null ? RunContext.cacheDir() + "/qt-worker-<source hash>/ (not built)" : at.toString())
                    + "; runs on the host's root file system";
        }
    };
    /**
     * The same program in file-map mode ({@code --key-mode=file-map}): no QSharedMemory, a file opened with QFile and
     * mapped with QFile::map without MapPrivateOption (seeds M1/M2); the key is the file's path. A partner-only worker
     * ({@link Subjects#partners()}), not a column: it has no lock and keeps its file at detach.
     */
    public static final String FILE_MAP_IMPL = "qt-filemap";
    /** The file-map worker's program: the verified Qt 6.4 binary, started with {@code --key-mode=file-map}. */
    public static final Subject.NativeProgram FILE_MAP_PROGRAM = new Subject.NativeProgram() {
        @Override
        public Path binary() {
            return PROGRAM.binary();
        }

        @Override
        public Path copyFor(Path dir) {
            return PROGRAM.copyFor(dir);
        }

        @Override
        public String provenance() {
            return PROGRAM.provenance() + "; started with --key-mode=file-map";
        }

        @Override
        public boolean forksWorkers() {
            return true;
        }

        @Override
        public java.util.List<String> arguments() {
            return java.util.List.of("--key-mode=file-map");
        }
    };
    private static Availability availability;
    private static Path binary;
    private static String binaryHash;

    private QtReferenceWorker() {
    }

    public static synchronized Availability availability() {
        if (availability == null) {
            Built built = build();
            binary = built.binary();
            binaryHash = built.hash();
            availability = built.availability();
        }
        return availability;
    }

    /** What one build gave: the worker's availability and, when available, its verified binary and that binary's hash. */
    record Built(Availability availability, Path binary, String hash) {
        static Built no(String why) {
            return new Built(Availability.no(why), null, null);
        }

        /** A compiler that did not end in its bound: no evidence that Qt or g++ is missing (Availability's UNDECIDED). */
        static Built undecided(String why) {
            return new Built(Availability.undecided(why), null, null);
        }
    }

    /** The verified binary in the private cache (for workers running as this user). */
    public static synchronized Path binary() {
        if (!availability().available()) {
            throw new IllegalStateException("Qt reference worker not available: " + availability.reason());
        }
        verify(binary, binaryHash);
        return binary;
    }

    /**
     * A verified copy in {@code dir} (made 0755, ours) for a worker running as another user, who
     * cannot enter the private cache: readable and executable by it, writable by nobody but us.
     */
    static synchronized Path copyFor(Path dir) {
        Path source = binary();
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                PrivateDirectory.createFresh(dir, "rwxr-xr-x");
            }
            PrivateDirectory.verify(dir, PrivateDirectory.myUid(), "rwxr-xr-x");
            Path copy = dir.resolve(BINARY_NAME);
            if (!Files.exists(copy, LinkOption.NOFOLLOW_LINKS)) {
                Files.copy(source, copy, LinkOption.NOFOLLOW_LINKS);
                PrivateDirectory.setMode(copy, "rwxr-xr-x");
            }
            verify(copy, binaryHash);
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the Qt worker to " + dir, e);
        }
    }

    /** Builds (or finds built) the worker in this state directory's cache; the caller keeps what it gave. */
    static Built build() {
        try {
            byte[] source = resource("qt_shm_worker.cpp");
            byte[] script = resource("build.sh");
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(source);
            sha.update(script);
            String hash = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
            Path cache = RunContext.cacheDir();
            Path dir = cache.resolve("qt-worker-" + hash);
            if (!isBuilt(dir)) {
                ToolRun failed = buildInto(cache, dir, hash, source, script);
                if (failed != null) {
                    String why = "cannot build the Qt worker: " + lastLine(failed.output().trim());
                    return failed.timedOut() ? Built.undecided(why) : Built.no(why);
                }
            }
            PrivateDirectory.verify(dir, PrivateDirectory.myUid(), "rwx------");
            Path exe = dir.resolve(BINARY_NAME);
            String expected = Files.readString(dir.resolve(HASH_FILE)).trim();
            verify(exe, expected);
            return new Built(Availability.yes(), exe, expected);
        } catch (IOException | java.io.UncheckedIOException | java.security.NoSuchAlgorithmException | IllegalStateException e) {
            return Built.no("cannot build the Qt worker: " + e.getMessage());
        }
    }

    private static final String HASH_FILE = BINARY_NAME + ".sha256";

    /** A finished build's directory: it has the hash file, which is written last, before the directory is renamed in. */
    private static boolean isBuilt(Path dir) {
        return Files.isRegularFile(dir.resolve(HASH_FILE), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Builds in a fresh directory of the cache and renames it to {@code dir} only once it holds the binary and its hash:
     * runs of one state directory may build at once (two did, on a new source: the second's hash file already existed,
     * and its Qt column was NOT_AVAILABLE), and a compiler left by a killed harness writes only into its own directory.
     *
     * @return null once {@code dir} holds a finished build (this one's or another run's), else the build that failed
     */
    private static ToolRun buildInto(Path cache, Path dir, String hash, byte[] source, byte[] script) throws IOException {
        Path partial = Files.createTempDirectory(cache, "qt-worker-" + hash + PARTIAL); // 0700, a fresh name
        try {
            writeNew(partial.resolve("qt_shm_worker.cpp"), source);
            writeNew(partial.resolve("build.sh"), script);
            Path exe = partial.resolve(BINARY_NAME);
            // Up to a minute of g++ the first time: say so, on stderr, so the console is not silent meanwhile.
            long started = System.nanoTime();
            System.err.println("shmconform: building the Qt reference worker (g++ against Qt, once per worker source; up to a minute)...");
            ProcessBuilder compile = new ProcessBuilder(org.shmconform.engine.launch.SystemTools.path("bash"), "build.sh",
                    exe.toString()).directory(partial.toFile());
            compile.environment().put("PATH", org.shmconform.engine.launch.SystemTools.trustedPath()); // g++, pkg-config: the system's
            ToolRun built = ToolRun.merged(compile, Duration.ofSeconds(180));
            boolean ok = built.ok() && Files.isRegularFile(exe, LinkOption.NOFOLLOW_LINKS);
            System.err.printf("shmconform: Qt reference worker build %s after %.0f s%n", ok ? "done" : "failed",
                    (System.nanoTime() - started) / 1e9);
            if (!ok) {
                return isBuilt(dir) ? null : built;
            }
            writeNew(partial.resolve(HASH_FILE), FileDigests.sha256(exe).getBytes(StandardCharsets.US_ASCII));
            return placeBuilt(partial, dir) ? null : new ToolRun(1, "could not rename " + partial + " to " + dir, "");
        } finally {
            if (Files.exists(partial, LinkOption.NOFOLLOW_LINKS)) {
                PrivateDirectory.deleteTree(partial); // another run's build was renamed in first, or this one failed
            }
        }
    }

    /** The name part of a build directory not yet renamed into place (a killed harness's is removed with old archives). */
    static final String PARTIAL = ".part-";

    /**
     * Renames the finished build to {@code dir}; where {@code dir} exists, another run's finished build is kept, and an
     * unfinished one (no hash file: an earlier version built in place and was interrupted) is removed first.
     */
    private static boolean placeBuilt(Path partial, Path dir) throws IOException {
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                Files.move(partial, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                return true;
            } catch (java.nio.file.FileSystemException e) {
                if (isBuilt(dir)) {
                    return true;
                }
                if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                    throw e;
                }
                PrivateDirectory.deleteTree(dir); // never follows a link
            }
        }
        return isBuilt(dir);
    }

    /** lstat: a regular file owned by us, writable by nobody else; then its SHA-256 must be the recorded one. */
    static void verify(Path exe, String expectedSha256) {
        try {
            FileDigests.verifyOurs(exe, expectedSha256, "the Qt worker", "recorded when it was built", "not executed");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + exe, e);
        }
    }

    private static void writeNew(Path file, byte[] content) throws IOException {
        Files.write(file, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        PrivateDirectory.setMode(file, "rw-------");
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = QtReferenceWorker.class.getResourceAsStream("/qt-worker/" + name)) {
            if (in == null) {
                throw new IOException("qt-worker/" + name + " is not in the harness jar");
            }
            return in.readAllBytes();
        }
    }

    private static String lastLine(String text) {
        String[] lines = text.split("\n");
        return lines.length == 0 ? "(no output)" : lines[lines.length - 1];
    }
}
