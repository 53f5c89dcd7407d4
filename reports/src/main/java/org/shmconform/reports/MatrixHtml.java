package org.shmconform.reports;

import java.util.List;
import java.util.Locale;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;
import org.shmconform.history.ReportLayout;
import org.shmconform.fuzz.FuzzResult;
import org.shmconform.model.Property;

/**
 * matrix.html: everything matrix.md says, for a browser. The run's verdict, the counts and a legend; everything
 * that set the verdict first (failures, unknowns, fuzz failures, regressions, each with its reason); the matrix,
 * coloured, each cell linked to the page of the scenario run that decided it ({@link RunPage}) and the reason of
 * every cell that is not PASS written in the cell; then fuzz, baseline, not-available reasons, differences from
 * the documentation, observations, latency charts, and the sentences with their coverage.
 */
final class MatrixHtml {
    private MatrixHtml() {
    }

    static String render(RunSummary run) {
        return render(run, Latency.none());
    }

    static String render(RunSummary run, Latency latency) {
        ReportLayout here = ReportLayout.at(java.nio.file.Path.of("."));
        List<String> columns = run.columns().stream().map(RunSummary.Column::name).toList();
        RunVerdict verdict = RunVerdict.of(run);
        StringBuilder h = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>shmconform matrix</title><style>")
                .append(Style.CSS).append("</style></head><body><h1>shmconform compatibility matrix</h1><p>Run <code>").append(JUnitXml.esc(run.runId()))
                .append("</code>, ").append(JUnitXml.esc(run.started())).append(", ").append(run.millis() / 1000).append(" s, kernel ")
                .append(JUnitXml.esc(String.valueOf(run.environment().get("kernel")))).append(". <a href=\"").append(ReportLayout.MATRIX_MD).append("\">").append(ReportLayout.MATRIX_MD).append("</a> · ")
                .append("<a href=\"").append(ReportLayout.TIMELINE_HTML).append("\">every scenario run</a> · <a href=\"").append(ReportLayout.RESULTS_JSON)
                .append("\">").append(ReportLayout.RESULTS_JSON).append("</a> · <a href=\"").append(ReportLayout.JUNIT_XML).append("\">")
                .append(ReportLayout.JUNIT_XML).append("</a></p>");
        h.append("<p class=\"bar ").append(verdict.word()).append("\" id=\"verdict\">").append(JUnitXml.esc(verdict.line(null))).append("</p>");
        summary(h, verdict);
        legend(h);
        if (run.interrupted()) {
            h.append("<p><b>Interrupted</b> (SIGINT or SIGTERM): this report holds only the scenario runs that finished.</p>");
        }
        attention(h, run, here);
        if (!run.leftInPlace().isEmpty()) { // as matrix.md says it
            h.append("<h2>").append(MatrixMarkdown.LEFT_IN_PLACE).append("</h2><p>").append(JUnitXml.esc(MatrixMarkdown.LEFT_IN_PLACE_WHY))
                    .append("</p><ul id=\"left-in-place\">");
            run.leftInPlace().forEach(line -> h.append("<li>").append(JUnitXml.esc(line)).append("</li>"));
            h.append("</ul>");
        }
        for (String env : MatrixMarkdown.environments(run)) {
            List<ScenarioResult> inEnv = run.results().stream().filter(r -> r.env().equals(env)).toList();
            h.append("<h2>Environment ").append(JUnitXml.esc(env)).append("</h2><table><tr><th>property</th>");
            columns.forEach(c -> h.append("<th>").append(JUnitXml.esc(c)).append("</th>"));
            h.append("</tr>");
            for (String property : MatrixMarkdown.properties(inEnv)) {
                String sentence = Property.byId(property).map(Property::sentence).orElse("");
                h.append("<tr><td class=\"p\" title=\"").append(JUnitXml.esc(sentence)).append("\">").append(property).append("</td>");
                for (String column : columns) {
                    cell(h, Cell.of(property, column, inEnv), here);
                }
                h.append("</tr>");
            }
            h.append("</table>");
        }
        fuzz(h, run);
        baseline(h, run);
        unavailable(h, run);
        differences(h, run, here);
        observations(h, run, columns);
        h.append(latency.html());
        sentences(h, run, columns);
        seedStatements(h, run, columns);
        return h.append("</body></html>\n").toString();
    }

