package org.shmconform.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.shmconform.engine.RunContext;
import org.shmconform.engine.launch.SystemTools;
import org.shmconform.engine.launch.ToolRun;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * The C floors of {@code shmconform bench} ({@code bench_floors.c}, carried in the jar): compiled at
 * bench time with the host's C compiler (root's, from the system's own directories only: {@code SystemTools}) into
 * the private cache, as the Qt worker is; the binary's SHA-256 is recorded when it is built and checked (with lstat:
 * a regular file of ours that nobody else can write) before every run. Without a compiler the floors are
 * NOT_AVAILABLE with the reason.
 */
final class CFloors {
    private static final String SOURCE = "bench_floors.c";
    private static final String BINARY = "bench_floors";
    private static final List<String> COMPILERS = List.of("cc", "gcc", "clang");

    private final Path binary;
    private final String hash;
    private final String unavailable;

    private CFloors(Path binary, String hash, String unavailable) {
        this.binary = binary;
        this.hash = hash;
        this.unavailable = unavailable;
    }

    /** Builds (once per source) or finds the floors program; never throws: a failure is the NOT_AVAILABLE reason. */
    static CFloors prepare() {
        try {
            byte[] source;
            try (InputStream in = CFloors.class.getResourceAsStream(SOURCE)) {
                if (in == null) {
                    return new CFloors(null, null, SOURCE + " is not in this jar");
                }
                source = in.readAllBytes();
            }
            Path cc = compiler();
            if (cc == null) {
                return new CFloors(null, null, "no C compiler (cc, gcc or clang) of root's in " + SystemTools.DIRECTORIES
                        + ": apt-get install gcc");
            }
            String tag = sha256(source).substring(0, 16);
            Path dir = PrivateDirectory.ensure(RunContext.cacheDir().resolve("bench-floors-" + tag), "rwx------");
            Path exe = dir.resolve(BINARY);
            Path hashFile = dir.resolve(BINARY + ".sha256");
            if (!Files.exists(hashFile, LinkOption.NOFOLLOW_LINKS)) {
                for (String name : new String[] {BINARY, SOURCE, BINARY + ".tmp"}) {
                    Files.deleteIfExists(dir.resolve(name)); // nothing trusted here yet: start over
                }
                Files.write(dir.resolve(SOURCE), source, StandardOpenOption.CREATE_NEW, LinkOption.NOFOLLOW_LINKS);
                ProcessBuilder compile = new ProcessBuilder(cc.toString(), "-O2", "-o", BINARY + ".tmp", SOURCE)
                        .directory(dir.toFile());
                compile.environment().put("PATH", SystemTools.trustedPath()); // as, ld: the system's
                ToolRun compiled = ToolRun.merged(compile, Duration.ofSeconds(120));
                if (!compiled.ok()) {
                    return new CFloors(null, null, cc + " could not compile " + SOURCE + ": " + compiled.output().trim().lines()
                            .reduce((a, b) -> b).orElse(""));
                }
                Files.move(dir.resolve(BINARY + ".tmp"), exe, StandardCopyOption.ATOMIC_MOVE);
                Files.write(hashFile, sha256(Files.readAllBytes(exe)).getBytes(StandardCharsets.US_ASCII),
                        StandardOpenOption.CREATE_NEW, LinkOption.NOFOLLOW_LINKS);
            }
            return new CFloors(exe, Files.readString(hashFile).trim(), null);
        } catch (IOException | RuntimeException e) {
            return new CFloors(null, null, "cannot build the C floors: " + e.getMessage());
        }
    }

    /** Why the C floors cannot be measured here, or null. */
    String unavailable() {
        return unavailable;
    }

    /** Median round trip, in µs, of a protocol-sized line between two C processes over pipes. */
    double pipeRoundTripUs(int n) throws IOException {
        return run("pipe", n);
    }

    /** Mean System V semaphore lock/unlock pair (SEM_UNDO), in µs, on a private set the program removes. */
    double semaphorePairUs(int n) throws IOException {
        return run("sem", n);
    }

    private double run(String mode, int n) throws IOException {
        verify();
        ToolRun r = ToolRun.separate(new ProcessBuilder(binary.toString(), mode, Integer.toString(n)), Duration.ofSeconds(120));
        String out = r.output().trim();
        if (!r.ok() || out.isEmpty()) {
            throw new IOException(BINARY + " " + mode + " gave no figure: " + r.lastErrorLine());
        }
        return Double.parseDouble(out);
    }

    /** lstat: a regular file of ours that nobody else can write, whose SHA-256 is the one recorded at its build. */
    private void verify() throws IOException {
        PosixFileAttributes a = PrivateDirectory.lstat(binary);
        if (!a.isRegularFile() || PrivateDirectory.uidOf(binary) != PrivateDirectory.myUid()
                || a.permissions().contains(PosixFilePermission.GROUP_WRITE) || a.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new PrivateDirectory.UnsafeDirectoryException(binary, "not a regular file of ours, writable by us alone");
        }
        String actual = sha256(Files.readAllBytes(binary));
        if (!actual.equals(hash)) {
            throw new PrivateDirectory.UnsafeDirectoryException(binary, "its SHA-256 " + actual + " is not the one recorded at its build: not executed");
        }
    }

    /** The first of {@link #COMPILERS} that is root's and writable by root only, in the system's own directories. */
    private static Path compiler() {
        for (String name : COMPILERS) {
            try {
                return Path.of(SystemTools.path(name));
            } catch (RuntimeException notHere) {
                // the next name
            }
        }
        return null;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
