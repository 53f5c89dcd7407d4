package org.shmconform.harness.history;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import org.shmconform.harness.protocol.WorkerProtocol;

/** An append-only history of one schedule's execution, written as JSON lines. */
public final class History {
    private final List<HistoryEvent> events = new ArrayList<>();

    public History() {
    }

    public History(List<HistoryEvent> events) {
        this.events.addAll(events);
    }

    /** Appends an event, numbering it; returns it with its index. */
    public synchronized HistoryEvent append(HistoryEvent e) {
        HistoryEvent numbered = new HistoryEvent(events.size(), e.time(), e.process(), e.type(), e.f(), e.key(), e.size(),
                e.mode(), e.offset(), e.length(), e.data(), e.value(), e.error(), e.errorString(), e.exitStatus(), e.note());
        events.add(numbered);
        return numbered;
    }

    public synchronized List<HistoryEvent> events() {
        return Collections.unmodifiableList(new ArrayList<>(events));
    }

    public String toJsonLines() {
        return events().stream().map(WorkerProtocol::encode).collect(Collectors.joining("\n", "", "\n"));
    }

    public void write(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, toJsonLines());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static History read(Path file) throws IOException {
        List<HistoryEvent> list = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                list.add(WorkerProtocol.json().readValue(line, HistoryEvent.class));
            }
        }
        return new History(list);
    }
}