    /** The counts as coloured boxes: what the summary line says, one box per verdict. */
    private static void summary(StringBuilder h, RunVerdict verdict) {
        h.append("<p class=\"counts\" id=\"counts\">");
        verdict.counts().forEach((k, n) -> {
            String cls = k.equals("fuzzFailures") || k.equals("regressions") ? (n > 0 ? "FAIL" : "PASS")
                    : k.equals("fuzzUnknown") ? (n > 0 ? "UNKNOWN" : "PASS") : k;
            String name = switch (k) {
                case "fuzzFailures" -> "fuzz failures";
                case "fuzzUnknown" -> "fuzz unknown";
                default -> k;
            };
            h.append("<span class=\"").append(cls).append("\"><b>").append(n).append("</b> ").append(name).append("</span>");
        });
        h.append("</p>");
    }

    private static void legend(StringBuilder h) {
        h.append("<table id=\"legend\"><tr><th colspan=\"2\">Legend (one cell: a property on a column, the most severe verdict of the")
                .append(" scenario runs that checked it; click it for that run's timeline and history)</th></tr>")
                .append("<tr><td class=\"FAIL\">FAIL</td><td>the history contradicts the documentation and the backend declares no difference</td></tr>")
                .append("<tr><td class=\"UNKNOWN\">UNKNOWN</td><td>the history could not be judged (a step could not run, the checker gave up); the reason says why</td></tr>")
                .append("<tr><td class=\"DEVIATES\">DEVIATES</td><td>differs from the documentation as the backend declares it does</td></tr>")
                .append("<tr><td class=\"PASS\">PASS</td><td>the checker found an order of the operations the documentation allows</td></tr>")
                .append("<tr><td class=\"NOT_AVAILABLE\">NOT_AVAILABLE</td><td>the capability is missing on this machine; the reason says which and how to get it</td></tr>")
                .append("<tr><td>–</td><td>no scenario checked this property on this column</td></tr></table>");
    }

    /** Every FAIL and UNKNOWN scenario run first, linked to its page, then the fuzz failures and regressions. */
    private static void attention(StringBuilder h, RunSummary run, ReportLayout here) {
        List<String> items = MatrixMarkdown.attentionItems(run);
        if (items.isEmpty()) {
            return;
        }
        h.append("<h2>Failures, unknowns and regressions</h2><ul id=\"attention\">");
        List<ScenarioResult> bad = run.results().stream().filter(r -> !r.verdict().expected())
                .sorted(java.util.Comparator.comparingInt(r -> Style.severity(r.verdict()))).toList();
        for (ScenarioResult r : bad) {
            h.append("<li><span class=\"badge ").append(r.verdict()).append("\">").append(r.verdict()).append("</span> ")
                    .append(JUnitXml.esc(r.column() + " / " + r.env() + " / " + r.scenario())).append(": ")
                    .append(JUnitXml.esc(RunVerdict.reason(r))).append(" — <a href=\"").append(here.runPageName(r.scenario(), r.column(), r.env()))
                    .append("\">timeline and history</a></li>");
        }
        items.stream().skip(bad.size()).forEach(i -> h.append("<li>").append(JUnitXml.esc(i.replace("`", ""))).append("</li>"));
        h.append("</ul>");
    }

