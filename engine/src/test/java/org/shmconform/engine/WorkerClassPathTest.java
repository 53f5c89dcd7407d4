package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.shmconform.engine.env.EnvTestBackend;
import org.shmconform.engine.state.PrivateDirectory;
import org.shmconform.engine.state.StateDirectory;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.worker.WorkerMain;

/**
 * The worker's class path holds what a worker runs and the plug-ins ServiceLoader finds, never the
 * harness; a worker really starts from it; the worker jar of the CLI is extracted and checked safely.
 */
class WorkerClassPathTest {
    private static Path state;

    @BeforeAll
    static void privateState() {
        state = Path.of("/run/shmconform-test-" + RunContext.letters(8));
        System.setProperty(RunContext.STATE_DIR_PROPERTY, state.toString());
    }

    @AfterAll
    static void cleanUp() {
        PrivateDirectory.deleteTree(state);
        System.clearProperty(RunContext.STATE_DIR_PROPERTY);
    }

    @Test
    void holdsTheWorkerAndItsLibrariesButNoHarnessClass() throws Exception {
        List<Path> cp = WorkerClassPath.compute();
        for (String needed : List.of(WorkerMain.class, SharedMemoryBackend.class, org.shmconform.backends.Backends.class,
                com.fasterxml.jackson.databind.ObjectMapper.class).stream().map(WorkerClassPathTest::entryName).toList()) {
            assertTrue(anyHolds(cp, needed), needed + " is on " + cp);
        }
        assertTrue(cp.contains(org.shmconform.backends.host.NativeAccess.libraryJar()), "JNA is on " + cp);
        for (String harness : List.of(entryName(RunContext.class), entryName(org.shmconform.checker.ScheduleChecker.class),
                entryName(org.shmconform.schedule.Schedule.class), "org/testcontainers/DockerClientFactory.class")) {
            assertFalse(anyHolds(cp, harness), harness + " must not be on the worker's class path " + cp);
        }
    }

    @Test
    void aPluginRegisteredElsewhereComesWithItsCodeAndAWorkerStartsWithIt() throws Exception {
        Path services = PrivateDirectory.ensure(state.resolve("plugin-services"), "rwx------");
        Path file = services.resolve("META-INF/services/" + SharedMemoryBackend.class.getName());
        Files.createDirectories(file.getParent());
        // One provider that loads, one that does not: the second is left out without failing the rest.
        Files.writeString(file, "# a comment\n" + EnvTestBackend.class.getName() + "\norg.example.NoSuchBackend\n");
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        List<Path> cp;
        try (URLClassLoader withPlugin = new URLClassLoader(new URL[] {services.toUri().toURL()}, before)) {
            Thread.currentThread().setContextClassLoader(withPlugin);
            List<Path> plugins = WorkerClassPath.plugins();
            assertTrue(plugins.contains(services), "the directory that registers it: " + plugins);
            assertTrue(plugins.contains(Path.of(EnvTestBackend.class.getProtectionDomain().getCodeSource().getLocation().toURI())),
                    "the code source of its class: " + plugins);
            cp = WorkerClassPath.compute();
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
        assertTrue(anyHolds(cp, entryName(EnvTestBackend.class)), cp.toString());
        assertEquals("envtest", helloBackend(cp, EnvTestBackend.NAME), "the worker found the plug-in on its own class path");
    }

    @Test
    void theWorkerJarIsWrittenPrivatelyOnceAndATamperedCopyIsRefused() throws Exception {
        byte[] jar = Files.readAllBytes(WorkerClassPath.compute().get(0));
        Path extracted = WorkerClassPath.extract(jar);
        assertEquals(jar.length, Files.size(extracted));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(extracted, LinkOption.NOFOLLOW_LINKS)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(extracted.getParent(), LinkOption.NOFOLLOW_LINKS)));
        assertTrue(extracted.startsWith(StateDirectory.cache()));
        assertEquals(extracted, WorkerClassPath.extract(jar), "the same content, the same file");

        Files.write(extracted, new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
        var e = assertThrows(PrivateDirectory.UnsafeDirectoryException.class, () -> WorkerClassPath.extract(jar));
        assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());

        Files.delete(extracted);
        Path elsewhere = Files.writeString(state.resolve("not-a-jar"), "x");
        Files.createSymbolicLink(extracted, elsewhere);
        e = assertThrows(PrivateDirectory.UnsafeDirectoryException.class, () -> WorkerClassPath.extract(jar));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        assertEquals("x", Files.readString(elsewhere), "nothing written through the link");
    }

    /** Starts WorkerMain on {@code cp} and returns the backend its hello names. */
    private static String helloBackend(List<Path> cp, String backend) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-CreateCoredumpOnCrash", "-cp",
                String.join(java.io.File.pathSeparator, cp.stream().map(Path::toString).toList()), WorkerMain.class.getName(), backend));
        ProcessBuilder b = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT);
        b.environment().put("TMPDIR", PrivateDirectory.ensure(state.resolve("worker-tmp"), "rwx------").toString());
        Process p = b.start();
        try {
            String hello = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            try (OutputStream in = p.getOutputStream()) {
                in.write("{\"seq\":1,\"op\":\"exit\"}\n".getBytes(StandardCharsets.UTF_8));
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the worker exits when asked");
            assertTrue(hello != null && hello.contains("\"backend\""), "hello: " + hello);
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(hello).findValue("backend").asText();
        } finally {
            p.destroyForcibly();
        }
    }

    private static String entryName(Class<?> c) {
        return c.getName().replace('.', '/') + ".class";
    }

    private static boolean anyHolds(List<Path> cp, String entry) throws IOException {
        for (Path p : cp) {
            if (Files.isDirectory(p) ? Files.exists(p.resolve(entry)) : holds(p, entry)) {
                return true;
            }
        }
        return false;
    }

    private static boolean holds(Path jar, String entry) throws IOException {
        try (ZipFile z = new ZipFile(jar.toFile())) {
            return z.getEntry(entry) != null;
        }
    }
}
