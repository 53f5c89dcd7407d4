package org.shmconform.engine.env;

import org.shmconform.engine.launch.ToolRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.shmconform.engine.state.PrivateDirectory;
import org.shmconform.engine.state.StateDirectory;

/**
 * An AppCDS archive of the worker's classes for the worker image's own Java runtime, as {@code WorkerClassDataSharing}
 * makes one for the host's: the host's archive does not fit the image's jlink'ed runtime, so workers in containers
 * loaded the worker jar's classes from the jar at each start. Measured in a container of the worker image (10 starts of
 * a posix worker doing ten operations, the container's cgroup cpu.stat, three alternated rounds): 319-343 ms of CPU per
 * start without it, 234-244 ms with it.
 *
 * <p>Dumped once per image, class path and JVM options, by the image's java in a container of its own that sees the
 * worker's jars read-only and a fresh 0700 directory of the private cache read-write; the directory is renamed into
 * place only when it holds nothing but the archive, a regular file. Containers mount it read-only at its host path;
 * only workers of the harness's own user use it (another user cannot read the private cache, as on the host). Where it
 * cannot be made, workers start without it, as before.
 */
final class ContainerClassDataSharing {
    static final String PREFIX = "container-cds-";
    static final String ARCHIVE = "worker.jsa";
    /** This JVM's archives, by what they are made from (empty: tried, and none could be made). */
    private static final Map<Inputs, Optional<Path>> MADE = new ConcurrentHashMap<>();
    private static final Object LOCK = new Object();

    private ContainerClassDataSharing() {
    }

    /** Archive directories this JVM's containers mount: the cache's clean-up keeps them. */
    static List<Path> inUse() {
        return MADE.values().stream().flatMap(Optional::stream).toList();
    }

    /**
     * The directory holding the archive for this worker command in this image, made first if needed; null when it cannot
     * be had (the worker then starts without it).
     *
     * @param javaArguments the image's java's options before the class path, as the worker will get them
     * @param classPath     the worker's jars, mounted at their host paths
     * @param mainAndArgs   the main class and its arguments (the backend)
     */
    static Path directory(String image, List<String> javaArguments, List<Path> classPath, List<String> mainAndArgs,
                          Map<String, String> labels, java.util.function.Supplier<ContainerLifeline> lifeline) {
        // Looked up by what the archive is made from, so a worker's start neither hashes nor lstats the jars again; the
        // cache directory in the key because a test may give this JVM another state directory.
        Inputs inputs = new Inputs(StateDirectory.cache(), image, List.copyOf(javaArguments), List.copyOf(classPath));
        synchronized (LOCK) {
            Optional<Path> known = MADE.get(inputs);
            if (known != null && known.isEmpty()) {
                return null;
            }
            if (known != null && holdsOnlyTheArchive(known.get())) {
                return known.get(); // still there: a cache emptied by hand would make docker refuse the mount
            }
            Path made = make(inputs, mainAndArgs, labels, lifeline);
            MADE.put(inputs, Optional.ofNullable(made));
            return made;
        }
    }

    /** What an archive is made from: where it is kept, the image, the java options and the class path. */
    private record Inputs(Path cache, String image, List<String> javaArguments, List<Path> classPath) {
    }