    private static void cell(StringBuilder h, Cell cell, ReportLayout here) {
        if (cell == null) {
            h.append("<td>–</td>");
            return;
        }
        String why = cell.result().why() != null ? cell.result().why()
                : cell.verdict() == Verdict.PASS ? null : RunVerdict.reason(cell.decidedBy());
        String tip = why != null ? why : String.join("; ", cell.observations());
        ScenarioResult by = cell.decidedBy();
        h.append("<td class=\"").append(cell.verdict()).append("\" title=\"").append(JUnitXml.esc(tip)).append("\">")
                .append("<a href=\"").append(here.runPageName(by.scenario(), by.column(), by.env()))
                .append(cell.result().eventIndex() == null ? "" : "#L" + (cell.result().eventIndex() + 1)).append("\">")
                .append(cell.verdict()).append("</a>");
        if (cell.verdict() != Verdict.PASS && why != null) {
            h.append("<span class=\"why\">").append(JUnitXml.esc(why)).append("</span>");
        }
        h.append("</td>");
    }

    private static void unavailable(StringBuilder h, RunSummary run) {
        StringBuilder l = new StringBuilder();
        for (RunSummary.Column c : run.columns()) {
            if (!c.available()) {
                l.append("<li><b>").append(JUnitXml.esc(c.name())).append("</b> ").append(JUnitXml.esc(c.unavailableWord())).append(": ")
                        .append(JUnitXml.esc(c.reason())).append("</li>");
            }
        }
        java.util.Set<String> seen = new java.util.LinkedHashSet<>();
        for (ScenarioResult r : run.results()) {
            if (r.verdict() == Verdict.NOT_AVAILABLE && seen.add(r.column() + "|" + r.env() + "|" + r.reason())) {
                l.append("<li>").append(JUnitXml.esc(r.column())).append(" in ").append(JUnitXml.esc(r.env())).append(" NOT_AVAILABLE: ")
                        .append(JUnitXml.esc(r.reason())).append("</li>");
            }
        }
        if (l.length() > 0) {
            h.append("<h2>Not available here</h2><ul id=\"unavailable\">").append(l).append("</ul>");
        }
    }

    private static void differences(StringBuilder h, RunSummary run, ReportLayout here) {
        StringBuilder l = new StringBuilder();
        for (ScenarioResult r : run.results()) {
            for (org.shmconform.checker.PropertyResult p : r.properties()) {
                if (p.verdict() == Verdict.PASS || p.verdict() == Verdict.NOT_AVAILABLE) {
                    continue;
                }
                String page = here.runPageName(r.scenario(), r.column(), r.env());
                l.append("<li><span class=\"badge ").append(p.verdict()).append("\">").append(p.verdict()).append("</span> ")
                        .append(JUnitXml.esc(r.column() + " / " + r.env() + " / " + p.property())).append(" in <code>").append(JUnitXml.esc(r.scenario()))
                        .append("</code>: ").append(JUnitXml.esc(p.why() != null ? p.why() : RunVerdict.reason(r))).append(" — <a href=\"").append(page)
                        .append("\">timeline</a>");
                if (p.eventIndex() != null) {
                    l.append(", <a href=\"").append(page).append("#L").append(p.eventIndex() + 1).append("\">history line ").append(p.eventIndex() + 1).append("</a>");
                }
                l.append("</li>");
            }
        }
        h.append("<h2>Differences from the documentation</h2>").append(l.length() == 0 ? "<p>None found.</p>" : "<ul id=\"differences\">" + l + "</ul>");
    }

    private static void observations(StringBuilder h, RunSummary run, List<String> columns) {
        h.append("<h2>Where the documentation is silent: what happened</h2><ul id=\"observations\">");
        for (String column : columns) {
            List<String> seen = MatrixMarkdown.silentObservations(run, column);
            if (!seen.isEmpty()) {
                h.append("<li><b>").append(JUnitXml.esc(column)).append("</b>: ").append(JUnitXml.esc(String.join("; ", seen))).append("</li>");
            }
        }
        h.append("</ul>");
    }

