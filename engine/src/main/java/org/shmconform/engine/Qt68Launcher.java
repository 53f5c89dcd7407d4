package org.shmconform.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.shmconform.engine.launch.ToolRun;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * qt-worker/qt68_launch.c compiled with the host's {@code cc} into the private cache: the Qt 6.8 workers' launcher in
 * one process (what run-in-qt68-root.sh does with about ten execs: 90 ms and 95 ms of CPU per start against 21 ms and
 * 25 ms, 20 starts each, measured here). Compiled once per source; the binary's SHA-256 is recorded then and checked,
 * with lstat, before every use ({@link WorkerClassPath#verify}), as the Qt worker's is. Where there is no compiler,
 * or the compile fails, {@link #compiled()} is null and the workers start through the script, as before.
 */
final class Qt68Launcher {
    static final String SOURCE = "qt68_launch.c";
    private static final String NAME = "qt68-launch";
    private static Path exe;
    private static String exeSha256;
    private static String unavailable;

    private Qt68Launcher() {
    }

    /** What a build writes under a fresh name before it renames or removes it: the source, the compiler's output, the hash. */
    private static final String SOURCE_PART_PREFIX = "qt68_launch-";
    private static final String SOURCE_PART_SUFFIX = ".c";
    private static final String PART = ".part";

    /** The build directories in the cache ({@code qt68-launch-<hash of the source>}). */
    static final String DIRECTORY_GLOB = NAME + "-*";

    /**
     * Removes what a build killed with its harness left in the launcher's build directory {@code dir} (in the private
     * cache), an hour after it was last written: the source copy ({@code qt68_launch-*.c}), the compiler's output
     * ({@code qt68-launch-*.part}) and the hash ({@code qt68-launch*.sha256.part}), written under fresh names and renamed
     * or removed only by a build that ran to its end; before, they stayed for good (UnfinishedCacheEntriesTest). Only
     * regular files with those names, by lstat: a link is neither followed nor removed, and {@code dir} must be a real
     * directory of this user's. A younger one may be another harness's build at work.
     *
     * @return the files removed
     */
    static List<Path> removeUnfinished(Path dir, long nowMillis) {
        List<Path> removed = new ArrayList<>();
        long hourAgo = nowMillis - TimeUnit.HOURS.toMillis(1);
        try {
            if (!PrivateDirectory.lstat(dir).isDirectory() || PrivateDirectory.uidOf(dir) != PrivateDirectory.myUid()) {
                return removed;
            }
        } catch (RuntimeException e) {
            return removed;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "{" + SOURCE_PART_PREFIX + "*" + SOURCE_PART_SUFFIX + ","
                + NAME + "-*" + PART + "," + NAME + "*.sha256" + PART + "}")) {
            for (Path f : files) {
                PosixFileAttributes a = PrivateDirectory.lstat(f);
                if (a.isRegularFile() && a.lastModifiedTime().toMillis() < hourAgo && Files.deleteIfExists(f)) {
                    removed.add(f);
                }
            }
        } catch (IOException | RuntimeException e) {
            // what cannot be listed or read stays for the next clean-up
        }
        return removed;
    }

    /** The checked launcher, or null (then {@link #whyNot()} says why) where it cannot be built here. */
    static synchronized Path compiled() {
        if (exe != null && (!exe.startsWith(RunContext.cacheDir()) || !Files.exists(exe, LinkOption.NOFOLLOW_LINKS))) {
            exe = null; // another state directory, or a cache emptied meanwhile: build it again there
        }
        if (exe == null && unavailable == null) {
            build();
        }
        if (exe == null) {
            return null;
        }
        try {
            WorkerClassPath.verify(exe, exeSha256);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + exe, e);
        }
        return exe;
    }

    /** Why the script is used instead; null when the compiled launcher is. */
    static synchronized String whyNot() {
        compiled();
        return unavailable;
    }

    private static void build() {
        try {
            byte[] source;
            try (InputStream in = Qt68Launcher.class.getResourceAsStream("/qt-worker/" + SOURCE)) {
                if (in == null) {
                    unavailable = "qt-worker/" + SOURCE + " is not in the harness jar";
                    return;
                }
                source = in.readAllBytes();
            }
            String hash = WorkerClassPath.sha256(source).substring(0, 16);
            Path dir = PrivateDirectory.ensure(RunContext.cacheDir().resolve(NAME + "-" + hash), "rwx------");
            Path binary = dir.resolve(NAME);
            Path hashFile = dir.resolve(NAME + ".sha256");
            if (!Files.exists(hashFile, LinkOption.NOFOLLOW_LINKS)) {
                removeUnfinished(dir, System.currentTimeMillis()); // a killed build's, before this one adds its own
                // Fresh names for everything written, then renamed: nothing planted in the directory is opened or run.
                Path src = Files.createTempFile(dir, SOURCE_PART_PREFIX, SOURCE_PART_SUFFIX);
                Files.write(src, source);
                Path out = dir.resolve(NAME + "-" + RunContext.letters(8) + PART);
                ProcessBuilder compile = new ProcessBuilder(org.shmconform.engine.launch.SystemTools.path("cc"), "-O2", "-Wall",
                        "-o", out.toString(), src.toString());
                compile.environment().put("PATH", org.shmconform.engine.launch.SystemTools.trustedPath()); // as, ld: the system's
                ToolRun compiled = ToolRun.merged(compile, Duration.ofSeconds(120));
                String said = compiled.output().trim();
                boolean ok = compiled.ok() && Files.isRegularFile(out, LinkOption.NOFOLLOW_LINKS);
                Files.deleteIfExists(src);
                if (!ok) {
                    Files.deleteIfExists(out);
                    unavailable = "cc could not compile " + SOURCE + ": " + (said.isEmpty() ? "no output" : said.lines().reduce((a, b) -> b).orElse(""));
                    return;
                }
                Files.move(out, binary, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                Path sha = Files.createTempFile(dir, NAME, ".sha256" + PART);
                Files.writeString(sha, WorkerClassPath.sha256(Files.readAllBytes(binary)), StandardCharsets.US_ASCII);
                Files.move(sha, hashFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            exeSha256 = Files.readString(hashFile, StandardCharsets.US_ASCII).trim();
            WorkerClassPath.verify(binary, exeSha256);
            exe = binary;
        } catch (IOException | java.io.UncheckedIOException e) {
            unavailable = e.getMessage().contains(" not found as a root-owned program")
                    ? "no C compiler (cc) here" : "cannot build " + NAME + ": " + e.getMessage();
        }
    }
}
