package org.shmconform.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.shmconform.backends.host.NativeAccess;
import org.shmconform.engine.state.PrivateDirectory;
import org.shmconform.engine.state.StateDirectory;

/**
 * JNA's native part (libjnidispatch.so) for the Java workers of the harness's own user, written once into the private
 * cache and handed to each worker with {@code -Djna.boot.library.path=<that directory> -Djna.nounpack=true}, as the
 * container image's copy is (docker/README.md). Without it every worker JVM unpacks the library from its jar into
 * {@code ~/.cache/JNA/temp}, outside the state directory, loads that fresh file and unlinks it: a 134 KB executable
 * written per start, and about 17 ms of CPU per start on this machine (20 starts of a sysv worker: 2.65 s of user CPU
 * against 2.31 s with the cached copy, measured twice). The copy is checked as the worker jar is
 * ({@link WorkerClassPath#verify}): a regular file of ours that nobody else can write, with the SHA-256 of the one in the
 * harness's own JNA, so the worker's JNA classes (the same JNA, shaded into the worker jar) find their own version.
 */
final class WorkerNativeDispatch {
    private static final String LIBRARY = NativeAccess.dispatchLibraryName();
    private static Path extracted;

    private WorkerNativeDispatch() {
    }

    /**
     * The JVM options that point a worker at the cached library; none where the harness's JNA carries no such file.
     * Written again when the copy is gone (another state directory, a cache removed by hand): a worker told not to
     * unpack would otherwise find no library at all.
     */
    static List<String> options() {
        Path dir = directory();
        return dir == null ? List.of() : List.of("-Djna.boot.library.path=" + dir, "-Djna.nounpack=true");
    }

    /** The file the workers load, or null when the harness's JNA has none for this platform. */
    static Path library() {
        Path dir = directory();
        return dir == null ? null : dir.resolve(LIBRARY);
    }

    private static synchronized Path directory() {
        if (extracted == null || !extracted.startsWith(StateDirectory.cache())
                || !Files.isRegularFile(extracted.resolve(LIBRARY), LinkOption.NOFOLLOW_LINKS)) {
            extracted = extract();
        }
        return extracted;
    }

    private static Path extract() {
        byte[] library;
        try {
            library = NativeAccess.dispatchLibrary();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read JNA's " + LIBRARY + " from the harness's class path", e);
        }
        if (library == null) {
            return null; // the worker unpacks its own, as before
        }
        String hash = WorkerClassPath.sha256(library);
        Path dir = PrivateDirectory.ensure(StateDirectory.cache().resolve("jna-" + hash.substring(0, 16)), "rwx------");
        Path file = dir.resolve(LIBRARY);
        try {
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                Path partial = Files.createTempFile(dir, "jnidispatch-", ".part"); // 0600, a fresh name
                Files.write(partial, library);
                Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
            }
            WorkerClassPath.verify(file, hash);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JNA's " + LIBRARY + " to " + dir, e);
        }
    }
}
