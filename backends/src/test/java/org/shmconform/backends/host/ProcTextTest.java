package org.shmconform.backends.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ProcText} reads lines and cuts fields exactly as {@code Files.readAllLines} and {@code trim().split("\\s+", n)} do. */
class ProcTextTest {
    /** A copy of each file as the kernel wrote it once (it changes between two reads), read both ways. */
    @Test
    void theKernelsOwnFilesReadAsReadAllLinesReadsThem(@TempDir Path dir) throws Exception {
        for (String f : List.of("/proc/self/maps", "/proc/self/status", "/proc/sysvipc/sem", "/proc/sysvipc/shm", "/proc/self/stat")) {
            Path copy = Files.write(dir.resolve(Path.of(f).getFileName()), Files.readAllBytes(Path.of(f)));
            List<String> theirs = Files.readAllLines(copy, StandardCharsets.UTF_8);
            assertEquals(theirs, ProcText.lines(copy), f);
            for (String line : theirs) {
                for (int limit : new int[] {0, 6}) {
                    assertArrayEquals(line.trim().split("\\s+", limit), ProcText.fields(line, limit), f + ": " + line);
                }
            }
        }
    }

    @Test
    void linesWithAndWithoutAFinalLineEnd(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a"), "one\ntwo  three\n\nlast");
        assertEquals(Files.readAllLines(a), ProcText.lines(a));
        Path b = Files.writeString(dir.resolve("b"), "one\n");
        assertEquals(Files.readAllLines(b), ProcText.lines(b));
        Path c = Files.writeString(dir.resolve("c"), "");
        assertEquals(Files.readAllLines(c), ProcText.lines(c));
        Path d = Files.write(dir.resolve("d"), "7f00-7f01 rw-s 0 00:01 12 /tmp/caf\u00e9 (deleted)\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(Files.readAllLines(d), ProcText.lines(d));
    }

    /** Random lines of fields, spaces, tabs and other control characters, cut both ways with several limits. */
    @Test
    void fieldsAsTheRegexCutsThem() {
        String alphabet = "ab1/ \t\u000b\f\r\u0001-(";
        SplittableRandom random = new SplittableRandom(13);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder s = new StringBuilder();
            int len = random.nextInt(12);
            for (int k = 0; k < len; k++) {
                s.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String line = s.toString();
            for (int limit : new int[] {0, 1, 2, 3, 6}) {
                assertArrayEquals(line.trim().split("\\s+", limit), ProcText.fields(line, limit), "[" + line + "] limit " + limit);
            }
        }
    }

    /** A stat line's fields after a command name holding spaces and ") ", numbered as proc(5) numbers them. */
    @Test
    void statFieldsAreCountedAfterTheCommandName() throws Exception {
        String stat = "4242 (a) b (c) S 1 4242 4242 0 -1 4194560 120 0 0 0 7 3 11 13 20 0 1 0 987654 8765432 100\n";
        assertEquals("S", ProcText.statField(stat, 3));
        assertEquals("1", ProcText.statField(stat, 4));
        assertEquals("7", ProcText.statField(stat, 14));
        assertEquals("13", ProcText.statField(stat, 17));
        assertEquals("987654", ProcText.statField(stat, 22));
        assertEquals("100", ProcText.statField(stat, 24));
        assertEquals(null, ProcText.statField(stat, 25));
        assertEquals(null, ProcText.statField("no name here", 3));
        String self = Files.readString(Path.of("/proc/self/stat"));
        assertEquals(self.substring(self.lastIndexOf(')') + 2).trim().split(" ")[19], ProcText.statField(self, 22));
    }
}
