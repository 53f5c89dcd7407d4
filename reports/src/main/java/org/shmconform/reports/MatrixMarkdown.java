package org.shmconform.reports;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;
import org.shmconform.fuzz.FuzzResult;
import org.shmconform.model.Property;

/** matrix.md: property × column, each cell linked to the history that decided it, then the differences. */
final class MatrixMarkdown {
    private MatrixMarkdown() {
    }

    static String render(RunSummary run) {
        return render(run, Latency.none());
    }

    static String render(RunSummary run, Latency latency) {
        List<String> columns = run.columns().stream().map(RunSummary.Column::name).toList();
        StringBuilder md = new StringBuilder();
        md.append("# shmconform compatibility matrix\n\n");
        md.append("Run `").append(run.runId()).append("`, ").append(run.started()).append(", ")
                .append(run.millis() / 1000).append(" s. Kernel ").append(run.environment().get("kernel"))
                .append(". Verdicts: PASS, DEVIATES (differs from the documentation as the backend declares), FAIL, UNKNOWN, NOT_AVAILABLE (the capability is missing on this machine; the reason says which).\n\n");
        md.append("**").append(RunVerdict.of(run).line(null)).append("**\n\n");
        if (run.interrupted()) {
            md.append("> Interrupted (SIGINT or SIGTERM): this report holds only the scenario runs that finished.\n\n");
        }
        md.append(attention(run));
        md.append(leftInPlace(run));
        for (String env : environments(run)) {
            md.append("## Environment `").append(env).append("`\n\n");
            md.append("| property |");
            columns.forEach(c -> md.append(' ').append(c).append(" |"));
            md.append("\n|---|");
            columns.forEach(c -> md.append("---|"));
            md.append('\n');
            List<ScenarioResult> inEnv = run.results().stream().filter(r -> r.env().equals(env)).toList();
            for (String property : properties(inEnv)) {
                md.append("| ").append(property).append(" |");
                for (String column : columns) {
                    Cell cell = Cell.of(property, column, inEnv);
                    md.append(' ').append(cell == null ? "–" : link(cell)).append(" |");
                }
                md.append('\n');
            }
            md.append('\n');
        }
        md.append(fuzz(run));
        md.append(baseline(run));
        md.append(unavailable(run));
        md.append(differences(run));
        md.append(observations(run, columns));
        md.append(latency.markdown());
        md.append(sentences(run));
        md.append(seedStatements(run, columns));
        return md.toString();
    }

    private static String link(Cell cell) {
        String target = cell.decidedBy().historyFile();
        String text = cell.label();
        if (cell.verdict() == Verdict.NOT_AVAILABLE || target == null) {
            return text;
        }
        String anchor = cell.result().eventIndex() == null ? "" : " @line " + (cell.result().eventIndex() + 1);
        return "[" + text + "](" + target + ")" + (cell.verdict() == Verdict.PASS ? "" : anchor);
    }

