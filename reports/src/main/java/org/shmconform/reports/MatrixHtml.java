package org.shmconform.reports;

import java.util.List;
import org.shmconform.harness.checker.ScenarioResult;
import org.shmconform.harness.model.Property;

/** matrix.html: the same matrix as matrix.md, coloured, each cell linked to its timeline in timeline.html. */
final class MatrixHtml {
    private MatrixHtml() {
    }

    static String render(RunSummary run) {
        List<String> columns = run.columns().stream().map(RunSummary.Column::name).toList();
        StringBuilder h = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>shmconform matrix</title><style>")
                .append("body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}")
                .append(".PASS{background:#d7f5d7}.DEVIATES{background:#fff1c2}.FAIL{background:#f8c8c8;font-weight:bold}")
                .append(".UNKNOWN{background:#e4e4e4}.NOT_AVAILABLE{background:#f4f4f4;color:#888}td.p{font-family:monospace}")
                .append("</style></head><body><h1>shmconform compatibility matrix</h1><p>Run <code>").append(JUnitXml.esc(run.runId()))
                .append("</code>, ").append(JUnitXml.esc(run.started())).append(", kernel ")
                .append(JUnitXml.esc(String.valueOf(run.environment().get("kernel")))).append(". <a href=\"matrix.md\">matrix.md</a> · ")
                .append("<a href=\"timeline.html\">timelines</a> · <a href=\"results.json\">results.json</a></p>");
        for (String env : MatrixMarkdown.environments(run)) {
            List<ScenarioResult> inEnv = run.results().stream().filter(r -> r.env().equals(env)).toList();
            h.append("<h2>Environment ").append(JUnitXml.esc(env)).append("</h2><table><tr><th>property</th>");
            columns.forEach(c -> h.append("<th>").append(JUnitXml.esc(c)).append("</th>"));
            h.append("</tr>");
            for (String property : MatrixMarkdown.properties(inEnv)) {
                String sentence = Property.byId(property).map(Property::sentence).orElse("");
                h.append("<tr><td class=\"p\" title=\"").append(JUnitXml.esc(sentence)).append("\">").append(property).append("</td>");
                for (String column : columns) {
                    Cell cell = Cell.of(property, column, inEnv);
                    if (cell == null) {
                        h.append("<td>–</td>");
                        continue;
                    }
                    String tip = cell.result().why() != null ? cell.result().why() : String.join("; ", cell.observations());
                    h.append("<td class=\"").append(cell.verdict()).append("\" title=\"").append(JUnitXml.esc(tip)).append("\">");
                    if (cell.decidedBy().historyFile() != null) {
                        h.append("<a href=\"timeline.html#").append(TimelineHtml.anchor(cell.decidedBy())).append("\">")
                                .append(cell.verdict()).append("</a>");
                    } else {
                        h.append(cell.verdict());
                    }
                    h.append("</td>");
                }
                h.append("</tr>");
            }
            h.append("</table>");
        }
        return h.append("</body></html>\n").toString();
    }
}
