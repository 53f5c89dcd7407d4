package org.shmconform.reports;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.shmconform.checker.ScenarioResult;

/**
 * results.json, in the format of the JSON Schema published at {@value #SCHEMA_RESOURCE} (a test validates
 * what this writes against it). On top of the records as they are: each scenario run's verdict and
 * one-line reason ({@code why}), no reason written as null (never ""), every path relative to the
 * report folder (Jackson alone writes a Path as an absolute file:// address), and the seed statements'
 * coverage with this run's verdicts ({@code coverage}, {@link CoverageTable}).
 */
public final class ResultsJson {
    /** The schema on the class path (reports/src/main/resources/schema/ in the repository). */
    public static final String SCHEMA_RESOURCE = "/schema/shmconform-results-2.json";

    /** Fields that hold a reason: "" there means "no reason", and is written as null. */
    private static final Set<String> REASONS = Set.of("why", "reason", "shrunkWhy");

    private ResultsJson() {
    }

    /** The text of results.json for a report written to {@code folder}. */
    public static String render(Path folder, RunSummary run) {
        ObjectMapper json = ReportJson.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT)
                .registerModule(new SimpleModule("relative-paths").addSerializer(Path.class, new RelativePath(folder)));
        ObjectNode root = json.valueToTree(run);
        ArrayNode results = (ArrayNode) root.get("results");
        for (int i = 0; i < results.size(); i++) {
            results.set(i, withVerdict((ObjectNode) results.get(i), run.results().get(i)));
        }
        JsonNode baseline = root.get("baseline");
        if (baseline != null && baseline.hasNonNull("file")) {
            ((ObjectNode) baseline).put("file", relative(folder, Path.of(baseline.get("file").asText())));
        }
        root.set("coverage", json.valueToTree(CoverageTable.of(run)));
        noEmptyReasons(root);
        try {
            return json.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The run's fields in their order, with "verdict" and "why" after "env". */
    private static ObjectNode withVerdict(ObjectNode node, ScenarioResult r) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> f : node.properties()) {
            if (f.getKey().equals("verdict") || f.getKey().equals("why")) {
                continue;
            }
            out.set(f.getKey(), f.getValue());
            if (f.getKey().equals("env")) {
                out.put("verdict", r.verdict().name());
                out.put("why", RunVerdict.reason(r));
            }
        }
        if (!out.hasNonNull("notes")) {
            out.set("notes", JsonNodeFactory.instance.arrayNode());
        }
        for (JsonNode p : out.path("properties")) {
            if (!p.hasNonNull("observations")) {
                ((ObjectNode) p).set("observations", JsonNodeFactory.instance.arrayNode());
            }
        }
        return out;
    }

    private static void noEmptyReasons(JsonNode node) {
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            for (Map.Entry<String, JsonNode> f : o.properties()) {
                if (REASONS.contains(f.getKey()) && f.getValue().isTextual() && f.getValue().asText().isBlank()) {
                    f.setValue(JsonNodeFactory.instance.nullNode());
                } else {
                    noEmptyReasons(f.getValue());
                }
            }
        } else if (node.isArray()) {
            node.forEach(ResultsJson::noEmptyReasons);
        }
    }

    /**
     * {@code p} relative to the report folder, '/'-separated. A relative path that does not start with the
     * folder is taken as relative to it already (the evidence paths the engine records are).
     */
    static String relative(Path folder, Path p) {
        Path r;
        if (p.startsWith(folder)) {
            r = folder.relativize(p);
        } else if (p.isAbsolute()) {
            r = folder.toAbsolutePath().normalize().relativize(p.normalize());
        } else {
            r = p.normalize();
        }
        String s = r.toString().replace('\\', '/');
        return s.isEmpty() ? "." : s;
    }

    private static final class RelativePath extends StdSerializer<Path> {
        private final Path folder;

        RelativePath(Path folder) {
            super(Path.class);
            this.folder = folder;
        }

        @Override
        public void serialize(Path value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(relative(folder, value));
        }
    }
}
