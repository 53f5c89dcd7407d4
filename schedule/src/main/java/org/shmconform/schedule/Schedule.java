package org.shmconform.schedule;

import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.shmconform.spi.files.SafeFiles;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A multi-process schedule as plain data: the workers and the steps, in issue order. Named
 * scenarios and generated schedules are both schedules, and both replay from their JSON file.
 */
public record Schedule(String name, Long seed, List<WorkerSpec> workers, List<Step> steps) {
    /** The schedule file format's mapper (the strict reading is {@link ScheduleValidation}'s). */
    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public Schedule withSteps(List<Step> newSteps) {
        return new Schedule(name, seed, workers, newSteps);
    }

    public Schedule withWorkers(List<WorkerSpec> newWorkers, List<Step> newSteps) {
        return new Schedule(name, seed, newWorkers, newSteps);
    }

    public void save(Path file) throws IOException {
        // A link at its place is replaced, never followed.
        SafeFiles.writeString(file, JSON.copy().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(this) + "\n");
    }

    /**
     * Reads a schedule file strictly and checks it with {@link ScheduleValidation}: an unknown field,
     * operation or worker, a bad mode or an argument out of range is a {@link ScheduleValidation.InvalidSchedule}
     * with a one-line message, before any worker starts.
     */
    public static Schedule load(Path file, ScheduleValidation.Vocabulary known) throws IOException {
        return ScheduleValidation.parse(Files.readString(file), file.toString(), known);
    }
}
