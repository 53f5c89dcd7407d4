package org.shmconform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.shmconform.conformance.Interruption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A real signal to a real {@code shmconform run}: the command is started as a child JVM, gets SIGINT or
 * SIGTERM after its first scenario run has finished, and must stop with 130 or 143, after cleaning up,
 * with a complete report of what finished, marked interrupted, {@code latest} pointing at it, one line
 * saying so, and nothing of the run left in /dev/shm, the runs directory or the process table.
 */
class InterruptedRunTest {
    private static final Pattern RUN_ID = Pattern.compile("^shmconform run ([a-z]+): .* report in (\\S+)$");

    @ParameterizedTest(name = "{0} -> exit {1}")
    @CsvSource({"INT, 130", "TERM, 143"})
    void aSignalLeavesAReportOfWhatFinishedAndNothingElse(String signal, int status, @TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("report");
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT,TERM", // a test runner may start us with them ignored
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                Shmconform.class.getName(), "--state-dir", tmp.resolve("state").toString(),
                "run", "-b", "posix", "-e", "local", "--fuzz-schedules", "0", "-o", out.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch firstResult = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                    if (line.startsWith("[ 1/") || line.startsWith("[1/")) {
                        firstResult.countDown();
                    }
                }
            } catch (IOException e) {
                // the child is gone
            }
        });
        reader.start();
        try {
            assertTrue(firstResult.await(180, TimeUnit.SECONDS), "no scenario finished: " + lines);
            assertEquals(0, new ProcessBuilder("kill", "-s", signal, Long.toString(p.pid())).inheritIO().start().waitFor());
            assertTrue(p.waitFor(Interruption.BOUND.toSeconds() + 60, TimeUnit.SECONDS), "did not stop: " + lines);
            reader.join(10_000);
            assertEquals(status, p.exitValue(), String.join("\n", lines));

            // Progress lines (a build of the Qt worker, the fuzz budget) may come first; the run's own first line names it.
            String first = lines.stream().filter(l -> RUN_ID.matcher(l).matches()).findFirst().orElse(String.join("\n", lines));
            Matcher m = RUN_ID.matcher(first);
            assertTrue(m.matches(), first);
            String runId = m.group(1);
            Path dir = Path.of(m.group(2));
            String last = lines.get(lines.size() - 1);
            assertTrue(last.startsWith("shmconform: INTERRUPTED by SIG" + signal + " after "), last);
            assertTrue(last.contains("workers killed, run directory reaped") && last.endsWith("report: " + dir), last);
            assertFalse(String.join("\n", lines).matches("(?s).*(Exception|\tat ).*"), "a raw exception: " + lines);

            for (String f : List.of("matrix.md", "matrix.html", "timeline.html", "junit.xml", "results.json")) {
                assertTrue(Files.size(dir.resolve(f)) > 0, f);
            }
            String json = Files.readString(dir.resolve("results.json"));
            assertTrue(json.contains("\"interrupted\" : true"), json);
            assertTrue(json.contains("\"scenario\""), "the finished scenario runs are in the report");
            assertTrue(Files.readString(dir.resolve("matrix.md")).contains("Interrupted"));
            assertTrue(Files.readString(dir.resolve("junit.xml")).contains("<testcase"));
            assertEquals(dir.getFileName(), Files.readSymbolicLink(out.resolve("latest")));

            assertNothingLeft(runId, tmp);
        } finally {
            if (p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * SIGINT while two fuzz lines run, each campaign in a run context of its own: the run stops with 130, reports
     * itself interrupted, and leaves nothing of any of its three contexts (the run's and the two campaigns').
     */
    @Test
    void aSignalDuringTheFuzzLinesEndsEveryCampaignsContextToo(@TempDir Path tmp) throws Exception {
        interruptOnceAllAppeared(tmp, List.of("-b", "posix,mmapfile", "-e", "local", "-s", "data-shared", "--fuzz-seconds", "120",
                "--fuzz-lines", "2"), List.of("  [fuzz posix] ", "  [fuzz mmapfile] "), 3, "the run's context and one per campaign");
    }

    /**
     * SIGINT while the named suite runs in two lanes, the ipcns scenario runs in a run context of their own beside the
     * local ones: the run stops with 130, reports itself interrupted, and leaves nothing of either context.
     */
    @Test
    void aSignalDuringTheSuiteLanesEndsTheSideLanesContextToo(@TempDir Path tmp) throws Exception {
        interruptOnceAllAppeared(tmp, List.of("-b", "posix,mmapfile", "-e", "local,ipcns", "--fuzz-schedules", "0",
                "--suite-lanes", "2"), List.of("^\\[.*] \\S+\\s+local .*", "^\\[.*] \\S+\\s+ipcns .*"), 2,
                "the run's context and the side lane's");
    }

    /**
     * Starts {@code shmconform run} with {@code runArgs} as a child JVM; once a line matched each of {@code marks} (a
     * prefix of the line, or a regular expression when it starts with ^), {@code contexts} run contexts must exist; then
     * SIGINT: exit 130, the last line and the report say interrupted, and nothing of any of those contexts is left.
     */
    private static void interruptOnceAllAppeared(Path tmp, List<String> runArgs, List<String> marks, int contexts, String what)
            throws Exception {
        Path out = tmp.resolve("report");
        Path runs = tmp.resolve("state").resolve("runs");
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT,TERM",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                Shmconform.class.getName(), "--state-dir", tmp.resolve("state").toString(), "run"));
        command.addAll(runArgs);
        command.addAll(List.of("-o", out.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch allAppeared = new CountDownLatch(marks.size());
        Thread reader = new Thread(() -> {
            List<String> unseen = new ArrayList<>(marks);
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                    String l = line;
                    if (unseen.removeIf(m -> m.startsWith("^") ? l.matches(m) : l.startsWith(m))) {
                        allAppeared.countDown();
                    }
                }
            } catch (IOException e) {
                // the child is gone
            }
        });
        reader.start();
        try {
            assertTrue(allAppeared.await(180, TimeUnit.SECONDS), "not every mark appeared " + marks + ": " + lines);
            List<String> runIds;
            try (Stream<Path> dirs = Files.list(runs)) {
                runIds = dirs.map(d -> d.getFileName().toString()).filter(n -> n.matches("[a-z]+")).toList();
            }
            assertEquals(contexts, runIds.size(), what + ": " + runIds + "\n" + lines);
            assertEquals(0, new ProcessBuilder("kill", "-s", "INT", Long.toString(p.pid())).inheritIO().start().waitFor());
            assertTrue(p.waitFor(Interruption.BOUND.toSeconds() + 60, TimeUnit.SECONDS), "did not stop: " + lines);
            reader.join(10_000);
            assertEquals(130, p.exitValue(), String.join("\n", lines));
            String last = lines.get(lines.size() - 1);
            assertTrue(last.startsWith("shmconform: INTERRUPTED by SIGINT after "), last);
            Path dir = out.resolve(Files.readSymbolicLink(out.resolve("latest")));
            assertTrue(Files.readString(dir.resolve("results.json")).contains("\"interrupted\" : true"));
            for (String runId : runIds) {
                assertNothingLeft(runId, tmp);
            }
            try (Stream<Path> left = Files.list(runs)) {
                assertEquals(List.of(), left.toList(), "left in the runs directory");
            }
        } finally {
            if (p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** No POSIX object, no run directory and no process that carries the run's id or its directory. */
    private static void assertNothingLeft(String runId, Path stateDir) throws IOException {
        try (Stream<Path> shm = Files.list(Path.of("/dev/shm"))) {
            List<Path> left = shm.filter(f -> f.getFileName().toString().contains(runId)).toList();
            assertEquals(List.of(), left, "left in /dev/shm");
        }
        for (Path root : List.of(stateDir)) {
            if (Files.isDirectory(root)) {
                try (Stream<Path> all = Files.walk(root)) {
                    List<Path> left = all.filter(f -> f.getFileName().toString().equals(runId)).toList();
                    assertEquals(List.of(), left, "run directory left under " + root);
                }
            }
        }
        List<Long> workers = ProcessHandle.allProcesses().filter(h -> mentions(h.pid(), runId)).map(ProcessHandle::pid).toList();
        assertEquals(List.of(), workers, "processes of the run still alive");
    }

    private static boolean mentions(long pid, String runId) {
        for (String file : new String[] {"cmdline", "environ"}) {
            try {
                String text = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), file)), StandardCharsets.UTF_8);
                if (text.contains("/" + runId + "/") || text.contains("/" + runId + "\0") || text.endsWith("/" + runId)) {
                    return true;
                }
            } catch (IOException e) {
                // gone, or not ours to read
            }
        }
        return false;
    }
}