    private static String fuzz(RunSummary run) {
        if (run.fuzz() == null || run.fuzz().isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("## Generated schedules (fuzz)\n\n| column | schedules | operations | ops/s | found |\n|---|---|---|---|---|\n");
        for (FuzzResult f : run.fuzz()) {
            md.append("| ").append(f.backend()).append(" | ").append(f.schedulesRun()).append(" | ").append(f.operationsRun())
                    .append(String.format(" | %.1f | ", f.operationsPerSecond()));
            if (f.failures().isEmpty()) {
                md.append("nothing (not falsified; first seed ").append(f.firstSeed()).append(")");
            }
            for (FuzzResult.Failure x : f.failures()) {
                md.append("**FAIL** ").append(x.property()).append(" at seed ").append(x.seed()).append(" (").append(x.rate())
                        .append("), ").append(x.shrinkSummary()).append(": `").append(x.replayFile()).append("` ");
            }
            f.unknown().forEach(u -> md.append(" UNKNOWN ").append(cellText(u)).append(';'));
            md.append(" |\n");
        }
        return md.append('\n').toString();
    }

    /**
     * What sets the exit status, first and in words: every FAIL and UNKNOWN scenario run with its reason,
     * every fuzz failure that reproduced or schedule that could not be judged, every baseline regression.
     */
    static List<String> attentionItems(RunSummary run) {
        List<String> items = new ArrayList<>();
        for (ScenarioResult r : run.results()) {
            if (!r.verdict().expected()) {
                items.add(r.verdict() + " " + r.column() + " / " + r.env() + " / `" + r.scenario() + "`: " + RunVerdict.reason(r)
                        + (r.historyFile() == null ? "" : " — " + r.historyFile()));
            }
        }
        if (run.fuzz() != null) {
            for (FuzzResult f : run.fuzz()) {
                for (FuzzResult.Failure x : f.failures()) {
                    items.add("FAIL fuzz " + f.backend() + ": " + x.property() + " at seed " + x.seed() + " (" + x.rate() + "): "
                            + x.why() + " — replay: `shmconform replay " + x.replayFile() + "`");
                }
                f.unknown().forEach(u -> items.add("UNKNOWN fuzz " + f.backend() + ": " + u));
            }
        }
        if (run.baseline() != null) {
            run.baseline().regressions().forEach(r -> items.add("REGRESSION against " + run.baseline().file() + ": " + r));
        }
        return items;
    }

    private static String attention(RunSummary run) {
        List<String> items = attentionItems(run);
        if (items.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("## Failures, unknowns and regressions\n\n");
        items.forEach(i -> md.append("- ").append(i.startsWith("FAIL") || i.startsWith("REGRESSION") ? "**" + i.substring(0, i.indexOf(' ')) + "**"
                + i.substring(i.indexOf(' ')) : i).append('\n'));
        return md.append('\n').toString();
    }

    /** The heading and first sentence of {@link RunSummary#leftInPlace}'s section, in matrix.md and matrix.html alike. */
    static final String LEFT_IN_PLACE = "Left in place by the reaper";
    static final String LEFT_IN_PLACE_WHY = "Not this run's to remove, or not provably: no verdict depends on it.";

    /** {@link RunSummary#leftInPlace}, said where a reader of the report sees it: no verdict, but a fix to make. */
    private static String leftInPlace(RunSummary run) {
        if (run.leftInPlace().isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("## " + LEFT_IN_PLACE + "\n\n" + LEFT_IN_PLACE_WHY + "\n\n");
        run.leftInPlace().forEach(line -> md.append("- ").append(cellText(line)).append('\n'));
        return md.append('\n').toString();
    }

    private static String baseline(RunSummary run) {
        if (run.baseline() == null) {
            return "";
        }
        StringBuilder md = new StringBuilder("## Baseline\n\nCompared with `").append(run.baseline().file()).append("`: ");
        if (run.baseline().regressions().isEmpty()) {
            md.append("no regression.\n\n");
        } else {
            md.append(RunVerdict.plural(run.baseline().regressions().size(), "regression")).append(".\n\n");
            run.baseline().regressions().forEach(r -> md.append("- **REGRESSION** ").append(cellText(r.toString())).append('\n'));
            md.append('\n');
        }
        return md.append(changes(run.baseline())).toString();
    }

    /** Every changed cell with both sides, as 'shmconform diff' prints them (the baseline's histories under its own folder). */
    private static String changes(Baseline.Outcome b) {
        if (b.changes().isEmpty()) {
            return "";
        }
        java.nio.file.Path old = java.nio.file.Path.of(b.file()).getParent();
        StringBuilder md = new StringBuilder("Every changed cell (").append(new RunDiff(b.changes()).tally()).append("):\n\n");
        for (RunDiff.Change c : b.changes()) {
            md.append("- **").append(c.kind()).append("** ").append(cellText(c.headline()))
                    .append("\n  - old: ").append(c.before() == null ? "not in the run" : cellText(c.before().text(old)))
                    .append("\n  - new: ").append(c.after() == null ? "not in the run" : cellText(c.after().text(null))).append('\n');
        }
        return md.append('\n').toString();
    }

    static String cellText(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    }

    private static String unavailable(RunSummary run) {
        StringBuilder md = new StringBuilder();
        for (RunSummary.Column c : run.columns()) {
            if (!c.available()) {
                md.append("- **").append(c.name()).append("** ").append(c.unavailableWord()).append(": ").append(c.reason()).append('\n');
            }
        }
        Set<String> seen = new LinkedHashSet<>();
        for (ScenarioResult r : run.results()) {
            if (r.verdict() == Verdict.NOT_AVAILABLE && seen.add(r.column() + "|" + r.env() + "|" + r.reason())) {
                md.append("- ").append(r.column()).append(" in ").append(r.env()).append(" NOT_AVAILABLE: ")
                        .append(r.reason()).append('\n');
            }
        }
        return md.length() == 0 ? "" : "## Not available here\n\n" + md + "\n";
    }

    private static String differences(RunSummary run) {
        StringBuilder md = new StringBuilder();
        for (ScenarioResult r : run.results()) {
            for (PropertyResult p : r.properties()) {
                if (p.verdict() == Verdict.PASS || p.verdict() == Verdict.NOT_AVAILABLE) {
                    continue;
                }
                md.append("- **").append(p.verdict()).append("** ").append(r.column()).append(" / ").append(r.env())
                        .append(" / ").append(p.property()).append(" in `").append(r.scenario()).append("`: ")
                        .append(cellText(p.why() != null ? p.why() : RunVerdict.reason(r)));
                if (r.historyFile() != null) {
                    md.append(" — [history](").append(r.historyFile()).append(")");
                    if (p.eventIndex() != null) {
                        md.append(" line ").append(p.eventIndex() + 1); // as an editor numbers the file's lines
                    }
                    md.append(", [schedule](").append(r.scheduleFile()).append(")");
                }
                md.append('\n');
            }
        }
        return md.length() == 0 ? "## Differences from the documentation\n\nNone found.\n\n"
                : "## Differences from the documentation\n\n" + md + "\n";
    }

    private static String observations(RunSummary run, List<String> columns) {
        StringBuilder md = new StringBuilder("## Where the documentation is silent: what happened\n\n");
        for (String column : columns) {
            List<String> seen = silentObservations(run, column);
            if (!seen.isEmpty()) {
                md.append("- **").append(column).append("**: ").append(String.join("; ", seen)).append('\n');
            }
        }
        return md.append('\n').toString();
    }

    /**
     * What a column did where the documentation leaves the branch open (lock after death, key of, create(), truncate, crash,
     * detach while), where its objects live (placement of ...: seeds M6, L1, L2, L4) and what its temporary files did (M3).
     */
    static List<String> silentObservations(RunSummary run, String column) {
        Set<String> seen = new LinkedHashSet<>();
        for (ScenarioResult r : run.results()) {
            if (r.column().equals(column)) {
                r.properties().forEach(p -> p.observations().stream()
                        .filter(o -> o.startsWith("lock") || o.startsWith("key of") || o.startsWith("create(") || o.startsWith("truncate")
                                || o.startsWith("crash") || o.startsWith("detach while")
                                || o.startsWith(org.shmconform.model.PlacementRules.PREFIX)
                                || o.startsWith(org.shmconform.model.TemporaryFileRules.PREFIX))
                        .forEach(seen::add));
            }
        }
        return new ArrayList<>(seen);
    }

    private static String sentences(RunSummary run) {
        StringBuilder md = new StringBuilder("## The sentences checked\n\n| id | source | sentence |\n|---|---|---|\n");
        for (Property p : Property.values()) {
            md.append("| ").append(p.id()).append(" | ").append(p.source()).append(" | ")
                    .append(p.sentence().replace("|", "\\|")).append(" |\n");
        }
        return md.append('\n').toString();
    }

    /** Every seed statement: the properties that test it and their verdicts per column, or why it is not tested. */
    private static String seedStatements(RunSummary run, List<String> columns) {
        List<CoverageTable.Row> rows = CoverageTable.of(run);
        StringBuilder md = new StringBuilder("## Seed statements\n\n").append(CoverageTable.LEGEND).append("\n\n")
                .append(CoverageTable.figures(rows, true)).append("\n\n| id | statement | coverage |");
        columns.forEach(c -> md.append(' ').append(c).append(" |"));
        md.append("\n|---|---|---|");
        columns.forEach(c -> md.append("---|"));
        md.append('\n');
        for (CoverageTable.Row r : rows) {
            md.append("| ").append(r.id()).append(" | ").append(cellText(r.statement())).append(" | ")
                    .append(cellText(CoverageTable.coverageText(r))).append(" |");
            for (String c : columns) {
                CoverageTable.Tally t = r.verdicts().get(c);
                md.append(' ').append(!r.status().equals("TESTED") ? "" : t == null ? "–"
                        : t.worst() == Verdict.FAIL ? "**" + t.text() + "**" : t.text()).append(" |");
            }
            md.append('\n');
        }
        return md.append('\n').toString();
    }

    static List<String> environments(RunSummary run) {
        return new ArrayList<>(new LinkedHashSet<>(run.results().stream().map(ScenarioResult::env).toList()));
    }

    static List<String> properties(List<ScenarioResult> results) {
        Set<String> ids = new LinkedHashSet<>();
        for (Property p : Property.values()) {
            if (results.stream().anyMatch(r -> r.properties().stream().anyMatch(x -> x.property().equals(p.id())))) {
                ids.add(p.id());
            }
        }
        return new ArrayList<>(ids);
    }
}
