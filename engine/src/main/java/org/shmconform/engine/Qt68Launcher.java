package org.shmconform.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
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
                // Fresh names for everything written, then renamed: nothing planted in the directory is opened or run.
                Path src = Files.createTempFile(dir, "qt68_launch-", ".c");
                Files.write(src, source);
                Path out = dir.resolve(NAME + "-" + RunContext.letters(8) + ".part");
                ProcessBuilder compile = new ProcessBuilder(org.shmconform.engine.launch.SystemTools.path("cc"), "-O2", "-Wall",
                        "-o", out.toString(), src.toString()).redirectErrorStream(true);
                compile.environment().put("PATH", org.shmconform.engine.launch.SystemTools.trustedPath()); // as, ld: the system's
                Process p = compile.start();
                String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                boolean ok = p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0
                        && Files.isRegularFile(out, LinkOption.NOFOLLOW_LINKS);
                Files.deleteIfExists(src);
                if (!ok) {
                    p.destroyForcibly();
                    Files.deleteIfExists(out);
                    unavailable = "cc could not compile " + SOURCE + ": " + (said.isEmpty() ? "no output" : said.lines().reduce((a, b) -> b).orElse(""));
                    return;
                }
                Files.move(out, binary, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                Path sha = Files.createTempFile(dir, NAME, ".sha256.part");
                Files.writeString(sha, WorkerClassPath.sha256(Files.readAllBytes(binary)), StandardCharsets.US_ASCII);
                Files.move(sha, hashFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            exeSha256 = Files.readString(hashFile, StandardCharsets.US_ASCII).trim();
            WorkerClassPath.verify(binary, exeSha256);
            exe = binary;
        } catch (IOException | java.io.UncheckedIOException e) {
            unavailable = e.getMessage().contains("Cannot run program") || e.getMessage().contains(" not found as a root-owned program")
                    ? "no C compiler (cc) here" : "cannot build " + NAME + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unavailable = "interrupted while compiling " + SOURCE;
        }
    }
}
