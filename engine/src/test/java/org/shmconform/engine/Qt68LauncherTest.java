package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * The compiled Qt 6.8 launcher (qt-worker/qt68_launch.c) is what the Qt 6.8 columns start, and it refuses what
 * run-in-qt68-root.sh refuses, with the same exit status and the same words. Skipped where the root is not built.
 */
class Qt68LauncherTest {
    private static Path scratch;

    @BeforeAll
    static void rootBuilt() throws Exception {
        var root = Qt68Root.availability();
        assumeTrue(root.available(), () -> "Qt 6.8 root NOT_AVAILABLE: " + root.reason());
        assumeTrue(new ProcessBuilder("cc", "--version").redirectErrorStream(true).start().waitFor() == 0, "no cc here");
        scratch = PrivateDirectory.ensure(Path.of("/run/shmconform-q68launch-" + RunContext.letters(8)), "rwx------");
    }

    @AfterAll
    static void removeScratch() {
        if (scratch != null) {
            PrivateDirectory.deleteTree(scratch);
        }
    }

    @Test
    void theQt68ColumnsStartThroughTheCompiledLauncherFromThePrivateCache() {
        Path launcher = Qt68Launcher.compiled();
        assertNotNull(launcher, Qt68Launcher.whyNot());
        assertTrue(launcher.startsWith(RunContext.cacheDir()), launcher.toString());
        WorkerCommand c = Qt68Root.command(Qt68Root.KeyMode.LEGACY_SYSV, Map.of("TMPDIR", scratch.toString()), null);
        assertEquals(launcher, c.program());
        assertTrue(c.armsItsParentDeathSignal(), "started without setpriv: it arms the signal itself");
    }

    @Test
    void itRefusesWhatTheScriptRefusesWithTheSameStatusAndWords() throws Exception {
        String root = Qt68Root.located().root().toString();
        String script = Qt68Root.located().launcher().toString();
        String launcher = Qt68Launcher.compiled().toString();
        List<List<String>> cases = List.of(
                List.of("TMPDIR=/var/tmp", root),
                List.of("TMPDIR=" + scratch + "/../x", root),
                List.of("TMPDIR=" + scratch + "/missing", root),
                List.of("TMPDIR=" + scratch, "relative/root"),
                List.of("TMPDIR=" + scratch, scratch.toString()));
        for (List<String> c : cases) {
            Result byScript = run(List.of("bash", script), c);
            Result compiled = run(List.of(launcher), c);
            assertEquals(byScript.status, compiled.status, c + ": " + byScript.said + " | " + compiled.said);
            assertEquals(2, compiled.status, c + ": " + compiled.said);
            assertEquals(byScript.said.replaceFirst("^run-in-qt68-root: ", ""), compiled.said.replaceFirst("^qt68-launch: ", ""),
                    c.toString());
        }
        // A user by name: the script leaves it to chroot(8) (status 125, "invalid group"); the launcher refuses it itself.
        Result named = run(List.of(launcher), List.of("TMPDIR=" + scratch, root, "--userspec=nobody"));
        assertEquals(2, named.status, named.said);
        assertEquals("qt68-launch: --userspec must be UID:GID in numbers, got nobody", named.said);
    }

    private record Result(int status, String said) {
    }

    /** Runs {@code argv} with the first element of {@code envAndArgs} as one environment variable and the rest as arguments. */
    private static Result run(List<String> argv, List<String> envAndArgs) throws Exception {
        ProcessBuilder b = new ProcessBuilder(concat(argv, envAndArgs.subList(1, envAndArgs.size()))).redirectErrorStream(true);
        String[] kv = envAndArgs.get(0).split("=", 2);
        b.environment().put(kv[0], kv[1]);
        b.environment().remove("XDG_RUNTIME_DIR");
        Process p = b.start();
        p.getOutputStream().close();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), argv + " did not end");
        return new Result(p.exitValue(), said);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
