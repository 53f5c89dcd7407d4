package org.shmconform.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.shmconform.conformance.ConformanceRun;
import org.shmconform.model.Property;
import org.shmconform.model.SeedCoverage;
import org.shmconform.reports.CoverageTable;
import org.shmconform.reports.RunVerdict;
import org.shmconform.scenarios.NamedSuite;
import org.shmconform.scenarios.Scenario;

/** {@code --json}: stdout is one JSON object for a program to read; what is for people goes to stderr meanwhile. */
final class JsonOutput {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonOutput() {
    }

    /** Runs {@code work} with System.out pointing at stderr when {@code json}, so only the JSON reaches stdout. */
    static <T> T humanToStderr(boolean json, Callable<T> work) throws Exception {
        if (!json) {
            return work.call();
        }
        PrintStream stdout = System.out;
        System.setOut(System.err);
        try {
            return work.call();
        } finally {
            System.setOut(stdout);
        }
    }

    static void print(Object value) throws Exception {
        System.out.println(JSON.writeValueAsString(value));
        System.out.flush();
    }

    /** What 'run' ends with: the verdict and counts as results.json has them, the summary line, where the report is. */
    static Map<String, Object> run(ConformanceRun.Outcome outcome) {
        RunVerdict v = RunVerdict.of(outcome.summary());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("verdict", v.word());
        m.put("counts", v.counts());
        m.put("summary", outcome.interrupted() ? "shmconform: INTERRUPTED — " + v.tally() : v.line(outcome.report().dir()));
        m.put("interrupted", outcome.interrupted());
        m.put("report", outcome.report().dir().toAbsolutePath().toString());
        m.put("resultsJson", outcome.report().resultsJson().toAbsolutePath().toString());
        m.put("matrixHtml", outcome.report().matrixHtml().toAbsolutePath().toString());
        m.put("junitXml", outcome.report().junitXml().toAbsolutePath().toString());
        return m;
    }

    /**
     * What 'list' prints, as data: each column as results.json describes it, each scenario, each property, each seed
     * statement's coverage and the figures of that coverage.
     */
    static Map<String, Object> list() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("columns", Columns.allNames().stream().map(Columns::describe).toList());
        List<Map<String, Object>> scenarios = new ArrayList<>();
        for (Scenario s : NamedSuite.all()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", s.id());
            e.put("title", s.title());
            e.put("properties", s.properties().stream().map(Property::id).toList());
            scenarios.add(e);
        }
        m.put("scenarios", scenarios);
        List<Map<String, Object>> properties = new ArrayList<>();
        for (Property p : Property.values()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", p.id());
            e.put("source", String.valueOf(p.source()));
            e.put("sentence", p.sentence());
            properties.add(e);
        }
        m.put("properties", properties);
        // The seed statements as results.json's "coverage" has them, with no verdicts: nothing ran.
        m.put("coverage", CoverageTable.withoutRun());
        m.put("coverageFigures", SeedCoverage.figures());
        return m;
    }
}
