package org.shmconform.cli;

import java.util.concurrent.Callable;
import org.shmconform.engine.Subjects;
import org.shmconform.model.Property;
import org.shmconform.model.SeedCoverage;
import org.shmconform.reports.RunSummary;
import org.shmconform.scenarios.NamedSuite;
import org.shmconform.scenarios.Scenario;
import picocli.CommandLine.Command;

/**
 * {@code shmconform list}: the backends (available here or why not), the scenarios, the properties, and the seed
 * statements with the properties that test them or why none does; nothing is run.
 */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List backends (with availability), scenarios, properties and"
        + " the seed statements' coverage.")
final class ListCommand implements Callable<Integer> {
    @picocli.CommandLine.Option(names = "--json", description = "Machine output: one JSON object with the columns, scenarios, properties and coverage"
            + " (as results.json's, without verdicts).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (json) {
            JsonOutput.print(JsonOutput.list());
            return Shmconform.OK;
        }
        System.out.println("Backends (columns):");
        for (String name : Columns.allNames()) {
            RunSummary.Column c = Columns.describe(name);
            System.out.printf("  %-10s %s%n             %s%n             declares: %s%n", c.name(),
                    c.available() ? "available" : c.unavailableWord() + ": " + c.reason(), c.mechanism(),
                    c.declared().isEmpty() ? "nothing readable (see the reason)" : c.declared());
            // The Qt columns: how their worker was built and where its root lives.
            String built = Subjects.here().named(name).map(s -> s.start().provenance()).orElse("");
            if (!built.isEmpty()) {
                System.out.printf("             built: %s%n", built);
            }
        }
        System.out.println("\nScenarios:");
        for (Scenario s : NamedSuite.all()) {
            System.out.printf("  %-26s %s%n  %-26s checks %s%n", s.id(), s.title(), "",
                    s.properties().stream().map(Property::id).toList());
        }
        System.out.println("\nProperties (sentence ids):");
        for (Property p : Property.values()) {
            System.out.printf("  %-24s [%s] %s%n", p.id(), p.source(), p.sentence());
        }
        System.out.println("\nSeed statements (docs/seed-sentences.md) and what tests them; " + SeedCoverage.summary());
        for (SeedCoverage.Row r : SeedCoverage.rows()) {
            System.out.printf("  %-4s %s%n       %s%n", r.id(), r.statement(), r.coverageText());
        }
        return Shmconform.OK;
    }
}
