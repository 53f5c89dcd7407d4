package org.shmconform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code shmconform run} of one column in the local and the ipcns environment, with the named suite in one lane
 * and in two: with two, the ipcns scenario runs go beside the local ones (one of them ends before the last local one
 * does, which one lane never does), are printed with the plan's numbers, and the report holds the same cells with the
 * same verdicts in the same order as one lane's; both runs leave nothing in /dev/shm or the runs directory.
 */
class SuiteLanesTest {
    private static final Pattern LINE = Pattern.compile("^\\[\\s*(\\d+)/(\\d+)] (\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+).*");

    @Test
    void theIpcNamespaceScenariosRunBesideTheLocalOnesAndTheReportKeepsThePlansOrder(@TempDir Path tmp) throws Exception {
        Run one = run(tmp, "one", 1);
        Run two = run(tmp, "two", 2);

        assertEquals(0, one.status, String.join("\n", one.lines));
        assertEquals(0, two.status, String.join("\n", two.lines));
        assertTrue(one.cells.size() > 20 && one.cells.stream().anyMatch(c -> c.contains(" ipcns ")), "the plan: " + one.cells);
        assertEquals(one.cells, two.cells, "the same cells, verdicts and order in results.json");

        assertEquals(-1, firstIpcnsBeforeLastLocal(one.printed), "one lane: every local run ends before the first ipcns one");
        assertTrue(firstIpcnsBeforeLastLocal(two.printed) >= 0, "two lanes: an ipcns run ended while local ones still ran: "
                + two.printed);
        // Each line carries its plan number: the local runs come first in the plan, so every ipcns number is above them.
        int lastLocalNumber = two.printed.stream().filter(p -> p.env.equals("local")).mapToInt(p -> p.index).max().orElseThrow();
        assertTrue(two.printed.stream().filter(p -> p.env.equals("ipcns")).allMatch(p -> p.index > lastLocalNumber), two.printed.toString());
        assertEquals(one.printed.size(), two.printed.size());

        try (Stream<Path> left = Files.list(tmp.resolve("state").resolve("runs"))) {
            assertEquals(List.of(), left.toList(), "left in the runs directory");
        }
        for (Run r : List.of(one, two)) {
            try (Stream<Path> shm = Files.list(Path.of("/dev/shm"))) {
                assertEquals(List.of(), shm.filter(f -> r.runIds.stream().anyMatch(id -> f.getFileName().toString().contains(id))).toList());
            }
        }
    }

    /** The position, among the printed lines, of the first ipcns line that comes before the last local one; -1 if none. */
    private static int firstIpcnsBeforeLastLocal(List<Printed> printed) {
        int lastLocal = -1;
        for (int i = 0; i < printed.size(); i++) {
            if (printed.get(i).env.equals("local")) {
                lastLocal = i;
            }
        }
        for (int i = 0; i < lastLocal; i++) {
            if (printed.get(i).env.equals("ipcns")) {
                return i;
            }
        }
        return -1;
    }

    private record Printed(int index, String column, String env) {
    }

    private record Run(int status, List<String> lines, List<Printed> printed, List<String> cells, List<String> runIds) {
    }

    private static Run run(Path tmp, String name, int lanes) throws IOException, InterruptedException {
        Path out = tmp.resolve(name);
        Path log = tmp.resolve(name + ".log");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Shmconform.class.getName(),
                "--state-dir", tmp.resolve("state").toString(),
                "run", "-b", "mmapfile", "-e", "local,ipcns", "--fuzz-schedules", "0", "--suite-lanes", Integer.toString(lanes),
                "-o", out.toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertTrue(p.waitFor(600, TimeUnit.SECONDS), "did not end");
        } finally {
            p.destroyForcibly();
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        List<Printed> printed = new ArrayList<>();
        List<String> runIds = new ArrayList<>();
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                printed.add(new Printed(Integer.parseInt(m.group(1)), m.group(3), m.group(4)));
            }
            Matcher id = Pattern.compile("^shmconform run ([a-z]+): ").matcher(line);
            if (id.find()) {
                runIds.add(id.group(1));
            }
        }
        List<String> cells = new ArrayList<>();
        JsonNode results = new ObjectMapper().readTree(out.resolve("latest").resolve("results.json").toFile()).get("results");
        for (JsonNode r : results) {
            cells.add(r.get("scenario").asText() + " " + r.get("column").asText() + " " + r.get("env").asText() + " "
                    + r.get("verdict").asText());
        }
        return new Run(p.exitValue(), lines, printed, cells, runIds);
    }
}
