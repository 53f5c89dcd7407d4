package org.shmconform.reports;

import java.util.List;
import java.util.Locale;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;
import org.shmconform.history.ReportLayout;
import org.shmconform.fuzz.FuzzResult;
import org.shmconform.model.Property;

/**
 * matrix.html: the run's verdict and everything that set it first (failures, unknowns, fuzz failures,
 * regressions, each with its reason), then the same matrix as matrix.md, coloured, each cell linked to
 * its timeline in timeline.html and the reason of every cell that is not PASS written in the cell.
 */
final class MatrixHtml {
    private MatrixHtml() {
    }

    static String render(RunSummary run) {
        List<String> columns = run.columns().stream().map(RunSummary.Column::name).toList();
        RunVerdict verdict = RunVerdict.of(run);
        StringBuilder h = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>shmconform matrix</title><style>")
                .append("body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}")
                .append(".PASS{background:#d7f5d7}.DEVIATES{background:#fff1c2}.FAIL{background:#f8c8c8;font-weight:bold}")
                .append(".UNKNOWN{background:#e4e4e4}.NOT_AVAILABLE{background:#f4f4f4;color:#888}td.p{font-family:monospace}")
                .append(".why{display:block;font-weight:normal;font-size:80%;max-width:22em}")
                .append(".bar{padding:8px 12px;font-weight:bold}.bar.PASS{background:#d7f5d7}.bar.FAIL{background:#f8c8c8}.bar.INTERRUPTED{background:#ffe0b0}")
                .append("</style></head><body><h1>shmconform compatibility matrix</h1><p>Run <code>").append(JUnitXml.esc(run.runId()))
                .append("</code>, ").append(JUnitXml.esc(run.started())).append(", kernel ")
                .append(JUnitXml.esc(String.valueOf(run.environment().get("kernel")))).append(". <a href=\"").append(ReportLayout.MATRIX_MD).append("\">").append(ReportLayout.MATRIX_MD).append("</a> · ")
                .append("<a href=\"").append(ReportLayout.TIMELINE_HTML).append("\">timelines</a> · <a href=\"").append(ReportLayout.RESULTS_JSON)
                .append("\">").append(ReportLayout.RESULTS_JSON).append("</a></p>");
        h.append("<p class=\"bar ").append(verdict.word()).append("\" id=\"verdict\">").append(JUnitXml.esc(verdict.line(null))).append("</p>");
        if (run.interrupted()) {
            h.append("<p><b>Interrupted</b> (SIGINT or SIGTERM): this report holds only the scenario runs that finished.</p>");
        }
        List<String> attention = MatrixMarkdown.attentionItems(run);
        if (!attention.isEmpty()) {
            h.append("<h2>Failures, unknowns and regressions</h2><ul id=\"attention\">");
            attention.forEach(i -> h.append("<li>").append(JUnitXml.esc(i.replace("`", ""))).append("</li>"));
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
                    cell(h, Cell.of(property, column, inEnv));
                }
                h.append("</tr>");
            }
            h.append("</table>");
        }
        fuzz(h, run);
        baseline(h, run);
        return h.append("</body></html>\n").toString();
    }

    private static void cell(StringBuilder h, Cell cell) {
        if (cell == null) {
            h.append("<td>–</td>");
            return;
        }
        String why = cell.result().why() != null ? cell.result().why()
                : cell.verdict() == Verdict.PASS ? null : RunVerdict.reason(cell.decidedBy());
        String tip = why != null ? why : String.join("; ", cell.observations());
        h.append("<td class=\"").append(cell.verdict()).append("\" title=\"").append(JUnitXml.esc(tip)).append("\">");
        if (cell.decidedBy().historyFile() != null) {
            h.append("<a href=\"").append(ReportLayout.TIMELINE_HTML).append("#").append(TimelineHtml.anchor(cell.decidedBy())).append("\">")
                    .append(cell.verdict()).append("</a>");
        } else {
            h.append(cell.verdict());
        }
        if (cell.verdict() != Verdict.PASS && why != null) {
            h.append("<span class=\"why\">").append(JUnitXml.esc(why)).append("</span>");
        }
        h.append("</td>");
    }

    private static void fuzz(StringBuilder h, RunSummary run) {
        if (run.fuzz() == null || run.fuzz().isEmpty()) {
            return;
        }
        h.append("<h2>Generated schedules (fuzz)</h2><table id=\"fuzz\"><tr><th>column</th><th>schedules</th><th>operations</th>")
                .append("<th>ops/s</th><th>found</th></tr>");
        for (FuzzResult f : run.fuzz()) {
            boolean failed = f.failures().stream().anyMatch(RunVerdict::reproduced);
            h.append("<tr><td>").append(JUnitXml.esc(f.backend())).append("</td><td>").append(f.schedulesRun()).append("</td><td>")
                    .append(f.operationsRun()).append("</td><td>").append(String.format(Locale.ROOT, "%.1f", f.operationsPerSecond()))
                    .append("</td><td class=\"").append(failed ? "FAIL" : !f.unknown().isEmpty() ? "UNKNOWN" : "PASS").append("\">");
            if (f.failures().isEmpty() && f.unknown().isEmpty()) {
                h.append("nothing (not falsified; first seed ").append(f.firstSeed()).append(")");
            }
            for (FuzzResult.Failure x : f.failures()) {
                h.append("<div>").append(RunVerdict.reproduced(x) ? "FAIL " : "not counted: ").append(JUnitXml.esc(x.property()))
                        .append(" at seed ").append(x.seed()).append(" (").append(JUnitXml.esc(x.rate())).append("): ")
                        .append("<span class=\"why\">").append(JUnitXml.esc(x.why())).append("</span> shrunk to ").append(x.shrunkSteps())
                        .append(" steps: <code>").append(JUnitXml.esc(String.valueOf(x.shrunkFile() != null ? x.shrunkFile() : x.originalFile())))
                        .append("</code></div>");
            }
            f.unknown().forEach(u -> h.append("<div>UNKNOWN <span class=\"why\">").append(JUnitXml.esc(u)).append("</span></div>"));
            h.append("</td></tr>");
        }
        h.append("</table>");
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
}
