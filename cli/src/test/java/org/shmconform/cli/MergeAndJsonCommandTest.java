package org.shmconform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;
import org.shmconform.reports.ReportWriter;
import org.shmconform.reports.RunSummary;

/** {@code merge} over report folders and results.json files; {@code list --json}; no colour when stdout is no terminal. */
class MergeAndJsonCommandTest {
    @TempDir
    Path dir;

    private record Outcome(int status, String out, String err) {
    }

    private static Outcome execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Shmconform.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Outcome(cl.execute(args), out.toString(), err.toString());
    }

    private Path report(String name, String kernel, String distro, Verdict v) throws Exception {
        Path folder = dir.resolve(name);
        ReportWriter.write(folder, new RunSummary(RunSummary.SCHEMA, name, "2026-12-02T00:00:00Z", "2026-12-02T00:01:00Z", 60_000,
                false, Map.of("kernel", kernel, "distribution", distro), List.of(new RunSummary.Column("sysv", "System V", true, null, Map.of())),
                List.of(new ScenarioResult("lock-excludes", "t", "sysv", "local", List.of(new PropertyResult("LOCK-EXCLUSIVE", v,
                        v == Verdict.PASS ? null : "two holders", null, List.of())), null, null, 10, null, List.of())), List.of(), null));
        return folder;
    }

    @Test
    void mergeTakesFoldersAndFilesWritesTheReportAndExits1WhenAPlatformFailed() throws Exception {
        Path a = report("a", "6.18.44", "Debian GNU/Linux 12 (bookworm)", Verdict.PASS);
        Path b = report("b", "6.12.9", "Debian GNU/Linux 13 (trixie)", Verdict.FAIL);
        Path out = dir.resolve("merged");
        Outcome o = execute("merge", "-o", out.toString(), a.toString(), b.resolve("results.json").toString());
        assertEquals(Shmconform.FAILED, o.status(), o.err());
        assertTrue(o.out().contains("P2  Debian GNU/Linux 13 (trixie) · C library not recorded · JVM not recorded · kernel 6.12.9"), o.out());
        List<String> lines = o.out().lines().toList();
        assertEquals("shmconform: FAIL — merge of 2 platforms: 1 cell differs across platforms; FAIL on 1 platform — report: " + out,
                lines.get(lines.size() - 1));
        assertFalse(o.out().contains("\u001b["), "no colour when stdout is no terminal");
        assertTrue(Files.readString(out.resolve("merged.html")).contains("two holders"));

        assertEquals(Shmconform.OK, execute("merge", "-o", out.toString(), a.toString()).status());
        Outcome missing = execute("merge", dir.resolve("nowhere").toString());
        assertEquals(Shmconform.USAGE, missing.status());
        assertTrue(missing.err().contains("no results.json there"), missing.err());
    }

    @Test
    void listJsonIsOneJsonObjectOnStdout() throws Exception {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int status;
        try {
            status = execute("list", "--json").status();
        } finally {
            System.setOut(stdout);
        }
        assertEquals(Shmconform.OK, status);
        JsonNode list = new ObjectMapper().readTree(captured.toString(StandardCharsets.UTF_8));
        assertTrue(list.get("columns").size() >= 1 && list.get("columns").get(0).hasNonNull("name"), list.toString());
        assertTrue(list.get("scenarios").size() > 10, "the named suite");
        assertEquals("available", list.get("columns").findValuesAsText("name").contains("sysv") ? "available" : "missing");
        assertTrue(list.get("properties").get(0).hasNonNull("sentence"));
    }
}