    /** The seed statements and their coverage: per column, the merged verdict of every run that checked the sentence. */
    private static void sentences(StringBuilder h, RunSummary run, List<String> columns) {
        h.append("<h2>The sentences checked</h2><table id=\"sentences\"><tr><th>id</th><th>source</th><th>sentence</th><th>runs</th>");
        columns.forEach(c -> h.append("<th>").append(JUnitXml.esc(c)).append("</th>"));
        h.append("</tr>");
        for (Property p : Property.values()) {
            long runs = run.results().stream().filter(r -> r.properties().stream().anyMatch(x -> x.property().equals(p.id()))).count();
            h.append("<tr><td class=\"p\">").append(p.id()).append("</td><td>").append(JUnitXml.esc(p.source())).append("</td><td>")
                    .append(JUnitXml.esc(p.sentence())).append("</td><td>").append(runs).append("</td>");
            for (String c : columns) {
                Cell cell = Cell.of(p.id(), c, run.results());
                h.append(cell == null ? "<td>not checked</td>" : "<td class=\"" + cell.verdict() + "\">" + cell.verdict() + "</td>");
            }
            h.append("</tr>");
        }
        h.append("</table>");
    }

    private static void fuzz(StringBuilder h, RunSummary run) {
        if (run.fuzz() == null || run.fuzz().isEmpty()) {
            return;
        }
        h.append("<h2>Generated schedules (fuzz)</h2><table id=\"fuzz\"><tr><th>column</th><th>schedules</th><th>operations</th>")
                .append("<th>ops/s</th><th>found</th></tr>");
        for (FuzzResult f : run.fuzz()) {
            boolean failed = !f.failures().isEmpty();
            h.append("<tr><td>").append(JUnitXml.esc(f.backend())).append("</td><td>").append(f.schedulesRun()).append("</td><td>")
                    .append(f.operationsRun()).append("</td><td>").append(String.format(Locale.ROOT, "%.1f", f.operationsPerSecond()))
                    .append("</td><td class=\"").append(failed ? "FAIL" : !f.unknown().isEmpty() ? "UNKNOWN" : "PASS").append("\">");
            if (f.failures().isEmpty() && f.unknown().isEmpty()) {
                h.append("nothing (not falsified; first seed ").append(f.firstSeed()).append(")");
            }
            for (FuzzResult.Failure x : f.failures()) {
                h.append("<div>").append("FAIL ").append(JUnitXml.esc(x.property()))
                        .append(" at seed ").append(x.seed()).append(" (").append(JUnitXml.esc(x.rate())).append("): ")
                        .append("<span class=\"why\">").append(JUnitXml.esc(x.why())).append("</span> ").append(JUnitXml.esc(x.shrinkSummary()))
                        .append(": <code>").append(JUnitXml.esc(String.valueOf(x.replayFile())))
                        .append("</code></div>");
            }
            f.unknown().forEach(u -> h.append("<div>UNKNOWN <span class=\"why\">").append(JUnitXml.esc(u)).append("</span></div>"));
            h.append("</td></tr>");
        }
        h.append("</table>").append(FuzzThroughput.html(run.fuzz()));
    }

    private static void baseline(StringBuilder h, RunSummary run) {
        if (run.baseline() == null) {
            return;
        }
        h.append("<h2>Baseline</h2><p>Compared with <code>").append(JUnitXml.esc(run.baseline().file())).append("</code>: ");
        if (run.baseline().regressions().isEmpty()) {
            h.append("no regression.</p>");
        } else {
            h.append(RunVerdict.plural(run.baseline().regressions().size(), "regression")).append(".</p><ul id=\"regressions\">");
            run.baseline().regressions().forEach(r -> h.append("<li class=\"FAIL\">REGRESSION ").append(JUnitXml.esc(r.toString())).append("</li>"));
            h.append("</ul>");
        }
        changes(h, run.baseline());
    }

