package org.shmconform.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.shmconform.history.Execution;
import org.shmconform.history.History;
import org.shmconform.model.Property;
import org.shmconform.model.ReferenceSemantics;
import org.shmconform.spi.BackendSemantics;

/**
 * Histories real Qt wrote in a fuzz campaign whose checker then called them FAIL, kept as they were written
 * ({@code src/test/resources/histories}): each must now be legal as its column declares. The model's rule each one
 * asks for is tested on its own next to the others (Qt68ProfilesTest names the seed).
 */
class RealQtHistoriesTest {
    private static final String COLUMN = "qt68-sysv-safe";

    /**
     * Each the campaign's history and its shrunk one, on real Qt 6.8.2, 3 of 3: qt68-sysv-safe seed 31860 (fuzz --length
     * 64 --seed 31337 --seconds 60, LOCK-EXCLUSIVE, 9 steps shrunk), seed 6452 (--seed 4242, CRASH-SURVIVES, 7 steps) and
     * seed 7734 (--seed 5050, API-CONTRACT, 10 steps, on 2026-12-07).
     */
    @ParameterizedTest
    @ValueSource(strings = {"qt68-sysv-safe-31860", "qt68-sysv-safe-31860-shrunk", "qt68-sysv-safe-6452",
            "qt68-sysv-safe-6452-shrunk", "qt68-sysv-safe-7734", "qt68-sysv-safe-7734-shrunk"})
    void legalAsDeclared(String name) throws IOException {
        History history = History.read(Path.of("src/test/resources/histories", name + ".history.jsonl"));
        ScheduleChecker.Outcome outcome = ScheduleChecker.check(execution(history), COLUMN, List.of(Property.values()),
                DECLARATIONS);
        assertEquals(CheckResult.Status.LINEARIZABLE, outcome.declared().status(), () -> outcome.declared().why());
        assertNotEquals(CheckResult.Status.LINEARIZABLE, outcome.documented().status(), "the documentation rules it out");
    }

    private static Execution execution(History history) {
        Map<String, Execution.WorkerInfo> workers = new LinkedHashMap<>();
        new TreeSet<>(history.events().stream().map(e -> e.process()).filter(p -> !p.equals("nemesis")).toList())
                .forEach(id -> workers.put(id, new Execution.WorkerInfo(id, COLUMN, "ipcns", 1, null, Map.of("ipc", "ipc:[1]"),
                        COLUMN, null)));
        return new Execution(COLUMN, "shmcfz", history, workers, List.of(), List.of());
    }

    /** The column's declaration as Qt68Profiles has it: Qt 6.8.2, System V, platformSafeKey. */
    private static final Declarations DECLARATIONS = new Declarations() {
        @Override
        public BackendSemantics semantics(String impl) {
            return ReferenceSemantics.QT_6_8_SYSV_SAFE;
        }

        @Override
        public String profileName(String impl) {
            return "qt-6.8-safe-sysv";
        }
    };
}
