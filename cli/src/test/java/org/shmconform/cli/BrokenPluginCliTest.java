package org.shmconform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.backends.broken.ThrowingBackends;

/**
 * A plug-in cannot take the run down: the CLI, in its own JVM, with four broken plug-ins on the class
 * path (a constructor, availability(), semantics() and removeLeftovers() that throw; open() fails with
 * an Error), lists every backend and still runs and judges the others.
 */
class BrokenPluginCliTest {
    @TempDir
    static Path work;
    private static Path plugins;

    record Result(int exit, String out) {
    }

    @BeforeAll
    static void registerBrokenPlugins() throws Exception {
        plugins = work.resolve("plugins");
        Path services = plugins.resolve("META-INF/services/" + SharedMemoryBackend.class.getName());
        Files.createDirectories(services.getParent());
        Files.write(services, ThrowingBackends.providers());
    }

    private static Result shmconform(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path") + File.pathSeparator + plugins, Shmconform.class.getName()));
        argv.addAll(List.of(args));
        Path log = Files.createTempFile(work, "cli", ".out");
        Process p = new ProcessBuilder(argv).directory(work.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("shmconform " + String.join(" ", args) + " did not finish: " + Files.readString(log));
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    @Test
    void listShowsEveryBackendAndWhyTheBrokenOnesCannotRun() throws Exception {
        Result list = shmconform("list");
        assertEquals(0, list.exit(), list.out());
        for (String builtIn : List.of("sysv", "posix", "mmapfile", "memfd", "qt")) {
            assertTrue(list.out().contains("\n  " + builtIn + " "), builtIn + " listed:\n" + list.out());
        }
        assertTrue(list.out().contains("unloadable:ThrowingConstructor NOT_AVAILABLE: "
                + ThrowingBackends.ThrowingConstructor.class.getName() + ": constructor threw IllegalStateException: boom in the constructor"),
                list.out());
        assertTrue(list.out().contains("throwing-availability NOT_AVAILABLE: "
                + "availability() threw IllegalStateException: boom"), list.out());
        assertTrue(list.out().contains("throwing-semantics NOT_AVAILABLE: "
                + "semantics() threw UnsupportedOperationException: no declaration today"), list.out());
        assertTrue(list.out().contains("throwing-leftovers available"), list.out());
        assertTrue(list.out().contains("Scenarios:") && list.out().contains("Properties (sentence ids):"), "list goes on to the end");
        assertFalse(list.out().contains("\tat "), "no stack trace:\n" + list.out());
    }

    @Test
    void runStillJudgesTheOtherColumnsAndReportsTheBrokenOnes() throws Exception {
        Result run = shmconform("run", "-e", "local", "-s", "data-shared", "--fuzz-schedules", "0", "-o", "report",
                "-b", "sysv,unloadable:ThrowingConstructor,throwing-availability,throwing-semantics,throwing-leftovers");
        assertFalse(run.out().contains("\tat "), "no stack trace:\n" + run.out());
        JsonNode results = new ObjectMapper().readTree(work.resolve("report/latest/results.json").toFile());
        Map<String, JsonNode> byColumn = new HashMap<>();
        results.path("results").forEach(r -> byColumn.put(r.path("column").asText(), r));

        assertVerdicts(byColumn.get("sysv"), "PASS", run.out());
        assertNotAvailable(byColumn, "unloadable:ThrowingConstructor", "constructor threw IllegalStateException: boom in the constructor");
        assertNotAvailable(byColumn, "throwing-availability", "availability() threw IllegalStateException: boom");
        assertNotAvailable(byColumn, "throwing-semantics", "semantics() threw UnsupportedOperationException");

        // Available, so it ran: its open() fails with an Error in every worker, which answers with an error
        // reply (recorded in the history) and lives on; the run judges it instead of dying.
        JsonNode leftovers = byColumn.get("throwing-leftovers");
        assertTrue(leftovers != null, "throwing-leftovers was run:\n" + run.out());
        for (JsonNode p : leftovers.path("properties")) {
            assertFalse(p.path("verdict").asText().equals("NOT_AVAILABLE"), leftovers.toString());
        }
        String history = Files.readString(work.resolve("report/latest").resolve(leftovers.path("historyFile").asText()));
        assertTrue(history.contains("open() threw NoClassDefFoundError: org/example/MissingNativeBinding"), history);
        // Its removeLeftovers() failed after every schedule: said in one line, and the run went on.
        assertTrue(run.out().contains("throwing-leftovers: reaping failed: removeLeftovers() threw "
                + "NoClassDefFoundError: org/example/MissingCleanupHelper"), run.out());
        assertTrue(run.out().contains("Done in"), run.out());
        assertEquals(1, run.exit(), "a FAIL or UNKNOWN on the broken column fails the run:\n" + run.out());
    }

    @Test
    void runOfOneColumnIsUntouchedByBrokenPlugins() throws Exception {
        Result run = shmconform("run", "-e", "local", "-s", "data-shared", "--fuzz-schedules", "0", "-o", "report-sysv", "-b", "sysv");
        assertEquals(0, run.exit(), run.out());
        JsonNode results = new ObjectMapper().readTree(work.resolve("report-sysv/latest/results.json").toFile());
        assertEquals(1, results.path("results").size(), results.toString());
        assertVerdicts(results.path("results").get(0), "PASS", run.out());
    }

    private static void assertVerdicts(JsonNode result, String verdict, String out) {
        assertTrue(result != null && result.path("properties").size() > 0, "no result:\n" + out);
        result.path("properties").forEach(p -> assertEquals(verdict, p.path("verdict").asText(), result.toString()));
    }

    private static void assertNotAvailable(Map<String, JsonNode> byColumn, String column, String reason) {
        JsonNode r = byColumn.get(column);
        assertTrue(r != null, column + " is in the report: " + byColumn.keySet());
        for (JsonNode p : r.path("properties")) {
            assertEquals("NOT_AVAILABLE", p.path("verdict").asText(), r.toString());
            assertTrue(p.path("why").asText().contains(reason), r.toString());
        }
    }
}
