package org.shmconform.history;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.shmconform.spi.files.SafeFiles;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** An append-only history of one schedule's execution, written as JSON lines. */
public final class History {
    /** The history file format: one {@link HistoryEvent} per line. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private final List<HistoryEvent> events = new ArrayList<>();

    public History() {
    }

    public History(List<HistoryEvent> events) {
        this.events.addAll(events);
    }

    /** Appends an event, numbering it; returns it with its index. */
    public synchronized HistoryEvent append(HistoryEvent e) {
        HistoryEvent numbered = e.withIndex(events.size());
        events.add(numbered);
        return numbered;
    }

    public synchronized List<HistoryEvent> events() {
        return Collections.unmodifiableList(new ArrayList<>(events));
    }

    public String toJsonLines() {
        return events().stream().map(History::line).collect(Collectors.joining("\n", "", "\n"));
    }

    private static String line(HistoryEvent e) {
        try {
            return JSON.writeValueAsString(e);
        } catch (JsonProcessingException x) {
            throw new UncheckedIOException(x);
        }
    }

    public void write(Path file) {
        try {
            SafeFiles.writeString(file, toJsonLines()); // a link at its place is replaced, never followed
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static History read(Path file) throws IOException {
        List<HistoryEvent> list = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                list.add(JSON.readValue(line, HistoryEvent.class));
            }
        }
        return new History(list);
    }
}
