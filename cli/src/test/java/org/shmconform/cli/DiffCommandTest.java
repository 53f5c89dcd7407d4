package org.shmconform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
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

/** {@code shmconform diff OLD NEW}: exit 1 on a regression, 0 otherwise, 2 with one line for a file it cannot use. */
class DiffCommandTest {
    @TempDir
    Path dir;

    private record Outcome(int status, String out, String err) {
        String lastLine() {
            List<String> lines = out.lines().toList();
            return lines.get(lines.size() - 1);
        }
    }

    private static Outcome execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Shmconform.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute(args);
        return new Outcome(status, out.toString(), err.toString());
    }

    private static ScenarioResult result(String scenario, Verdict v, String why, Integer event) {
        return new ScenarioResult(scenario, "t", "sysv", "local", List.of(new PropertyResult("LOCK-EXCLUSIVE", v, why, event, List.of())),
                "evidence/sysv-local-" + scenario + ".history.jsonl", "evidence/sysv-local-" + scenario + ".schedule.json", 100,
                null, List.of());
    }

    /** A results.json written as a run writes it, in its own report folder. */
    private Path report(String name, ScenarioResult... results) throws Exception {
        return report(name, false, results);
    }

    private Path report(String name, boolean interrupted, ScenarioResult... results) throws Exception {
        Path folder = dir.resolve(name);
        ReportWriter.write(folder, new RunSummary(RunSummary.SCHEMA, name, "2026-12-02T00:00:00Z", "2026-12-02T00:01:00Z", 60_000,
                interrupted, Map.of("kernel", "6.x"), List.of(new RunSummary.Column("sysv", "System V", true, null, Map.of())),
                List.of(results), List.of(), null));
        return folder.resolve("results.json");
    }

    @Test
    void aRegressionIsPrintedWithBothSidesAndExits1() throws Exception {
        Path old = report("old", result("lock-excludes", Verdict.PASS, null, null), result("crash-survives", Verdict.FAIL, "gone", 4));
        Path now = report("new", result("lock-excludes", Verdict.FAIL, "C acquired the lock while A held it", 8),
                result("crash-survives", Verdict.PASS, null, null), result("data-shared", Verdict.PASS, null, null));
        Outcome o = execute("diff", old.toString(), now.toString());
        assertEquals(Shmconform.FAILED, o.status(), o.out() + o.err());
        assertEquals("", o.err());
        List<String> lines = o.out().lines().toList();
        int at = lines.indexOf("REGRESSION sysv/local/lock-excludes/LOCK-EXCLUSIVE: PASS -> FAIL");
        assertTrue(at > 0, o.out());
        assertEquals("    old: PASS — " + dir.resolve("old/evidence/sysv-local-lock-excludes.history.jsonl"), lines.get(at + 1));
        assertEquals("    new: FAIL: C acquired the lock while A held it (event 8) — "
                + dir.resolve("new/evidence/sysv-local-lock-excludes.history.jsonl"), lines.get(at + 2));
        assertTrue(lines.contains("IMPROVEMENT sysv/local/crash-survives/LOCK-EXCLUSIVE: FAIL -> PASS"), o.out());
        assertTrue(lines.contains("NEW sysv/local/data-shared/LOCK-EXCLUSIVE: (not in the old run) -> PASS"), o.out());
        assertEquals("shmconform: FAIL — diff " + old + " " + now + ": 1 regression, 1 improvement, 1 new, 0 removed, 0 other changes",
                o.lastLine());
    }

    @Test
    void noRegressionExits0() throws Exception {
        Path old = report("old", result("lock-excludes", Verdict.DEVIATES, "declared", 3));
        Path now = report("new", result("lock-excludes", Verdict.PASS, null, null));
        Outcome o = execute("diff", old.toString(), now.toString());
        assertEquals(Shmconform.OK, o.status(), o.out() + o.err());
        assertTrue(o.lastLine().startsWith("shmconform: PASS — diff "), o.out());
        assertEquals(Shmconform.OK, execute("diff", now.toString(), now.toString()).status());
        assertTrue(execute("diff", now.toString(), now.toString()).out().contains("no cell changed its verdict"));
    }

    @Test
    void aCellThatDisappearedIsARegression() throws Exception {
        Path old = report("old", result("lock-excludes", Verdict.PASS, null, null), result("data-shared", Verdict.PASS, null, null));
        Path now = report("new", result("data-shared", Verdict.PASS, null, null));
        Outcome o = execute("diff", old.toString(), now.toString());
        assertEquals(Shmconform.FAILED, o.status(), o.out());
        assertTrue(o.out().contains("REGRESSION sysv/local/lock-excludes/LOCK-EXCLUSIVE: PASS -> (not in the new run)"), o.out());
    }

    private void refused(String expected, String... args) {
        Outcome o = execute(args);
        assertEquals(Shmconform.USAGE, o.status(), String.join(" ", args) + ": " + o.out() + o.err());
        assertEquals(1, o.err().lines().count(), "one line: " + o.err());
        assertTrue(o.err().startsWith("shmconform: ") && o.err().contains(expected), o.err());
        assertFalse(o.err().matches("(?s).*(Exception|\tat ).*"), "a raw exception: " + o.err());
    }

    /** An interrupted run holds only the cells it reached: judged against it, a run would pass what it never tried. */
    @Test
    void anInterruptedOldRunIsRefusedAndAnInterruptedNewOneSaysSo() throws Exception {
        Path interrupted = report("cut", true);
        Path finished = report("done", result("lock-excludes", Verdict.PASS, null, null));
        refused("OLD " + interrupted + " is the results.json of an interrupted run (0 cells that finished): compare against a run"
                + " that finished", "diff", interrupted.toString(), finished.toString());
        refused("baseline " + interrupted + " is the results.json of an interrupted run", "run", "-b", "sysv", "-s", "data-shared",
                "-e", "local", "--baseline", interrupted.toString(), "-o", dir.resolve("out").toString());
        Outcome o = execute("diff", finished.toString(), interrupted.toString());
        assertEquals(Shmconform.FAILED, o.status(), o.out());
        assertTrue(o.out().contains("NEW run cut was interrupted: a cell it did not reach is missing (a regression)"), o.out());
    }

    /** A cell twice: the comparison keeps one side, so a FAIL beside a PASS of the same cell would vanish. */
    @Test
    void aResultsFileThatRepeatsACellIsRefused() throws Exception {
        Path twice = report("twice", result("lock-excludes", Verdict.FAIL, "B acquired the lock while A held it", 7),
                result("lock-excludes", Verdict.PASS, null, null));
        Path once = report("once", result("lock-excludes", Verdict.PASS, null, null));
        refused("NEW " + twice + ": results[1].properties[0] repeats cell sysv/local/lock-excludes/LOCK-EXCLUSIVE", "diff",
                once.toString(), twice.toString());
    }

    @Test
    void aFileItCannotUseIsOneLineAndExit2() throws Exception {
        Path good = report("good", result("lock-excludes", Verdict.PASS, null, null));
        Path missing = dir.resolve("nowhere/results.json");
        refused("cannot read OLD " + missing + ": no such file", "diff", missing.toString(), good.toString());
        refused("cannot read NEW " + missing + ": no such file", "diff", good.toString(), missing.toString());
        Path v1 = Files.writeString(dir.resolve("v1.json"), Files.readString(good).replace(RunSummary.SCHEMA, "shmconform-results/1"));
        refused("OLD " + v1 + " has schema \"shmconform-results/1\"; this shmconform reads \"shmconform-results/2\" (another version)",
                "diff", v1.toString(), good.toString());
        Path noColumns = Files.writeString(dir.resolve("nocolumns.json"), Files.readString(good).replace("\"columns\"", "\"kolumns\""));
        refused("NEW " + noColumns + " has no \"columns\" list", "diff", good.toString(), noColumns.toString());
        refused("has no \"columns\" list", "merge", noColumns.toString(), "-o", dir.resolve("merged").toString());
        Path notJson = Files.writeString(dir.resolve("x.json"), "<html>");
        refused("NEW " + notJson + " is not JSON", "diff", good.toString(), notJson.toString());
        refused("Missing required parameter: 'NEW'", "diff", good.toString());
    }

    @Test
    void helpNamesTheCommand() {
        Outcome o = execute("help", "diff");
        assertEquals(Shmconform.OK, o.status());
        assertTrue(o.out().contains("Usage: shmconform diff") && o.out().contains("REGRESSION"), o.out());
    }
}
