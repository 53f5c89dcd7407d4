package org.shmconform.backends.memfd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.shmconform.backends.testsupport.TrackedResources;

/**
 * A test's own directory for a hand-over to another user, never in /tmp:
 * {@code /run/shmconform-share/shmcftest-handover-<letters>/}, 0711 and ours (the peer can reach
 * the socket in it by name, cannot list or write it), holding {@code cp/} (0755/0644 copies of the
 * class path entries the peer needs: it cannot enter /root/.m2 or the build directory's parents)
 * and one private scratch directory per peer user (java.io.tmpdir, where JNA unpacks its library).
 * Removed with everything in it by {@link #close}.
 */
final class HandOverRoot implements AutoCloseable {
    private static final Path SHARE = Path.of("/run/shmconform-share");
    private final Path root;
    private final List<Path> classPath = new ArrayList<>();

    HandOverRoot() throws IOException {
        Files.createDirectories(SHARE);
        root = Files.createDirectory(SHARE.resolve("shmcftest-handover-" + TrackedResources.randomLetters(10)));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        Path cp = Files.createDirectory(root.resolve("cp"));
        Files.setPosixFilePermissions(cp, PosixFilePermissions.fromString("rwxr-xr-x"));
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path from = Path.of(entry);
            String name = from.getFileName().toString();
            // Class directories (mvn test) or the modules' jars (mvn verify: the reactor hands out packaged jars), and JNA.
            if (Files.isDirectory(from) || name.startsWith("jna-") || name.startsWith("shmconform-")) {
                Path to = cp.resolve((n++) + "-" + from.getFileName());
                copyReadable(from, to);
                classPath.add(to);
            }
        }
    }

    Path path() {
        return root;
    }

    String classPath() {
        return String.join(java.io.File.pathSeparator, classPath.stream().map(Path::toString).toList());
    }

    /** A 0700 directory owned by {@code uid} for that user's JVM to write in. */
    Path scratchFor(int uid) throws IOException {
        Path dir = root.resolve("scratch-" + uid);
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            Files.setAttribute(dir, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        }
        return dir;
    }

    /** {@code java ... HandOverPeer args}, as {@code uid} through setpriv, with its own scratch directory. */
    List<String> peerCommand(int uid, List<String> args) throws IOException {
        Path scratch = scratchFor(uid);
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid", Integer.toString(uid), "--regid",
                Integer.toString(uid), "--clear-groups", "--",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // -UsePerfData: else the JVM makes /tmp/hsperfdata_<that user>, which outlives the test.
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-XX:-CreateCoredumpOnCrash", "-XX:-UsePerfData",
                "-XX:ErrorFile=" + scratch.resolve("hs_err_%p.log"), "-Djava.io.tmpdir=" + scratch, "-Djna.tmpdir=" + scratch,
                "-Duser.home=" + scratch, "-cp", classPath(), HandOverPeer.class.getName()));
        command.addAll(args);
        return command;
    }

    private static void copyReadable(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                    Files.setPosixFilePermissions(dest, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else {
                    Files.copy(p, dest, LinkOption.NOFOLLOW_LINKS);
                    Files.setPosixFilePermissions(dest, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
