package org.shmconform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load test's own checks, on hand-written files: they must be able to fail. */
class LoadVerdictsChecksTest {
    private static final String SCHEDULE = """
            {"name":"s","workers":[{"id":"A"},{"id":"B"}],"steps":[
             {"worker":"A","op":"create","key":"k","size":64},{"worker":"B","op":"attach","key":"k"},
             {"worker":"A","op":"lock"},{"worker":"A","op":"kill"},{"worker":"B","op":"lock"}]}
            """;

    @TempDir
    Path dir;

    @Test
    void aHistoryWithEveryStepMissesNothing() throws IOException {
        Path history = history("""
                {"index":0,"process":"A","type":"invoke","f":"create"}
                {"index":1,"process":"A","type":"ok","f":"create"}
                {"index":2,"process":"B","type":"invoke","f":"attach"}
                {"index":3,"process":"B","type":"ok","f":"attach"}
                {"index":4,"process":"A","type":"invoke","f":"lock"}
                {"index":5,"process":"nemesis","type":"invoke","f":"kill","value":"A"}
                {"index":6,"process":"A","type":"info","f":"lock"}
                {"index":7,"process":"nemesis","type":"ok","f":"kill","value":"A"}
                {"index":8,"process":"B","type":"invoke","f":"lock"}
                {"index":9,"process":"B","type":"ok","f":"lock"}
                """);
        assertEquals("", LoadVerdictsIT.missingSteps(schedule(), history));
    }

    @Test
    void aSkippedStepIsFound() throws IOException {
        // B's lock was never issued (the old engine's "step lock for dead worker B skipped").
        Path history = history("""
                {"index":0,"process":"A","type":"invoke","f":"create"}
                {"index":1,"process":"A","type":"ok","f":"create"}
                {"index":2,"process":"B","type":"invoke","f":"attach"}
                {"index":3,"process":"B","type":"info","f":"attach"}
                {"index":4,"process":"A","type":"invoke","f":"lock"}
                {"index":5,"process":"A","type":"ok","f":"lock"}
                """);
        assertEquals("steps not performed: B invoked 1 of its 2 steps", LoadVerdictsIT.missingSteps(schedule(), history));
    }

    @Test
    void theDefaultSubsetHasEveryLockTruncationCrashAndKillScenario() {
        List<String> subset = LoadVerdictsIT.timingSensitiveScenarios();
        assertTrue(subset.containsAll(List.of("lock-excludes", "lock-holder-killed", "lock-survives-failed-create",
                "producer-consumer", "truncate-under-reader", "crash-survives", "read-only", "interop-lock",
                "interop-qt-creator-crashes", "interop-java-creator-crashes")), subset.toString());
        assertTrue(!subset.contains("data-shared") && !subset.contains("attach-missing"), subset.toString());
    }

    private Path schedule() throws IOException {
        return Files.writeString(dir.resolve("s.schedule.json"), SCHEDULE);
    }

    private Path history(String lines) throws IOException {
        return Files.writeString(dir.resolve("s.history.jsonl"), lines);
    }
}
