package org.shmconform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.backends.broken.ThrowingBackends;

/**
 * {@code replay} of a schedule whose backend is missing: a backend that is not on the class path, or one
 * that is but cannot run here, is one line on stderr and exit 2, never a Java exception and exit 1.
 */
class ReplayMissingBackendTest {
    @TempDir
    Path dir;

    private Path schedule(String impl) throws Exception {
        return Files.writeString(dir.resolve(impl + ".schedule.json"), "{\"name\":\"saved\",\"workers\":[{\"id\":\"A\",\"impl\":\"" + impl
                + "\",\"env\":\"local\",\"group\":\"g\"}],\"steps\":[{\"worker\":\"A\",\"op\":\"create\",\"key\":\"k\",\"size\":64}]}");
    }

    private static void oneLine(String err) {
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.startsWith("shmconform: "), err);
        // (The plug-in's own reason may name the exception it threw; a stack trace or a qualified class name may not appear.)
        assertFalse(err.matches("(?s).*(\tat |internal error|java\\.lang\\.|org\\.shmconform\\.).*"), "a raw exception: " + err);
    }

    @Test
    void aBackendThatIsNotOnTheClassPath() throws Exception {
        Path file = schedule("gone-backend");
        StringWriter err = new StringWriter();
        var cl = Shmconform.commandLine();
        cl.setErr(new PrintWriter(err, true));
        assertEquals(Shmconform.USAGE, cl.execute("replay", file.toString()), err.toString());
        oneLine(err.toString());
        assertTrue(err.toString().contains("unknown implementation 'gone-backend'; known: sysv"), err.toString());
    }

    /** In its own JVM, with a plug-in whose availability() throws on the class path: known, but not runnable here. */
    @Test
    void aBackendThatCannotRunHere() throws Exception {
        Path plugins = dir.resolve("plugins");
        Path services = plugins.resolve("META-INF/services/" + SharedMemoryBackend.class.getName());
        Files.createDirectories(services.getParent());
        Files.write(services, ThrowingBackends.providers());
        Path file = schedule("throwing-availability");
        Path out = dir.resolve("out.txt");
        Path errFile = dir.resolve("err.txt");
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path") + File.pathSeparator + plugins, Shmconform.class.getName(), "replay", file.toString()))
                .directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(errFile.toFile()).start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "replay did not finish");
        String err = Files.readString(errFile, StandardCharsets.UTF_8);
        assertEquals(Shmconform.USAGE, p.exitValue(), Files.readString(out) + err);
        oneLine(err);
        assertTrue(err.contains("cannot replay saved here") && err.contains("throwing-availability"), err);
    }
}
