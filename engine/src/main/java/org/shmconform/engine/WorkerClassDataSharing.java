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
import org.shmconform.backends.mmapfile.MmapFileBackend;
import org.shmconform.spi.Args;
import org.shmconform.spi.Op;
import org.shmconform.worker.protocol.WorkerProtocol;
import org.shmconform.worker.protocol.WorkerProtocol.Request;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * An AppCDS archive of the worker's classes, dumped once per class path and JDK: a worker then
 * starts in about half the time (0.18 s instead of 0.38 s here), which is most of a scenario's cost
 * on two cores. Only for class paths made of jars ({@link WorkerClassPath} packs a reactor's class
 * directories into jars for this); a class path with directories simply runs without.
 */
final class WorkerClassDataSharing {
    private static final Object LOCK = new Object();
    /** The directory a dump's segment lives in, in the cache; one a killed harness left goes with old archives. */
    static final String DUMP_SCRATCH_PREFIX = "worker-dump-";

    private WorkerClassDataSharing() {
    }

    /** JVM options that use the archive, dumping it first if needed; empty when it cannot be had. */
    static List<String> options(Path java, List<String> jvmOptions, List<Path> classPath, String mainClass) {
        if (classPath.isEmpty() || classPath.stream().anyMatch(Files::isDirectory)) {
            return List.of();
        }
        synchronized (LOCK) {
            try {
                Path cache = RunContext.cacheDir(); // lstat-checked, ours, 0700: nothing another user can plant
                Path archive = cache.resolve("worker-" + fingerprint(java, classPath) + ".jsa");
                if (!Files.isRegularFile(archive, LinkOption.NOFOLLOW_LINKS)
                        && !dump(java, jvmOptions, classPath, mainClass, cache, archive)) {
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

    /**
     * The requests the dumping worker serves before it exits: a worker's usual first operations on an mmapfile segment, so
     * the archive holds the classes and lambda forms a worker's first operations load and link (the key's SHA-1,
     * libc's functions, the lock, the replies' values), not only those of its hello. Measured with
     * {@code perf stat}, 60 worker lives of each archive alternated (hello, twelve mmapfile operations, exit): 121.7 ms of
     * CPU a life (median) against 129.3 with the archive of a hello alone, and 100.6 against 108.0 in 40 more. mmapfile
     * because its objects are files in the directory {@link MmapFileBackend#DIR_VARIABLE} names, here one made for the
     * dump and removed after it: no kernel object outside it, whichever column asked for the archive.
     */
    static final String DUMP_REQUESTS = dumpRequests();

    /** {@link #DUMP_REQUESTS}, each line written by the worker protocol's own encoder. */
    private static String dumpRequests() {
        Args key = new Args("archive", 64L, "ReadWrite", null, null, null, null);
        List<Request> requests = List.of(new Request(1, Op.create, key), new Request(2, Op.lock, Args.NONE),
                new Request(3, Op.write, new Args(null, null, null, 0L, null, "6172636869766521", null)),
                new Request(4, Op.unlock, Args.NONE), new Request(5, Op.read, new Args(null, null, null, 0L, 8, null, null)),
                new Request(6, Op.size, Args.NONE), new Request(7, Op.error, Args.NONE), new Request(8, Op.detach, Args.NONE),
                new Request(9, Op.attach, key.withSize(null).withMode("ReadOnly")), new Request(10, Op.isAttached, Args.NONE),
                new Request(11, Op.detach, Args.NONE), new Request(12, Op.exit, Args.NONE));
        StringBuilder lines = new StringBuilder();
        for (Request r : requests) {
            lines.append(WorkerProtocol.encode(r)).append('\n');
        }
        return lines.toString();
    }

    private static boolean dump(Path java, List<String> jvmOptions, List<Path> classPath, String mainClass, Path cache,
                                Path archive) throws IOException, InterruptedException {
        Path partial = Files.createTempFile(cache, "worker-", ".jsa.part");
        Path scratch = Files.createTempDirectory(cache, DUMP_SCRATCH_PREFIX); // 0700 in our cache: the segment's files
        List<String> argv = new ArrayList<>(List.of(java.toString(), "-XX:ArchiveClassesAtExit=" + partial));
        argv.addAll(jvmOptions);
        argv.add("-Djava.io.tmpdir=" + scratch);
        argv.addAll(List.of("-cp", String.join(":", classPath.stream().map(Path::toString).toList()), mainClass, "mmapfile"));
        // Several seconds once per build of the harness: say so, on stderr, so the console is not silent meanwhile.
        System.err.println("shmconform: preparing the Java worker's class-data archive (once per build of the harness)...");
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("TMPDIR", scratch.toString());
        builder.environment().put(MmapFileBackend.DIR_VARIABLE, scratch.toString());
        boolean ok = false;
        Process p = null;
        try {
            p = builder.start();
            p.getOutputStream().write(DUMP_REQUESTS.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.size(partial) > 0;
        } catch (IOException e) {
            // No archive this time (a worker that could not start, or ended before it read its requests): workers start
            // without one, as where none can be had.
        } finally {
            if (p != null && p.isAlive()) {
                p.destroyForcibly().waitFor();
            }
            PrivateDirectory.deleteTree(scratch); // never follows a link
            if (!ok) {
                Files.deleteIfExists(partial); // also when interrupted
            }
        }
        if (ok) {
            List<Path> inUse = new ArrayList<>(classPath);
            inUse.addAll(org.shmconform.engine.env.DockerEnvironment.archivesInUse());
            forgetOldArchives(cache, inUse);
            Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
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
        try (var old = Files.newDirectoryStream(cache, "{worker-*.jsa,worker-*.jsa.part," + DUMP_SCRATCH_PREFIX + "*,classes-*.jar,worker-jar-*,"
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
            // What the dump runs: an archive dumped with other requests (a hello alone, before) is not this one.
            sha.update(DUMP_REQUESTS.getBytes(StandardCharsets.UTF_8));
            for (Path p : classPath) {
                sha.update((p + ":" + Files.size(p) + ":" + Files.getLastModifiedTime(p).toMillis()).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
