package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * build-qt68-root.sh refuses, with one line naming the fixing command and a distinct exit status,
 * where it cannot build: not root, unsafe cache directory, no registry; and --check never builds.
 * None of these needs the root to exist (each stops before debootstrap).
 */
class Qt68RootScriptTest {
    private Path cache;

    @BeforeEach
    void freshCache() {
        assumeTrue(PrivateDirectory.myUid() == 0, "these checks run the script as root (and as nobody through setpriv)");
        cache = PrivateDirectory.ensure(Path.of("/run/shmconform-q68script-" + RunContext.letters(8)), "rwx------");
    }

    @AfterEach
    void removeCache() {
        if (cache != null) {
            PrivateDirectory.deleteTree(cache);
        }
    }

    @Test
    void notRootIsRefusedWithTheSudoCommand() throws Exception {
        Result r = run(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"), cache.toString());
        assertEquals(3, r.status, r.output);
        assertTrue(r.output.startsWith("qt68-root: must run as root") && r.output.contains("sudo "), r.output);
    }

    @Test
    void aCacheDirectoryOthersCanEnterIsRefused() throws Exception {
        PrivateDirectory.setMode(cache, "rwxr-xr-x");
        Result r = run(List.of(), cache.toString());
        assertEquals(6, r.status, r.output);
        assertTrue(r.output.contains("chmod 700 " + cache), r.output);
        assertEquals(List.of(), listing(cache), "nothing made in a directory that was refused");
    }

    @Test
    void checkOnlyLooksAndSaysHowToBuild() throws Exception {
        Result r = run(List.of(), "--check", cache.toString());
        assertEquals(10, r.status, r.output);
        assertTrue(r.output.contains("is not built") && r.output.contains("build-qt68-root.sh " + cache), r.output);
        assertEquals(List.of(), listing(cache), "--check builds nothing");
    }

    @Test
    void noRegistryIsRefusedBeforeAnythingIsDownloaded() throws Exception {
        assumeTrue(new ProcessBuilder("sh", "-c", "command -v debootstrap").start().waitFor() == 0,
                "debootstrap is not installed here (the script would first try to install it)");
        // A fresh network namespace has no route anywhere: the registry is unreachable.
        Result r = run(List.of("unshare", "--net"), cache.toString());
        assertEquals(5, r.status, r.output);
        assertTrue(r.output.startsWith("qt68-root: cannot reach Debian's registry http://deb.debian.org/debian"), r.output);
        assertEquals(List.of("lock"), listing(cache.resolve("qt68")), "no root started");
    }

    /**
     * Without Debian's archive keyring, debootstrap only warns that it cannot check the Release file's signature and goes
     * on over plain HTTP: root would then build and run whatever the path gave it. Refused instead, before the registry
     * is asked. The keyring is hidden by a tmpfs in a mount namespace of the test's own (and no network: nothing is
     * fetched, and apt-get finds the package installed).
     */
    @Test
    void noArchiveKeyringIsRefusedBeforeAnythingIsDownloaded() throws Exception {
        assumeTrue(new ProcessBuilder("sh", "-c", "command -v debootstrap").start().waitFor() == 0,
                "debootstrap is not installed here (the script would first try to install it)");
        Result r = run(List.of("unshare", "--mount", "--propagation", "private", "--net", "sh", "-c",
                "mount -t tmpfs -o size=1m none /usr/share/keyrings && exec \"$0\" \"$@\""), cache.toString());
        assertEquals(4, r.status, r.output);
        assertTrue(r.output.lines().anyMatch(l -> l.startsWith("qt68-root: /usr/share/keyrings/debian-archive-keyring.gpg (Debian's archive "
                + "keyring, a root-owned file) is missing: the packages could not be checked: apt-get install debian-archive-keyring")),
                r.output);
        assertEquals(List.of("lock"), listing(cache.resolve("qt68")), "no root started");
    }

    @Test
    void aRelativeCacheDirectoryIsAUsageError() throws Exception {
        assertEquals(2, run(List.of(), "relative/dir").status);
    }

    private record Result(int status, String output) {
    }

    private static Result run(List<String> prefix, String... args) throws Exception {
        Path script = Path.of(Qt68RootScriptTest.class.getResource("/qt-worker/build-qt68-root.sh").toURI());
        List<String> argv = new ArrayList<>(prefix);
        argv.addAll(List.of("bash", script.toString()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }

    private static List<String> listing(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
