package org.shmconform.cli;

import java.util.List;
import org.shmconform.conformance.ConformanceRun;
import org.shmconform.engine.Subject;
import org.shmconform.engine.Subjects;
import org.shmconform.reports.RunSummary;

/** The matrix's columns as the report shows them: each is its {@link Subject}, asked, never special-cased. */
final class Columns {
    private Columns() {
    }

    static List<String> allNames() {
        return List.copyOf(Subjects.here().names());
    }

    static RunSummary.Column describe(String name) {
        // A plug-in that throws is a NOT_AVAILABLE column with the reason, never a crash (Subjects probes it guarded).
        // A partner-only worker (Subjects.partners()) is started next to a column by its scenarios; no suite runs on it.
        Subject s = Subjects.here().named(name).filter(x -> Subjects.here().names().contains(name))
                .orElseThrow(() -> new Shmconform.UsageException("no backend named '" + name + "'"
                        + (Subjects.here().named(name).isPresent() ? " (it is a partner-only worker, not a column)" : "")
                        + "; known: " + String.join(", ", allNames())));
        return ConformanceRun.describe(s);
    }
}
