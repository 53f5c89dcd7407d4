package org.shmconform.scenarios;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which part of the named suite a test run covers, from comma lists in system properties (Maven passes
 * {@code -D} options on to the test JVM): {@code shmconform.scenario} (scenario ids),
 * {@code shmconform.column} (backend names or {@code qt}) and {@code shmconform.env} (environment
 * names). An unset property selects everything; a name that does not exist is an error, so a typo
 * cannot turn into a run of nothing that passes.
 */
record SuiteSelection(Set<String> scenarios, Set<String> columns, Set<String> envs) {
    static final String SCENARIO = "shmconform.scenario";
    static final String COLUMN = "shmconform.column";
    static final String ENV = "shmconform.env";

    static SuiteSelection fromSystemProperties() {
        return new SuiteSelection(list(SCENARIO), list(COLUMN), list(ENV));
    }

    /** The test's name in every report: column and environment, then the scenario id. */
    static String displayName(SuiteRunner.Job job) {
        return "[" + job.column() + "/" + job.env() + "] " + job.scenario().id();
    }

    /** Where the suite is written, relative to this module (the directory Maven runs tests in): in the scenarios module. */
    static final Path NAMED_SUITE_SOURCE = Path.of("..", "scenarios", "src", "main", "java", "org", "shmconform", "scenarios",
            "NamedSuite.java");

    /**
     * The line of NamedSuite.java that names the scenario, as a file URI with a position (JUnit's test
     * source for a dynamic test); the file alone when the source is not at hand.
     */
    static URI definition(Scenario scenario) {
        URI file = NAMED_SUITE_SOURCE.toAbsolutePath().normalize().toUri();
        String quoted = "\"" + scenario.id() + "\"";
        try {
            List<String> lines = Files.readAllLines(NAMED_SUITE_SOURCE);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains(quoted)) {
                    return URI.create(file + "?line=" + (i + 1));
                }
            }
        } catch (IOException e) {
            // Running outside the module (e.g. from a jar): the file is still the best pointer.
        }
        return file;
    }

    /** The environments to set up: the chosen ones, in the suite's order. */
    List<String> environments(List<String> known) {
        check(ENV, envs, known);
        return known.stream().filter(selects(envs)).toList();
    }

    /** {@link SuiteRunner#plan} on the selected scenarios, columns and environments. */
    List<SuiteRunner.Job> plan(List<Scenario> all, List<String> allColumns, List<String> allEnvs) {
        check(SCENARIO, scenarios, all.stream().map(Scenario::id).toList());
        check(COLUMN, columns, allColumns);
        List<SuiteRunner.Job> jobs = SuiteRunner.plan(all.stream().filter(s -> selects(scenarios).test(s.id())).toList(),
                allColumns.stream().filter(selects(columns)).toList(), environments(allEnvs));
        if (jobs.isEmpty()) {
            throw new IllegalArgumentException("the selection " + this + " matches no scenario run (a scenario may apply"
                    + " only to some columns, or need two environments)");
        }
        return jobs;
    }

    private static Predicate<String> selects(Set<String> chosen) {
        return name -> chosen.isEmpty() || chosen.contains(name);
    }

    private static void check(String property, Set<String> chosen, List<String> known) {
        for (String name : chosen) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException("-D" + property + ": no such name '" + name + "'; known: " + known);
            }
        }
    }

    private static Set<String> list(String property) {
        String value = System.getProperty(property, "").trim();
        Set<String> names = new LinkedHashSet<>();
        Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(names::add);
        return names;
    }

    @Override
    public String toString() {
        return SCENARIO + "=" + scenarios + " " + COLUMN + "=" + columns + " " + ENV + "=" + envs;
    }
}
