package org.shmconform.cli;

import org.shmconform.engine.Subjects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;
import org.shmconform.engine.env.Environments;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.ScheduleValidation;
import org.shmconform.scenarios.NamedSuite;
import org.shmconform.scenarios.Scenario;

/** Bad options, schedule files and baselines: one line on stderr and exit 2, before anything runs. */
class InputValidationTest {
    /** --state-dir sets a JVM-wide property: each test leaves it as it found it. */
    private String stateDirBefore;

    @BeforeEach
    void rememberStateDir() {
        stateDirBefore = System.getProperty(Shmconform.STATE_DIR_PROPERTY);
    }

    @AfterEach
    void restoreStateDir() {
        if (stateDirBefore == null) {
            System.clearProperty(Shmconform.STATE_DIR_PROPERTY);
        } else {
            System.setProperty(Shmconform.STATE_DIR_PROPERTY, stateDirBefore);
        }
    }

    private record Outcome(int status, String err) {
    }

    private static Outcome execute(String... args) {
        StringWriter err = new StringWriter();
        var cl = Shmconform.commandLine();
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute(args);
        return new Outcome(status, err.toString());
    }

    private static void refused(String expected, String... args) {
        Outcome o = execute(args);
        assertEquals(Shmconform.USAGE, o.status(), String.join(" ", args) + ": " + o.err());
        assertEquals(1, o.err().lines().count(), "one line: " + o.err());
        assertTrue(o.err().startsWith("shmconform: "), o.err());
        assertTrue(o.err().contains(expected), String.join(" ", args) + ": " + o.err());
        assertFalse(o.err().matches("(?s).*(Exception|\tat ).*"), "a raw exception: " + o.err());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "--fuzz-schedules must be 0 or more, not -1 | run --fuzz-schedules -1",
        "--shm-size-mib must be between 1 and 1048576 (1 TiB), not -5 | run --shm-size-mib -5",
        "--soak-minutes must be 1 or more, not 0 | run --soak-minutes 0",
        "--fuzz-lines must be 1 or more, not 0 | run --fuzz-lines 0",
        "--suite-lanes must be 1 or 2, not 3 | run --suite-lanes 3",
        "no backend named 'nosuch'; known: sysv | run -b nosuch",
        "no scenario named 'nosuch' | run -s nosuch",
        "no environment named 'moon'; known: local | run -e moon",
        "--baseline /nonexistent/results.json: no such file | run --baseline /nonexistent/results.json",
        "--workers must be 2, 3 or 4, not 9 | fuzz -b sysv --workers 9",
        "--count must be 1 or more, not -1 | fuzz -b sysv --count -1",
        "--lanes must be 1 or more, not 0 | fuzz -b sysv --lanes 0",
        "--mutant-kills must be 1 or more, not 0 | fuzz -b sysv --mutant-kills 0",
        "--seconds must be 1 or more, not 0 | fuzz -b sysv --seconds 0",
        "no backend named 'nosuch' | fuzz -b nosuch",
        "cannot read /nonexistent.json | replay /nonexistent.json",
        "Unknown option: '--frobnicate' | run --frobnicate",
        "Invalid value for option '--fuzz-schedules' | run --fuzz-schedules many",
    })
    void aBadOptionIsOneLineAndExit2(String expected, String args) {
        refused(expected, args.split(" "));
    }

    @Test
    void aBadBaselineStopsBeforeTheSuiteRuns(@TempDir Path dir) throws Exception {
        Path baseline = Files.writeString(dir.resolve("b.json"), "{\"schema\":\"nope\"}");
        refused("baseline " + baseline + " has schema \"nope\"; this shmconform reads \"shmconform-results/2\"",
                "run", "-b", "posix", "-e", "local", "-o", dir.resolve("out").toString(), "--baseline", baseline.toString());
        assertFalse(Files.exists(dir.resolve("out")), "nothing ran");
    }

    @Test
    void aBadScheduleFileIsOneLineAndExit2(@TempDir Path dir) throws Exception {
        String workers = "\"workers\":[{\"id\":\"A\",\"impl\":\"sysv\",\"env\":\"local\",\"group\":\"g\"}]";
        String[][] cases = {
            {"{\"worker\":\"A\",\"op\":\"explode\"}", "steps[0] (A explode): unknown operation 'explode'"},
            {"{\"worker\":\"Z\",\"op\":\"lock\"}", "steps[0] (Z lock): worker Z is not declared"},
            {"{\"worker\":\"A\",\"op\":\"attach\",\"key\":\"k\",\"mode\":\"rw\"}", "steps[0] (A attach): bad mode 'rw'; only ReadWrite or ReadOnly"},
            {"{\"worker\":\"A\",\"op\":\"lock\",\"when\":1}", "unknown field 'when' at steps[0] (line 1); known: child, data, key, length, mode, ms, noWait, offset, op, path, peer, size, worker"},
            {"{\"worker\":\"A\",\"op\":\"read\",\"offset\":0,\"length\":-1}", "steps[0] (A read): length -1 out of range [0, 1048576]"},
        };
        for (String[] c : cases) {
            Path f = Files.writeString(dir.resolve("s.json"), "{\"name\":\"t\"," + workers + ",\"steps\":[" + c[0] + "]}");
            refused(f + ": " + c[1], "replay", f.toString());
        }
        refused("no backend named 'nosuch'", "replay", "-b", "nosuch", Files.writeString(dir.resolve("t.json"), "{}").toString());
    }

    @Test
    void helpWorks() {
        Outcome o = execute("help");
        assertEquals(Shmconform.OK, o.status(), o.err());
        assertEquals(Shmconform.OK, execute("help", "run").status());
    }

    @Test
    void stateDirIsSetBeforeTheCommandRunsWhereverItIsGiven(@TempDir Path dir) {
        for (List<String> args : List.of(List.of("--state-dir", dir.resolve("a").toString(), "run", "--fuzz-schedules", "-1"),
                List.of("run", "--state-dir", dir.resolve("b").toString(), "--fuzz-schedules", "-1"),
                List.of("fuzz", "--state-dir", dir.resolve("c").toString(), "-b", "sysv", "--count", "0"),
                List.of("replay", "--state-dir", dir.resolve("d").toString(), "/nonexistent"))) {
            assertEquals(Shmconform.USAGE, execute(args.toArray(String[]::new)).status());
            String expected = args.get(args.indexOf("--state-dir") + 1);
            assertEquals(expected, System.getProperty(Shmconform.STATE_DIR_PROPERTY), args.toString());
        }
        assertTrue(new picocli.CommandLine(new Shmconform()).getSubcommands().get("list").getCommandSpec()
                .findOption("--state-dir") != null, "list takes it too");
    }

    /** A state directory another user could swap or plant in stops the run with one line and exit 2, before anything runs. */
    @Test
    void anUnsafeStateDirectoryIsOneLineAndExit2(@TempDir Path dir) throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("state-link"), Files.createDirectory(dir.resolve("elsewhere")));
        refused("refusing unsafe path " + link, "--state-dir", link.toString(), "run", "-b", "posix", "-e", "local",
                "-s", "data-shared", "--fuzz-schedules", "0", "-o", dir.resolve("out").toString());
        assertFalse(Files.exists(dir.resolve("out")), "nothing ran");
        try (var inside = Files.list(dir.resolve("elsewhere"))) {
            assertEquals(0, inside.count(), "nothing was made through the link");
        }
    }

    /** A run of one scenario, so that a check that comes too late shows as a run that ran (and, before it, as a slow test). */
    private static String[] runInto(Path out) {
        return new String[] {"run", "-b", "posix", "-e", "local", "-s", "data-shared", "--fuzz-schedules", "0", "-o", out.toString()};
    }

    private static void assertEmpty(Path dir) throws Exception {
        try (var inside = Files.list(dir)) {
            assertEquals(List.of(), inside.toList(), "nothing was made in " + dir);
        }
    }

    /** A report root that is a regular file, or that cannot be made, is a usage error before the run, not an "internal error" after it. */
    @Test
    void aReportRootThatIsAFileOrCannotBeMadeIsOneLineAndExit2(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        refused("refusing " + file + ": the report folder is not a directory", runInto(file));
        assertEquals("x", Files.readString(file));
        refused("refusing /proc/x: cannot make the report folder", runInto(Path.of("/proc/x")));
    }

    /** Trigger A: -o names another user's link to elsewhere; nothing (no run folder, no 'latest') is made in its target. */
    @Test
    void aReportRootThatIsALinkIsRefusedAndNothingIsMadeThroughIt(@TempDir Path dir) throws Exception {
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        Path link = Files.createSymbolicLink(dir.resolve("report"), elsewhere);
        refused("refusing " + link + ": the report folder is a symbolic link", runInto(link));
        assertEmpty(elsewhere);
        refused("refusing " + link + ": the report folder is a symbolic link", "merge", "-o", link.toString(), "/nonexistent/results.json");
        assertEmpty(elsewhere);
    }

    /** Trigger B's precondition: a report root others can write (so swap a run folder in) is refused, sticky or not. */
    @Test
    void aReportRootGroupOrOthersCanWriteIsRefused(@TempDir Path dir) throws Exception {
        for (String mode : new String[] {"rwxrwxrwx", "rwxrwxr-x", "rwxr-xrwx"}) {
            Path root = Files.createDirectory(dir.resolve("root-" + mode));
            java.nio.file.Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString(mode));
            refused("refusing " + root + ": the report folder is writable by group or others (" + mode + "); chmod go-w it", runInto(root));
            assertEmpty(root);
        }
    }

    /** Trigger B as root: a report root owned by another user (nobody) is refused; nothing is made in it. */
    @Test
    void aReportRootOfAnotherUserIsRefused(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue("0".equals(String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))),
                "only root can give a folder away");
        Path root = Files.createDirectory(dir.resolve("nobodys"));
        Files.setAttribute(root, "unix:uid", 65534);
        refused("refusing " + root + ": the report folder is owned by uid 65534, not by this user", runInto(root));
        assertEmpty(root);
    }

    /** A real directory where the 'latest' link goes is said before the run, in one line, not as an internal error after it. */
    @Test
    void aDirectoryWhereLatestGoesIsRefusedBeforeTheRun(@TempDir Path dir) throws Exception {
        Path root = Files.createDirectory(dir.resolve("report"));
        Path latest = Files.createDirectory(root.resolve("latest"));
        Files.writeString(latest.resolve("keep"), "k");
        refused("refusing " + latest + ": it is a directory, not the link shmconform keeps there; move it away", runInto(root));
        try (var inside = Files.list(root)) {
            assertEquals(List.of(latest), inside.toList(), "no run folder was made");
        }
        assertEquals("k", Files.readString(latest.resolve("keep")));
    }

    /** The rules must not refuse what the project itself writes: every named scenario's schedule, everywhere. */
    @Test
    void everyNamedScheduleIsValid() {
        List<String> columns = new ArrayList<>(Subjects.here().names());
        // a schedule may also name a partner-only worker (the Qt file-map worker of seed M2), as the harness's vocabulary does
        List<String> impls = new ArrayList<>(Subjects.here().vocabulary().impls());
        int checked = 0;
        for (Scenario s : NamedSuite.all()) {
            for (String column : columns) {
                if (!s.appliesTo().test(column)) {
                    continue;
                }
                List<Schedule> schedules = s.placement() == Scenario.Placement.FIXED ? List.of(s.scheduleFor(column))
                        : Environments.names().stream().map(env -> s.scheduleFor(column, env)).toList();
                for (Schedule schedule : schedules) {
                    assertEquals(List.of(), ScheduleValidation.problems(schedule, impls, Environments.names()), s.id() + " on " + column);
                    checked++;
                }
            }
        }
        assertTrue(checked > 100, "checked " + checked);
    }

    @Test
    void theProgressLineShowsWhyAResultIsUnknown() {
        ScenarioResult unknown = new ScenarioResult("lock-excludes", "t", "posix", "local",
                List.of(new PropertyResult("LOCK-EXCLUSIVE", Verdict.UNKNOWN, null, null, List.of())), null, null, 900,
                "step lock for dead worker B could not be performed", List.of());
        String line = new ConsoleProgress(false).line(unknown, 3, 12);
        assertTrue(line.matches("\\[ 3/12\\] posix +local +lock-excludes +UNKNOWN +0\\.9 s  step lock for dead worker B could not be performed"),
                line);
    }
}
