package org.shmconform.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.spi.Args;

/**
 * A history event carries its arguments as one {@link Args}, yet the .jsonl keeps its flat shape:
 * golden/history-before-args.jsonl was written by the code before Args and must read and write
 * back byte for byte.
 */
class HistoryFormatTest {
    private static Path golden(Path dir) throws Exception {
        Path file = dir.resolve("history.jsonl");
        Files.write(file, HistoryFormatTest.class.getResourceAsStream("/golden/history-before-args.jsonl").readAllBytes());
        return file;
    }

    @Test
    void aHistoryWrittenBeforeArgsReadsAndWritesByteForByte(@TempDir Path dir) throws Exception {
        Path file = golden(dir);
        History h = History.read(file);
        Path again = dir.resolve("again.jsonl");
        h.write(again);
        assertEquals(Files.readString(file, StandardCharsets.UTF_8), Files.readString(again, StandardCharsets.UTF_8));
        assertEquals(h.events(), History.read(again).events());
    }

    @Test
    void theArgumentsLandInArgs(@TempDir Path dir) throws Exception {
        List<HistoryEvent> events = History.read(golden(dir)).events();
        assertEquals(new Args("k", 0L, "ReadWrite", null, null, null, null), events.get(0).args());
        assertEquals(new Args(null, null, null, 0L, null, "68c3a96c6c6f", null), events.get(2).args());
        assertEquals("0001ff", events.get(4).data());
        assertEquals("64", events.get(5).value());
        assertEquals(Args.NONE, events.get(6).args());
    }

    @Test
    void aSleepsDurationIsNotPartOfTheHistory() {
        History h = new History();
        HistoryEvent e = h.append(new HistoryEvent(7, 1, "A", EventType.invoke, "sleep", Args.NONE.withMs(20L), null, null,
                null, null, null));
        assertEquals(0, e.index());
        assertNull(e.args().ms());
        assertEquals("{\"index\":0,\"time\":1,\"process\":\"A\",\"type\":\"invoke\",\"f\":\"sleep\"}\n", h.toJsonLines());
    }

    @Test
    void handOverArgumentsAndAChildSurviveTheFile(@TempDir Path dir) throws Exception {
        History h = new History();
        h.append(new HistoryEvent(0, 1, "A", EventType.invoke, "serveFd", Args.NONE.withPath("h").withPeer("nobody"), null, null,
                null, null, null));
        h.append(new HistoryEvent(0, 2, "A", EventType.invoke, "spawnChild", Args.NONE.withChild("C"), null, null, null, null, null));
        Path file = dir.resolve("h.jsonl");
        h.write(file);
        assertEquals(h.events(), History.read(file).events());
        assertEquals("C", History.read(file).events().get(1).child());
    }
}
