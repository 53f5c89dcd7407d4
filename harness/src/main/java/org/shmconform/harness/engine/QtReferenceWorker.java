package org.shmconform.harness.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.shmconform.backends.Availability;

/**
 * The Qt 6.4 reference worker (qt-worker/qt_shm_worker.cpp): Qt's own QSharedMemory speaking the
 * worker protocol. Its source travels in the harness jar; it is compiled once per source version
 * with qt-worker/build.sh into a cache directory. Where Qt6Core or g++ is missing, the column is
 * NOT-AVAILABLE-HERE with build.sh's one-line reason.
 */
public final class QtReferenceWorker {
    public static final String IMPL = "qt";
    private static final Path CACHE = RunContext.CACHE;
    private static Availability availability;
    private static Path binary;

    private QtReferenceWorker() {
    }

    public static synchronized Availability availability() {
        if (availability == null) {
            availability = build();
        }
        return availability;
    }

    public static synchronized Path binary() {
        if (!availability().available()) {
            throw new IllegalStateException("Qt reference worker not available: " + availability.reason());
        }
        return binary;
    }

    private static Availability build() {
        try {
            byte[] source = resource("qt_shm_worker.cpp");
            byte[] script = resource("build.sh");
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(source);
            sha.update(script);
            String hash = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
            Path dir = Files.createDirectories(CACHE.resolve("qt-worker-" + hash));
            Path exe = dir.resolve("qt_shm_worker");
            if (!Files.isExecutable(exe)) {
                Files.write(dir.resolve("qt_shm_worker.cpp"), source);
                Files.write(dir.resolve("build.sh"), script);
                Process p = new ProcessBuilder("bash", "build.sh", exe.toString()).directory(dir.toFile())
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0 || !Files.isExecutable(exe)) {
                    return Availability.no("cannot build the Qt worker: " + lastLine(out));
                }
            }
            // Readable and executable by a worker running as another user.
            dir.toFile().setExecutable(true, false);
            exe.toFile().setExecutable(true, false);
            binary = exe;
            return Availability.yes();
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            return Availability.no("cannot build the Qt worker: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Availability.no("interrupted while building the Qt worker");
        }
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