    /** Every changed cell with both sides, as 'shmconform diff' prints them. */
    private static void changes(StringBuilder h, Baseline.Outcome b) {
        if (b.changes().isEmpty()) {
            return;
        }
        java.nio.file.Path old = java.nio.file.Path.of(b.file()).getParent();
        h.append("<p>Every changed cell (").append(JUnitXml.esc(new RunDiff(b.changes()).tally())).append("):</p><ul id=\"changes\">");
        for (RunDiff.Change c : b.changes()) {
            h.append("<li class=\"").append(c.kind() == RunDiff.Kind.REGRESSION ? "FAIL" : c.kind() == RunDiff.Kind.IMPROVEMENT ? "PASS" : "")
                    .append("\">").append(c.kind()).append(' ').append(JUnitXml.esc(c.headline()))
                    .append("<br>old: ").append(JUnitXml.esc(c.before() == null ? "not in the run" : c.before().text(old)))
                    .append("<br>new: ").append(JUnitXml.esc(c.after() == null ? "not in the run" : c.after().text(null))).append("</li>");
        }
        h.append("</ul>");
    }

    /**
     * Every seed statement (docs/seed-sentences.md): its properties and, per column, the count of their verdicts, coloured by
     * the most severe; a statement that is not tested has its reason across the row.
     */
    private static void seedStatements(StringBuilder h, RunSummary run, List<String> columns) {
        List<CoverageTable.Row> rows = CoverageTable.of(run);
        h.append("<h2 id=\"seed\">Seed statements</h2><style>#seed-statements td.elsewhere{background:#f4f4f4;color:#555}")
                .append("#seed-statements td.untested{background:#ffe0b0}</style><p>").append(JUnitXml.esc(CoverageTable.LEGEND))
                .append("</p><p id=\"seed-figures\">").append(JUnitXml.esc(CoverageTable.figures(rows, true)))
                .append("</p><table id=\"seed-statements\"><tr><th>id</th><th>statement</th><th>section</th><th>properties</th>");
        columns.forEach(c -> h.append("<th>").append(JUnitXml.esc(c)).append("</th>"));
        h.append("</tr>");
        for (CoverageTable.Row r : rows) {
            h.append("<tr id=\"seed-").append(JUnitXml.esc(r.id())).append("\"><td class=\"p\">").append(JUnitXml.esc(r.id()))
                    .append("</td><td>").append(JUnitXml.esc(r.statement())).append("</td><td>").append(JUnitXml.esc(r.section())).append("</td>");
            if (!r.status().equals("TESTED")) {
                boolean elsewhere = r.notTestableOn() != null;
                h.append("<td colspan=\"").append(columns.size() + 1).append("\" class=\"").append(elsewhere ? "elsewhere" : "untested")
                        .append("\">").append(JUnitXml.esc(CoverageTable.coverageText(r))).append("</td></tr>");
                continue;
            }
            h.append("<td class=\"p\">").append(JUnitXml.esc(String.join(", ", r.properties())));
            if (!r.scenarios().isEmpty()) {
                h.append("<span class=\"obs\"> in ").append(JUnitXml.esc(String.join(", ", r.scenarios()))).append("</span>");
            }
            if (!r.columns().isEmpty()) {
                h.append("<span class=\"obs\"> on ").append(JUnitXml.esc(String.join(", ", r.columns()))).append("</span>");
            }
            if (r.note() != null) {
                h.append("<span class=\"why\">").append(JUnitXml.esc(r.note())).append("</span>");
            }
            h.append("</td>");
            for (String c : columns) {
                CoverageTable.Tally t = r.verdicts().get(c);
                h.append(t == null ? "<td>–</td>" : "<td class=\"" + t.worst() + "\">" + JUnitXml.esc(t.text()) + "</td>");
            }
            h.append("</tr>");
        }
        h.append("</table>");
    }
}