    private static Path make(Inputs inputs, List<String> mainAndArgs, Map<String, String> labels,
                             java.util.function.Supplier<ContainerLifeline> lifeline) {
        if (inputs.classPath().isEmpty() || inputs.classPath().stream().anyMatch(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
            return null; // as on the host: class directories cannot be archived
        }
        String fingerprint;
        try {
            fingerprint = fingerprint(inputs.image(), inputs.javaArguments(), inputs.classPath());
        } catch (RuntimeException e) {
            return null; // a jar that cannot be lstat'ed: the worker's start says why
        }
        return findOrDump(fingerprint, inputs.image(), inputs.javaArguments(), inputs.classPath(), mainAndArgs, labels, lifeline);
    }

    private static Path findOrDump(String fingerprint, String image, List<String> javaArguments, List<Path> classPath,
                                   List<String> mainAndArgs, Map<String, String> labels,
                                   java.util.function.Supplier<ContainerLifeline> lifeline) {
        Path cache = StateDirectory.cache(); // lstat-checked, ours, 0700
        Path dir = cache.resolve(PREFIX + fingerprint);
        if (holdsOnlyTheArchive(dir)) {
            return dir;
        }
        Path partial = null;
        try {
            partial = Files.createTempDirectory(cache, PREFIX + fingerprint + ".part-"); // 0700, a fresh name
            System.err.println("shmconform: preparing the worker image's class-data archive (once per build of the harness)...");
            try (GroupContainer c = startDumpContainer(image, classPath, partial, labels, lifeline.get())) {
                List<String> dump = new ArrayList<>(List.of("exec", c.id(), DockerEnvironment.JAVA,
                        "-XX:ArchiveClassesAtExit=" + partial.resolve(ARCHIVE)));
                dump.addAll(javaArguments);
                dump.addAll(List.of("-cp", String.join(":", classPath.stream().map(Path::toString).toList())));
                dump.addAll(mainAndArgs);
                ToolRun run = DockerCli.run(dump); // stdin closed: the worker says hello, reads the end and exits
                if (!run.ok() || !holdsOnlyTheArchive(partial)) {
                    return unavailable(run.ok() ? "the dump left no archive alone in " + partial : run.lastLine());
                }
            }
            Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
            partial = null;
            return dir;
        } catch (IOException | RuntimeException e) {
            // another run renamed its own into place first: use that one
            return holdsOnlyTheArchive(dir) ? dir : unavailable(e.toString());
        } finally {
            if (partial != null) {
                try {
                    PrivateDirectory.deleteTree(partial); // never follows a link
                } catch (RuntimeException e) {
                    // a later clean-up of old archives takes it
                }
            }
        }
    }

    /**
     * The dump's container: the class path read-only, {@code partial} writable, on the environment's {@code lifeline}
     * like its workers' containers. Without one, a harness SIGKILLed during a dump left it running (a 5-minute sleep, and
     * the dumping JVM writing into the cache) until a later run's sweep (ProbeAndDumpContainersDieWithTheHarnessIT).
     */
    static GroupContainer startDumpContainer(String image, List<Path> classPath, Path partial, Map<String, String> labels,
                                             ContainerLifeline lifeline) {
        return GroupContainer.start(image, "private", null, null, labels, Set.copyOf(classPath), Set.of(partial),
                Duration.ofMinutes(5), lifeline);
    }

    /** Said once per build and run, on stderr: the workers in containers start as they did before the archive. */
    private static Path unavailable(String why) {
        System.err.println("shmconform: no class-data archive for the worker image (" + why + "); its workers start without one");
        return null;
    }

    /** A directory of ours, not a link, holding one regular file: the archive, not empty. */
    static boolean holdsOnlyTheArchive(Path dir) {
        try {
            PosixFileAttributes d = PrivateDirectory.lstat(dir);
            if (!d.isDirectory() || PrivateDirectory.uidOf(dir) != PrivateDirectory.myUid()) {
                return false;
            }
            try (var entries = Files.list(dir)) {
                List<Path> all = entries.toList();
                if (all.size() != 1 || !all.get(0).getFileName().toString().equals(ARCHIVE)) {
                    return false;
                }
            }
            PosixFileAttributes a = PrivateDirectory.lstat(dir.resolve(ARCHIVE));
            return a.isRegularFile() && a.size() > 0 && PrivateDirectory.uidOf(dir.resolve(ARCHIVE)) == PrivateDirectory.myUid();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The image, the options and each jar's path, size and mtime (the JVM refuses an archive whose jars changed). */
    private static String fingerprint(String image, List<String> javaArguments, List<Path> classPath) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((image + "\n" + String.join(" ", javaArguments) + "\n").getBytes(StandardCharsets.UTF_8));
            for (Path p : classPath) {
                PosixFileAttributes a = PrivateDirectory.lstat(p);
                sha.update((p + " " + a.size() + " " + a.lastModifiedTime().toMillis() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
