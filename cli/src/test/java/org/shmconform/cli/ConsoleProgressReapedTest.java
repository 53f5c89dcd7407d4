package org.shmconform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmconform.engine.Reaper;

/**
 * The console's end of a run says what the reaper removed (left by crashed or killed workers, as the scenarios intend)
 * apart from what it left in place, which is not the run's alone: before, a directory kept by a foreign mount was listed
 * as if a worker had left it.
 */
class ConsoleProgressReapedTest {
    @Test
    void removedAndLeftInPlaceUnderHeadingsOfTheirOwn() {
        String removed = "removed semaphore set key 0x5100b7e5 id 32770 (qt)";
        String kept = Reaper.KEPT + "/run/shmconform/runs/abcdef: another file system is mounted in it";
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            new ConsoleProgress(false).reaped(List.of(removed, kept));
            new ConsoleProgress(false).reaped(List.of());
        } finally {
            System.setOut(out);
        }
        assertEquals(List.of("Reaped at the end of the run (left by crashed or killed workers, as the scenarios intend):", "  " + removed,
                        "Left in place at the end of the run (not the run's alone; the report says it too):", "  " + kept),
                printed.toString(StandardCharsets.UTF_8).lines().toList());
    }
}
