package org.shmconform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exit status of every command as `shmconform --help` documents it: 0 when the command did what
 * was asked and found nothing wrong, 1 when it found something wrong (a FAIL, a regression) or broke,
 * 2 for bad usage or input (one line on stderr). Each case runs the real command line in-process.
 */
class ExitCodesTest {

    private record Outcome(int status, String out, String err) {
    }

    private static Outcome execute(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream before = System.out;
        var cl = Shmconform.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        int status;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            status = cl.execute(args);
        } finally {
            System.setOut(before);
        }
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    @Test
    void helpAndNoArgumentsSucceed() {
        assertEquals(Shmconform.OK, execute().status());
        assertEquals(Shmconform.OK, execute("--help").status());
        Outcome help = execute("help", "run");
        assertEquals(Shmconform.OK, help.status(), help.err());
        assertEquals("", help.err());
    }

    @Test
    void listSucceedsAndNamesEveryColumn() {
        Outcome o = execute("list");
        assertEquals(Shmconform.OK, o.status(), o.err());
        for (String column : Columns.allNames()) {
            assertTrue(o.out().contains(column), column + " missing from list: " + o.out());
        }
    }

    @Test
    void badUsageIsTwoWithOneLine() {
        for (String[] args : new String[][] {{"nosuch"}, {"run", "--nosuch"}, {"run", "-b", "nosuch"}, {"replay"},
                {"replay", "/nonexistent/schedule.json"}, {"diff", "only-one.json"}}) {
            Outcome o = execute(args);
            assertEquals(Shmconform.USAGE, o.status(), String.join(" ", args) + ": " + o.err());
            assertEquals(1, o.err().lines().count(), String.join(" ", args) + ": " + o.err());
        }
    }

    @Test
    void aScheduleFileThatIsNotJsonIsTwo(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("s.json");
        Files.writeString(f, "{not json");
        Outcome o = execute("replay", f.toString());
        assertEquals(Shmconform.USAGE, o.status(), o.err());
        assertTrue(o.err().startsWith("shmconform: " + f), o.err());
    }

    @Test
    void anInternalErrorIsOneNotTwo() {
        assertEquals(false, Shmconform.isUsage(new IllegalStateException("a harness bug")));
        assertEquals(true, Shmconform.isUsage(new RuntimeException(new Shmconform.UsageException("bad"))));
    }
}
