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
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import org.shmconform.spi.Availability;
import org.shmconform.engine.launch.SystemTools;
import org.shmconform.engine.launch.ToolRun;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * The Qt 6.8 worker: the same qt-worker/qt_shm_worker.cpp, compiled inside a Debian 13 (trixie)
 * root against Debian's Qt 6.8 by qt-worker/build-qt68-root.sh, and started in that root by
 * qt-worker/run-in-qt68-root.sh (a private mount namespace, the host's IPC namespace, /dev, /proc,
 * TMPDIR and XDG_RUNTIME_DIR bound in, chroot; every step an exec, so the harness's child is the worker).
 *
 * <p>The root lives in {@code <cache>/qt68/}, where {@code <cache>} is {@value #CACHE_PROPERTY} if set,
 * else {@code /var/cache/shmconform} (root's, 0700, lstat-checked): the root is about 930 MB and takes
 * minutes to build, so it is kept on disk rather than in /run, which is a RAM-backed tmpfs on most
 * hosts and is emptied at every boot. The scripts travel in the harness jar and are copied into the
 * cache before they run: nothing is executed from a place another user can write. The worker binary's
 * SHA-256, recorded by the build, is checked before every use.
 *
 * <p>{@link #availability()} only looks (milliseconds); {@link #build()} builds what is missing or
 * stale (about 3-5 minutes cold, a second when up to date).
 */
public final class Qt68Root {
    public static final String CACHE_PROPERTY = "shmconform.qt68.cache";
    static final Path DEFAULT_CACHE = Path.of("/var/cache/shmconform");
    static final String BUILD_SCRIPT = "build-qt68-root.sh";
    static final String LAUNCHER = "run-in-qt68-root.sh";
    /** Sourced by the build script: the one function that enters the root. */
    static final String IN_ROOT = "in-root.sh";
    static final String SOURCE = "qt_shm_worker.cpp";
    /** Exit status of {@code build-qt68-root.sh --check} when the root is not built (or stale). */
    static final int NOT_BUILT = 10;
    private static final String WORKER_IN_ROOT = "/opt/shmconform/qt_shm_worker";

    /** What the protocol's {@code key} is handed to Qt as (the worker's {@code --key-mode}). */
    public enum KeyMode {
        /** {@code setKey(key)}: Qt 6.8's default legacy key (System V on Debian), the same call Qt 6.4 makes. */
        LEGACY("legacy"),
        /** {@code setNativeKey(key)}: key is the native key itself, of the default type (System V on Debian). */
        NATIVE("native"),
        /** {@code setNativeKey(QSharedMemory::legacyNativeKey(key, SystemV))}: the key Qt 6.4 derives, typed. */
        LEGACY_SYSV("legacy-sysv"),
        /** {@code setNativeKey(QSharedMemory::legacyNativeKey(key, PosixRealtime))}: a QT_POSIX_IPC build's names. */
        LEGACY_POSIX("legacy-posix"),
        /** {@code setNativeKey(QSharedMemory::platformSafeKey(key, SystemV))}. */
        SAFE_SYSV("safe-sysv"),
        /** {@code setNativeKey(QSharedMemory::platformSafeKey(key, PosixRealtime))}. */
        SAFE_POSIX("safe-posix"),
        /** {@code setNativeKey(QNativeIpcKey(key, SystemV))}: key is the ftok file itself. */
        NATIVE_SYSV("native-sysv"),
        /** {@code setNativeKey(QNativeIpcKey(key, PosixRealtime))}: key is the shm_open name itself. */
        NATIVE_POSIX("native-posix");

        private final String argument;

        KeyMode(String argument) {
            this.argument = argument;
        }

        /** The worker's command-line argument for this mode. */
        public String argument() {
            return "--key-mode=" + argument;
        }

        public String label() {
            return argument;
        }
    }

    /** Where the root is, once built: the root directory, the launcher, the worker's recorded SHA-256. */
    public record Located(Path root, Path launcher, String workerSha256) {
    }

    private static Located located;
    private static long lastBuildMillis = -1;

    private Qt68Root() {
    }

    /** The cache directory holding {@code qt68/} (made 0700 if missing; lstat-checked). */
    public static Path cacheDir() {
        String set = System.getProperty(CACHE_PROPERTY);
        Path dir = set == null || set.isBlank() ? DEFAULT_CACHE : Path.of(set);
        return PrivateDirectory.ensure(dir, "rwx------");
    }

    /** Whether the root is built and up to date here, without building it; the reason and the fixing command if not. */
    public static synchronized Availability availability() {
        return run(true);
    }

    /** Builds (or updates) the root and the worker in it, waiting for a concurrent build; the reason if it cannot. */
    public static synchronized Availability build() {
        long start = System.nanoTime();
        Availability a = run(false);
        lastBuildMillis = (System.nanoTime() - start) / 1_000_000;
        return a;
    }

    /** How long the last {@link #build()} took, in ms (a second or so when nothing was stale); -1 before. */
    public static synchronized long lastBuildMillis() {
        return lastBuildMillis;
    }

    /** The located root; throws if it is not available (call {@link #availability()} or {@link #build()} first). */
    public static synchronized Located located() {
        if (located == null && !availability().available()) {
            throw new IllegalStateException("the Qt 6.8 root is not available: " + availability().reason());
        }
        return located;
    }

    /**
     * The command that starts a Qt 6.8 worker in {@code mode}: the launcher ({@link Qt68Launcher}'s compiled one, else
     * the script; run as root: it needs
     * unshare and chroot), the root, optionally {@code --userspec=UID:GID} (the worker then runs as
     * that user inside the root; never use {@link WorkerCommand#user()} here, which would drop root
     * before the launcher runs), and the key mode. {@code environment} must hold TMPDIR and should
     * hold XDG_RUNTIME_DIR (platformSafeKey's System V keys live there): both must be under /run or
     * /tmp, and are bound into the root at the same paths. The worker's SHA-256 is checked here.
     */
    public static WorkerCommand command(KeyMode mode, Map<String, String> environment, String userspec) {
        Located at = located();
        Path worker = Path.of(at.root().toString() + WORKER_IN_ROOT);
        QtReferenceWorker.verify(worker, at.workerSha256());
        List<String> args = new ArrayList<>(List.of(at.root().toString()));
        if (userspec != null) {
            if (!userspec.matches("[0-9]+:[0-9]+")) {
                throw new IllegalArgumentException("userspec must be UID:GID in numbers, got " + userspec);
            }
            args.add("--userspec=" + userspec);
        }
        args.add(mode.argument());
        // The compiled launcher does what the script does in one process, and arms the parent-death signal itself; it
        // execs the worker in place, so the worker of the harness's user can also be a fork server of its workers in the
        // root (ForkServers): they then share its mount namespace, whose binds every worker of the command has alike.
        Path compiled = Qt68Launcher.compiled();
        return compiled != null ? new WorkerCommand(compiled, List.copyOf(args), List.of(), Map.copyOf(environment), null, true,
                userspec == null)
                : new WorkerCommand(at.launcher(), List.copyOf(args), List.of(), Map.copyOf(environment), null);
    }

    private static Availability run(boolean checkOnly) {
        if (PrivateDirectory.myUid() != 0) {
            return Availability.no("the Qt 6.8 root needs root (debootstrap, unshare --mount, chroot): run shmconform as root");
        }
        try {
            Path cache = cacheDir();
            Path scripts = extractScripts(cache);
            // bash and the tools the script runs (debootstrap, chroot, g++) from the system's own directories only.
            List<String> argv = new ArrayList<>(List.of(SystemTools.path("bash"), scripts.resolve(BUILD_SCRIPT).toString()));
            if (checkOnly) {
                argv.add("--check");
            }
            argv.add(cache.toString());
            ProcessBuilder build = new ProcessBuilder(argv).directory(scripts.toFile());
            build.environment().put("PATH", SystemTools.trustedPath());
            // The build's progress (stderr) apart from the one line it answers with (stdout): the root's path.
            ToolRun r = ToolRun.separate(build, Duration.ofMinutes(30));
            if (r.timedOut()) {
                return Availability.undecided((checkOnly ? "checking" : "building") + " the Qt 6.8 root did not end in 30 minutes: bash "
                        + scripts.resolve(BUILD_SCRIPT) + (checkOnly ? " --check " : " ") + cache);
            }
            if (!r.ok()) {
                return Availability.no(lastLine(r.errors()) + " (exit " + r.exitCode() + ")");
            }
            Path root = Path.of(lastLine(r.output().trim()));
            Path qt68 = cache.resolve("qt68");
            PrivateDirectory.verify(qt68, 0, "rwx------");
            if (!root.equals(qt68.resolve("root"))) {
                return Availability.no("the build script named an unexpected root " + root);
            }
            String sha = Files.readString(qt68.resolve("worker.sha256"), StandardCharsets.US_ASCII).trim();
            located = new Located(root, scripts.resolve(LAUNCHER), sha);
            return Availability.yes();
        } catch (IOException | RuntimeException e) {
            return Availability.no("cannot use the Qt 6.8 root: " + e.getMessage());
        }
    }

    /**
     * Copies the four files from the jar into {@code <cache>/qt68-scripts-<hash>/} (0700), once per
     * version of them; a directory whose files do not match the jar's is rewritten.
     */
    private static Path extractScripts(Path cache) throws IOException {
        String[] names = {BUILD_SCRIPT, IN_ROOT, LAUNCHER, SOURCE};
        byte[][] contents = new byte[names.length][];
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < names.length; i++) {
            contents[i] = resource(names[i]);
            sha.update(contents[i]);
        }
        String hash = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        Path dir = PrivateDirectory.ensure(cache.resolve("qt68-scripts-" + hash), "rwx------");
        for (int i = 0; i < names.length; i++) {
            Path file = dir.resolve(names[i]);
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                if (PrivateDirectory.lstat(file).isRegularFile()
                        && java.util.Arrays.equals(Files.readAllBytes(file), contents[i])) {
                    continue;
                }
                Files.delete(file); // not what the jar holds (an interrupted copy): rewritten
            }
            Files.write(file, contents[i], StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            PrivateDirectory.setMode(file, names[i].endsWith(".sh") ? "rwx------" : "rw-------");
        }
        return dir;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = Qt68Root.class.getResourceAsStream("/qt-worker/" + name)) {
            if (in == null) {
                throw new UncheckedIOException(new IOException("qt-worker/" + name + " is not in the harness jar"));
            }
            return in.readAllBytes();
        }
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines.length == 0 || lines[lines.length - 1].isBlank() ? "(no output)" : lines[lines.length - 1];
    }
}
