package org.shmconform.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.spi.Args;

/**
 * A step carries its arguments as one {@link Args}, yet the schedule file keeps its flat shape:
 * golden/schedule-before-args.json was saved by the code before Args (every argument, an empty key,
 * a size and offset of 0, non-ASCII and escaped text, noWait) and must load and save byte for byte.
 */
class StepFormatTest {
    private static final ScheduleValidation.Vocabulary KNOWN = new ScheduleValidation.Vocabulary(
            Set.of("sysv", "qt"), Set.of("local", "ipcns"));

    @Test
    void aScheduleSavedBeforeArgsLoadsAndSavesByteForByte(@TempDir Path dir) throws Exception {
        String before = new String(getClass().getResourceAsStream("/golden/schedule-before-args.json").readAllBytes(),
                StandardCharsets.UTF_8);
        Schedule s = ScheduleValidation.parse(before, "golden", KNOWN);
        Path again = dir.resolve("again.json");
        s.save(again);
        assertEquals(before, Files.readString(again));
    }

    @Test
    void theArgumentsLandInArgsWithTheTextAsUtf8Hex() throws Exception {
        String before = new String(getClass().getResourceAsStream("/golden/schedule-before-args.json").readAllBytes(),
                StandardCharsets.UTF_8);
        Schedule s = ScheduleValidation.parse(before, "golden", KNOWN);
        assertEquals(new Args("k", 0L, "ReadWrite", null, null, null, null), s.steps().get(0).args());
        assertEquals(new Args("", null, "ReadOnly", null, null, null, null), s.steps().get(1).args());
        Step write = s.steps().get(2);
        assertEquals("68c3a96c6c6f20227122205c2009", write.args().dataHex());
        assertEquals("h\u00e9llo \"q\" \\ \t", write.data());
        assertEquals(0L, write.offset());
        assertEquals(new Args(null, null, null, null, null, null, 250L), s.steps().get(5).args());
        assertTrue(s.steps().get(5).noWait());
        assertEquals(Args.NONE, s.steps().get(7).args());
    }

    @Test
    void anUnknownStepFieldIsStillNamedWithTheKnownOnes() {
        ScheduleValidation.InvalidSchedule e = org.junit.jupiter.api.Assertions.assertThrows(ScheduleValidation.InvalidSchedule.class,
                () -> ScheduleValidation.parse("{\"name\":\"t\",\"workers\":[],\"steps\":[{\"worker\":\"A\",\"op\":\"lock\",\"hex\":\"00\"}]}",
                        "f.json", KNOWN));
        assertTrue(e.getMessage().startsWith("f.json: unknown field 'hex' at steps[0]"), e.getMessage());
        assertTrue(e.getMessage().endsWith("known: child, data, key, length, mode, ms, noWait, offset, op, path, peer, size, worker"), e.getMessage());
    }

    @Test
    void withersChangeOneArgument() {
        Step s = Steps.write("A", 4, "hi").async();
        assertEquals(new Args(null, null, null, 4L, null, "6869", null), s.args());
        assertEquals(new Args(null, null, null, 4L, null, "6869", null), s.worker("B").args());
        assertEquals("B", s.worker("B").worker());
        assertTrue(s.worker("B").noWait());
    }
}
