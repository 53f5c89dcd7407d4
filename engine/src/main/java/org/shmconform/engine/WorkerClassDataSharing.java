package org.shmconform.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * An AppCDS archive of the worker's classes, dumped once per class path and JDK: a worker then
 * starts in about half the time (0.18 s instead of 0.38 s here), which is most of a scenario's cost
 * on two cores. Only for class paths made of jars ({@link WorkerClassPath} packs a reactor's class
 * directories into jars for this); a class path with directories simply runs without.
 */
final class WorkerClassDataSharing {
    private static final Object LOCK = new Object();

    private WorkerClassDataSharing() {
    }

    /** JVM options that use the archive, dumping it first if needed; empty when it cannot be had. */
    static List<String> options(Path java, List<String> jvmOptions, List<Path> classPath, String mainClass, String backend) {
        if (classPath.isEmpty() || classPath.stream().anyMatch(Files::isDirectory)) {
            return List.of();
        }
        synchronized (LOCK) {
            try {
                Path cache = RunContext.cacheDir(); // lstat-checked, ours, 0700: nothing another user can plant
                Path archive = cache.resolve("worker-" + fingerprint(java, classPath) + ".jsa");
                if (!Files.isRegularFile(archive, LinkOption.NOFOLLOW_LINKS)
                        && !dump(java, jvmOptions, classPath, mainClass, backend, cache, archive)) {
                    return List.of();
                }
                return List.of("-XX:SharedArchiveFile=" + archive);
            } catch (IOException e) {
                return List.of();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }
    }

    private static boolean dump(Path java, List<String> jvmOptions, List<Path> classPath, String mainClass, String backend,
                                Path cache, Path archive) throws IOException, InterruptedException {
        Path partial = Files.createTempFile(cache, "worker-", ".jsa.part");
        List<String> argv = new ArrayList<>(List.of(java.toString(), "-XX:ArchiveClassesAtExit=" + partial));
        argv.addAll(jvmOptions);
        argv.addAll(List.of("-cp", String.join(":", classPath.stream().map(Path::toString).toList()), mainClass, backend));
        // Several seconds once per build of the harness: say so, on stderr, so the console is not silent meanwhile.
        System.err.println("shmconform: preparing the Java worker's class-data archive (once per build of the harness)...");
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().write("{\"seq\":1,\"op\":\"exit\"}\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        boolean ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.size(partial) > 0;
        if (ok) {
            List<Path> inUse = new ArrayList<>(classPath);
            inUse.addAll(org.shmconform.engine.env.DockerEnvironment.archivesInUse());
            forgetOldArchives(cache, inUse);
            Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } else {
            p.destroyForcibly();
            Files.deleteIfExists(partial);
        }
        return ok;
    }

    /**
     * Archives (3 MB each, the host's and the worker image's), class jars and extracted worker jars of earlier builds go after an hour,
     * except what {@code inUse} names, and only while no other run of this state directory lives: its
     * workers start from them. Measured: a {@code shmconform run} of one build beside {@code ./mvnw -B
     * verify} of another ended UNKNOWN on mmapfile / ipcns / {@code placement-dev-shm}, both workers
     * "Could not find or load main class org.shmconform.worker.WorkerMain", the verify's new archive having
     * removed the run's worker jars, made more than an hour before.
     */
    private static void forgetOldArchives(Path cache, List<Path> inUse) throws IOException {
        if (!anotherRunLives()) {
            forgetOldArchives(cache, inUse, System.currentTimeMillis());
        }
    }

    /** Whether a run of this state directory that is not this JVM's holds its lock. */
    static boolean anotherRunLives() throws IOException {
        try (var runs = Files.newDirectoryStream(RunContext.runsRoot())) {
            for (Path run : runs) {
                String id = run.getFileName().toString();
                if (org.shmconform.engine.state.StateDirectory.isRunId(id) && !RunContext.isLiveHere(id) && RunContext.provablyLive(id)) {
                    return true;
                }
            }
        }
        return false;
    }

    static void forgetOldArchives(Path cache, List<Path> inUse, long nowMillis) throws IOException {
        long hourAgo = nowMillis - TimeUnit.HOURS.toMillis(1);
        // The Qt 6.8 launcher's build directories keep their finished binary; what a killed build left in one goes.
        try (var launchers = Files.newDirectoryStream(cache, Qt68Launcher.DIRECTORY_GLOB)) {
            for (Path dir : launchers) {
                Qt68Launcher.removeUnfinished(dir, nowMillis); // lstat: a link named so is not entered
            }
        }
        // With what was never renamed into place because its harness was killed meanwhile: an archive being dumped
        // (worker-*.jsa.part, which "worker-*.jsa" does not match), a Qt worker's build (while g++ ran) and the copy of the
        // worker image's build script (while docker build ran; its run removes it when it ends).
        try (var old = Files.newDirectoryStream(cache, "{worker-*.jsa,worker-*.jsa.part,classes-*.jar,worker-jar-*,"
                + org.shmconform.engine.env.DockerEnvironment.ARCHIVE_PREFIX + "*,qt-worker-*" + QtReferenceWorker.PARTIAL + "*,"
                + "shmconform-*-" + org.shmconform.engine.env.WorkerImage.SCRIPT + "}")) {
            for (Path p : old) {
                if (Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis() >= hourAgo
                        || inUse.stream().anyMatch(u -> u.startsWith(p))) {
                    continue;
                }
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    PrivateDirectory.deleteTree(p); // never follows a link
                } else {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static String fingerprint(Path java, List<Path> classPath) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((java + System.getProperty("java.vm.version")).getBytes(StandardCharsets.UTF_8));
            for (Path p : classPath) {
                sha.update((p + ":" + Files.size(p) + ":" + Files.getLastModifiedTime(p).toMillis()).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
