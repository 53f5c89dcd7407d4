package org.shmconform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.host.CpuAffinity;

/** {@code bench} runs and prints each figure with its ratio; the figures themselves are this machine's, never asserted. */
class BenchCommandTest {
    @Test
    void printsEveryMeasurementForAColumn() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int status;
        BitSet cpusBefore = CpuAffinity.ofThisThread();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            status = Shmconform.commandLine().execute("bench", "--columns", "sysv", "--seconds", "1", "--round-trips", "10",
                    "--round-trip-pairs", "2", "--pairs", "100");
        } finally {
            System.setOut(old);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(Shmconform.OK, status, out);
        assertEquals(cpusBefore, CpuAffinity.ofThisThread(), "the round trips' placement is undone: the harness runs where it ran");
        // Each round trip in two placements, each next to the JVM pipe floor measured in the same placement (across two
        // CPUs, or why not on a machine that gives this process one), as two such pairs whose ratios are all shown.
        assertTrue(out.matches("(?s).*floor: java -version [0-9.]+ ms; JVM pipe round trip on one CPU [0-9.]+ us, (across two CPUs"
                + " [0-9.]+ us|across two CPUs not measured: this process may run on one CPU only .+).*"), out);
        assertTrue(out.matches("(?s).*sysv: worker start [0-9.]+ ms \\([0-9.]+x java -version\\); round trip "
                + "harness->worker->backend->harness on one CPU [0-9.]+ us \\([0-9.]+x the JVM pipe there, [0-9.]+ us just before"
                + "; the middle of 2 such pairs, whose ratios were [0-9.]+x, [0-9.]+x(; [0-9.]+x the C pipe)?\\)"
                + "(, across two CPUs [0-9.]+ us \\([0-9.]+x the JVM pipe there, [0-9.]+ us just before; the middle of 2 such pairs,"
                + " whose ratios were [0-9.]+x, [0-9.]+x\\))?\n.*"), out);
        // The C floors: measured with the host's compiler, or NOT_AVAILABLE with the reason; never left out.
        assertTrue(out.matches("(?s).*floor in C: (pipe round trip on one CPU [0-9.]+ us \\(the JVM pipe is [0-9.]+x\\); System V lock/unlock pair"
                + " \\(SEM_UNDO\\) [0-9.]+ us|NOT_AVAILABLE .+).*"), out);
        assertTrue(out.matches("(?s).*sysv: lock/unlock pair [0-9.]+ us in the backend.*"), out);
        assertTrue(out.matches("(?s).*sysv: fuzz [0-9.]+ checked ops/s, [0-9.]+ schedules/s \\([1-9][0-9]* schedules.*"
                + "workers: [0-9]+ borrows served by a reused process, [0-9]+ by a spare started in the background, "
                + "[1-9][0-9]* started \\([0-9]+ of them spares\\).*"), out);
        java.util.regex.Matcher cpu = java.util.regex.Pattern.compile("sysv: fuzz CPU \\(the harness and the workers it reaped, user"
                + " \\+ system, shrinking included\\) ([0-9.]+) ms per schedule \\(the harness's own threads ([0-9.]+), the workers"
                + " reaped ([0-9.]+)\\); [0-9.]+ of this machine's [1-9][0-9]* cores busy for [0-9.]+ s").matcher(out);
        assertTrue(cpu.find(), out);
        assertTrue(Double.parseDouble(cpu.group(2)) > 0, "the harness's threads worked: " + cpu.group());
        // The two parts add up to the whole (each rounded to 0.1 ms).
        assertEquals(Double.parseDouble(cpu.group(1)), Double.parseDouble(cpu.group(2)) + Double.parseDouble(cpu.group(3)), 0.15,
                cpu.group());
    }

    @Test
    void badInputIsOneLineAndExit2() {
        StringWriter err = new StringWriter();
        var cl = Shmconform.commandLine();
        cl.setErr(new PrintWriter(err, true));
        assertEquals(Shmconform.USAGE, cl.execute("bench", "--seconds", "0"), err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertEquals(Shmconform.USAGE, cl.execute("bench", "--columns", "no-such-column"));
        assertEquals(Shmconform.USAGE, cl.execute("bench", "--round-trips", "30001"), "a round-trip schedule's steps are bounded");
        assertEquals(Shmconform.USAGE, cl.execute("bench", "--round-trip-pairs", "0"));
        assertEquals(Shmconform.USAGE, cl.execute("bench", "--round-trip-pairs", "10"));
    }
}
