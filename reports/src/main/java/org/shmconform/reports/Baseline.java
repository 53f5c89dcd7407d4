package org.shmconform.reports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;

/**
 * Compares a run with a baseline results.json, cell by cell (column, environment, scenario,
 * property). A regression is PASS or DEVIATES becoming FAIL, or an available cell becoming
 * NOT_AVAILABLE with a new reason. UNKNOWN alone is never a regression (it proves nothing, and it
 * fails the run by itself anyway).
 */
public final class Baseline {
    private Baseline() {
    }

    public record Regression(String cell, Verdict was, Verdict now, String why) {
        @Override
        public String toString() {
            return cell + ": " + was + " -> " + now + (why == null ? "" : " (" + why + ")");
        }
    }

    /** What the comparison found, as results.json records it. @param file the baseline as given on the command line */
    public record Outcome(String file, List<Regression> regressions) {
    }

    /** A baseline that cannot be used: the message is one line for the user. */
    public static final class InvalidBaseline extends Exception {
        public InvalidBaseline(String message) {
            super(message);
        }
    }

    /**
     * Reads and checks a baseline before anything runs: a JSON object of schema {@value RunSummary#SCHEMA}
     * with a results list whose entries name their scenario, column, environment and properties with verdicts.
     */
    public static RunSummary read(Path resultsJson) throws InvalidBaseline {
        String where = "baseline " + resultsJson;
        JsonNode root;
        try {
            root = ReportJson.MAPPER.readTree(Files.readString(resultsJson));
        } catch (JsonProcessingException e) {
            throw new InvalidBaseline(where + " is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidBaseline("cannot read " + where + ": " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidBaseline(where + " is not a results.json object");
        }
        JsonNode schema = root.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw new InvalidBaseline(where + " has no \"schema\"; expected \"" + RunSummary.SCHEMA + "\"");
        }
        if (!schema.asText().equals(RunSummary.SCHEMA)) {
            throw new InvalidBaseline(where + " has schema \"" + schema.asText() + "\"; this shmconform reads \""
                    + RunSummary.SCHEMA + "\"" + (schema.asText().startsWith("shmconform-results/") ? " (another version)" : ""));
        }
        JsonNode results = root.get("results");
        if (results == null || !results.isArray()) {
            throw new InvalidBaseline(where + " has no \"results\" list");
        }
        for (int i = 0; i < results.size(); i++) {
            checkResult(where + ": results[" + i + "]", results.get(i));
        }
        try {
            return ReportJson.MAPPER.treeToValue(root, RunSummary.class);
        } catch (JsonProcessingException e) {
            throw new InvalidBaseline(where + " does not match " + RunSummary.SCHEMA + ": " + e.getOriginalMessage());
        }
    }

    private static void checkResult(String where, JsonNode r) throws InvalidBaseline {
        if (!r.isObject()) {
            throw new InvalidBaseline(where + " is not an object");
        }
        for (String field : List.of("scenario", "column", "env")) {
            if (!r.path(field).isTextual()) {
                throw new InvalidBaseline(where + " has no \"" + field + "\"");
            }
        }
        JsonNode properties = r.get("properties");
        if (properties == null || !properties.isArray()) {
            throw new InvalidBaseline(where + " has no \"properties\" list");
        }
        for (int j = 0; j < properties.size(); j++) {
            JsonNode p = properties.get(j);
            String at = where + ".properties[" + j + "]";
            if (!p.path("property").isTextual()) {
                throw new InvalidBaseline(at + " has no \"property\"");
            }
            String verdict = p.path("verdict").asText(null);
            if (verdict == null || Arrays.stream(Verdict.values()).noneMatch(v -> v.name().equals(verdict))) {
                throw new InvalidBaseline(at + " has no valid \"verdict\" (one of " + Arrays.toString(Verdict.values()) + ")");
            }
        }
    }

    public static List<Regression> compare(RunSummary baseline, RunSummary current) {
        Map<String, PropertyResult> before = index(baseline.results());
        List<Regression> regressions = new ArrayList<>();
        index(current.results()).forEach((cell, now) -> {
            PropertyResult was = before.get(cell);
            if (was == null) {
                return;
            }
            boolean wasGood = was.verdict() == Verdict.PASS || was.verdict() == Verdict.DEVIATES;
            if (wasGood && now.verdict() == Verdict.FAIL
                    || was.verdict() != Verdict.NOT_AVAILABLE && now.verdict() == Verdict.NOT_AVAILABLE
                    && !String.valueOf(now.why()).equals(String.valueOf(was.why()))) {
                regressions.add(new Regression(cell, was.verdict(), now.verdict(), now.why()));
            }
        });
        regressions.sort(java.util.Comparator.comparing(Regression::cell));
        return regressions;
    }

    private static Map<String, PropertyResult> index(List<ScenarioResult> results) {
        Map<String, PropertyResult> m = new HashMap<>();
        for (ScenarioResult r : results) {
            for (PropertyResult p : r.properties()) {
                m.put(r.column() + "/" + r.env() + "/" + r.scenario() + "/" + p.property(), p);
            }
        }
        return m;
    }
}
