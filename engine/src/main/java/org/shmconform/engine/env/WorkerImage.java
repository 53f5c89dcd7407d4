package org.shmconform.engine.env;

import org.shmconform.engine.launch.ToolRun;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.shmconform.backends.host.NativeAccess;

/**
 * The container worker image, built offline by docker/build-worker-image.sh (shipped inside the
 * harness jar as a resource). The image holds a jlink'ed copy of this JDK and JNA's native library
 * but no project jars (those are bind-mounted), so it is built once per JDK and JNA version.
 */
public final class WorkerImage {
    public static final String SCRIPT = "build-worker-image.sh";
    private static String tag;
    private static String failure;
    /** Why the build did not finish, when it ran out of time (the environments' probes are then UNDECIDED). */
    private static String undecided;
    private static long buildMillis = -1;

    /** The script's exit status when another build held the lock past its wait (EX_TEMPFAIL). */
    static final int WAITED_TOO_LONG = 75;

    private WorkerImage() {
    }

    /** The build (or the wait for another's) ran out of time: no word on whether the image can be built here. */
    static final class Undecided extends IOException {
        Undecided(String message) {
            super(message);
        }
    }

    /** The image tag, building it if needed (about 7 s the first time); throws with the reason otherwise. */
    static synchronized String tag() throws IOException {
        if (tag == null && failure == null && undecided == null) {
            long start = System.nanoTime();
            Path script = extractScript();
            try {
                ProcessBuilder pb = new ProcessBuilder(org.shmconform.engine.launch.SystemTools.path("bash"), script.toString(),
                        "--jna-jar", jnaJar().toString(),
                        "--lock", org.shmconform.engine.state.StateDirectory.cache().resolve("worker-image.lock").toString());
                // The script finds tar, ldd and the tools it copies into the image by name, as root: only in the system's own
                // directories, never in one on the caller's PATH that another user may write. Its JDK is the one running
                // this harness (and its local workers), not whichever java comes first on a PATH.
                pb.environment().put("PATH", org.shmconform.engine.launch.SystemTools.trustedPath());
                pb.environment().put("JDK_HOME", System.getProperty("java.home"));
                ToolRun build = ToolRun.merged(pb, Duration.ofMinutes(5));
                if (build.ok()) {
                    tag = build.lastLine();
                    buildMillis = (System.nanoTime() - start) / 1_000_000;
                } else if (build.timedOut() || build.exitCode() == WAITED_TOO_LONG) {
                    // Remembered like a failure, so that the three Docker environments do not each wait their 5 minutes.
                    undecided = "worker image build did not finish: " + build.output().strip().replace('\n', ' ');
                } else {
                    failure = "worker image build failed: " + build.output().strip().replace('\n', ' ');
                }
            } finally {
                Files.deleteIfExists(script);
            }
        }
        if (undecided != null) {
            throw new Undecided(undecided);
        }
        if (failure != null) {
            throw new IOException(failure);
        }
        return tag;
    }

    /** How long {@link #tag()} took when it ran the script (a few ms when the image existed); -1 before. */
    static synchronized long buildMillis() {
        return buildMillis;
    }

    /** The JNA jar this harness runs with: the image's libjnidispatch.so must match it exactly. */
    static Path jnaJar() {
        return NativeAccess.libraryJar();
    }

    private static Path extractScript() throws IOException {
        // In the private cache, never in a directory another user can write: it is executed as root.
        Path file = Files.createTempFile(org.shmconform.engine.state.StateDirectory.cache(), "shmconform-", "-" + SCRIPT,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (InputStream in = WorkerImage.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new UncheckedIOException(new IOException(SCRIPT + " is missing from the harness jar"));
            }
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }
}
