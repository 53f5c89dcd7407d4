package org.shmconform.reports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;
import org.shmconform.fuzz.FuzzResult;
import org.shmconform.history.ReportLayout;
import org.shmconform.spi.files.SafeFiles;

/**
 * {@code shmconform merge}: the results.json of runs on different machines as one matrix with a platform
 * axis. A platform is what its results.json says about the machine: distribution, C library, JVM, kernel,
 * container runtime and Qt version; the report shows every recorded fact side by side, marking those that
 * differ. A row is a cell of the runs (column / environment / property); each platform's entry is the
 * most severe verdict of the scenario runs that checked it there, with the reason, linked to that run's page.
 * The rows whose verdict differs across platforms come first: they are what the merge is for. Each column's
 * fuzz campaign is compared too.
 */
public final class MergedReport {
    /** One input: where its results.json is, and what it says. */
    public record Input(Path resultsJson, RunSummary run) {
        /**
         * "Debian GNU/Linux 12 (bookworm) · glibc 2.36 · OpenJDK 64-Bit Server VM 17.0.15+6-Debian-1deb12u1 · kernel 6.1.0-18-amd64
         * · docker 20.10.24 · qt: Qt 6.4.2", the facts the run recorded ("not recorded" for those an older run lacks).
         */
        public String platform() {
            List<String> parts = new ArrayList<>();
            String distro = fact(run.environment(), "distribution");
            parts.add(distro == null ? "distribution not recorded" : distro);
            parts.add(Objects.requireNonNullElse(fact(run.environment(), "libc"), "C library not recorded"));
            parts.add(Objects.requireNonNullElse(fact(run.environment(), "java"), "JVM not recorded"));
            parts.add("kernel " + fact(run.environment(), "kernel"));
            String runtime = containerRuntime(run.environment());
            parts.add(runtime == null ? "no container runtime" : runtime);
            String qt = qt(run);
            parts.add(qt == null ? "no Qt" : qt);
            return String.join(" · ", parts);
        }
    }

    private final List<Input> inputs;

    public MergedReport(List<Input> inputs) {
        this.inputs = List.copyOf(inputs);
    }

    /** Reads every results.json as {@code shmconform diff} does: one that is not a results.json of this version is an InvalidBaseline. */
    public static MergedReport read(List<Path> files) throws Baseline.InvalidBaseline {
        List<Input> inputs = new ArrayList<>();
        for (Path f : files) {
            inputs.add(new Input(f, Baseline.read(f, "RUN")));
        }
        return new MergedReport(inputs);
    }

    public List<Input> inputs() {
        return inputs;
    }

    /** A run on any platform failed (as its own exit status said). */
    public boolean failed() {
        return inputs.stream().anyMatch(i -> RunVerdict.of(i.run()).failed());
    }

    /** "shmconform: FAIL — merge of 2 platforms: 3 cells differ across platforms; FAIL on 1 platform — report: DIR". */
    public String summaryLine(Path dir) {
        long failing = inputs.stream().filter(i -> RunVerdict.of(i.run()).failed()).count();
        int differing = (int) rows().stream().filter(Row::differs).count();
        return "shmconform: " + (failed() ? "FAIL" : "PASS") + " — merge of " + RunVerdict.plural(inputs.size(), "platform") + ": "
                + RunVerdict.plural(differing, "cell") + (differing == 1 ? " differs" : " differ") + " across platforms; FAIL on "
                + RunVerdict.plural((int) failing, "platform") + (dir == null ? "" : " — report: " + dir);
    }

    /** A cell of the merged matrix: its key and, per input (same order), the verdict there, or null where it was not run. */
    public record Row(String column, String env, String property, List<Entry> entries) {
        /** Two platforms that ran the cell disagree (a platform that did not run it disagrees with nobody). */
        public boolean differs() {
            return entries.stream().filter(Objects::nonNull).map(Entry::verdict).distinct().count() > 1;
        }
    }

    /** One platform's verdict of a cell, why, and the page of the scenario run that decided it (relative to its report folder). */
    public record Entry(Verdict verdict, String why, String scenario, String page) {
    }

    /** A fact of the machines ("kernel", "local: ipc") and its value on each platform (same order; null: that run did not record it). */
    public record Fact(String name, List<String> values) {
        /** Two platforms that recorded it disagree. */
        public boolean differs() {
            return values.stream().filter(Objects::nonNull).distinct().count() > 1;
        }
    }

    /** The platform axis first, then every other fact any run recorded, then each environment's facts (its namespace ids). */
    public List<Fact> facts() {
        Set<String> names = new LinkedHashSet<>(List.of("distribution", "libc", "java", "kernel", "container runtime", "Qt"));
        Set<String> envFacts = new LinkedHashSet<>();
        for (Input in : inputs) {
            Map<String, Object> env = in.run().environment();
            if (env == null) {
                continue;
            }
            env.forEach((k, v) -> {
                if (!(v instanceof Map<?, ?>)) {
                    names.add(k);
                }
            });
            if (env.get("environments") instanceof Map<?, ?> envs) {
                envs.forEach((e, f) -> {
                    if (f instanceof Map<?, ?> m) {
                        m.keySet().forEach(k -> envFacts.add(e + ": " + k));
                    }
                });
            }
        }
        List<Fact> facts = new ArrayList<>();
        for (String name : names) {
            facts.add(new Fact(name, inputs.stream().map(in -> switch (name) {
                // Recorded as absent: none ran here, which differs from a platform where one did.
                case "container runtime" -> Objects.requireNonNullElse(containerRuntime(in.run().environment()), "none");
                case "Qt" -> Objects.requireNonNullElse(qt(in.run()), "none");
                default -> fact(in.run().environment(), name);
            }).toList()));
        }
        for (String name : envFacts) {
            String env = name.substring(0, name.indexOf(": "));
            String key = name.substring(name.indexOf(": ") + 2);
            facts.add(new Fact(name, inputs.stream().map(in -> in.run().environment() != null
                    && in.run().environment().get("environments") instanceof Map<?, ?> envs && envs.get(env) instanceof Map<?, ?> m
                    && m.get(key) != null ? String.valueOf(m.get(key)) : null).toList()));
        }
        return facts;
    }

    /** A column's fuzz campaign on each platform (same order; null where it did not fuzz that column). */
    public record FuzzRow(String column, List<FuzzResult> campaigns) {
        /** Two platforms that fuzzed it disagree on what they found: the broken properties, or whether a schedule could not be judged. */
        public boolean differs() {
            return campaigns.stream().filter(Objects::nonNull)
                    .map(f -> f.failures().stream().map(FuzzResult.Failure::property).sorted().toList() + " " + f.unknown().isEmpty())
                    .distinct().count() > 1;
        }
    }

    public List<FuzzRow> fuzz() {
        Set<String> columns = new LinkedHashSet<>();
        inputs.forEach(in -> fuzzOf(in).forEach(f -> columns.add(f.backend())));
        List<FuzzRow> rows = new ArrayList<>();
        for (String column : columns) {
            rows.add(new FuzzRow(column, inputs.stream()
                    .map(in -> fuzzOf(in).stream().filter(f -> f.backend().equals(column)).findFirst().orElse(null)).toList()));
        }
        return rows;
    }

    private static List<FuzzResult> fuzzOf(Input in) {
        return in.run().fuzz() == null ? List.of() : in.run().fuzz();
    }

    /** "20 schedules, 412 operations, 0 failures, 2 differences from the documentation" (and the unknown, if any). */
    static String fuzzText(FuzzResult f) {
        StringBuilder t = new StringBuilder(RunVerdict.plural(f.schedulesRun(), "schedule")).append(", ")
                .append(RunVerdict.plural((int) Math.min(Integer.MAX_VALUE, f.operationsRun()), "operation")).append(", ")
                .append(RunVerdict.plural(f.failures().size(), "failure"));
        f.failures().forEach(x -> t.append(" (").append(x.property()).append(" seed ").append(x.seed()).append(')'));
        if (!f.unknown().isEmpty()) {
            t.append(", ").append(f.unknown().size()).append(" UNKNOWN: ").append(String.join("; ", f.unknown()));
        }
        if (f.coverage() != null) {
            t.append(", ").append(f.coverage().transitions()).append(" model transitions, ")
                    .append(RunVerdict.plural(f.coverage().differences().size(), "difference")).append(" from the documentation");
        }
        return t.toString();
    }

    public List<Row> rows() {
        Set<String> keys = new LinkedHashSet<>();
        for (Input in : inputs) {
            for (ScenarioResult r : in.run().results()) {
                r.properties().forEach(p -> keys.add(r.column() + "\u0000" + r.env() + "\u0000" + p.property()));
            }
        }
        List<Row> rows = new ArrayList<>();
        for (String key : keys) {
            String[] k = key.split("\u0000");
            List<Entry> entries = new ArrayList<>();
            for (Input in : inputs) {
                entries.add(entry(in, k[0], k[1], k[2]));
            }
            rows.add(new Row(k[0], k[1], k[2], entries));
        }
        rows.sort(java.util.Comparator.comparing((Row r) -> !r.differs()));
        return rows;
    }

    private static Entry entry(Input in, String column, String env, String property) {
        Cell cell = Cell.of(property, column, in.run().results().stream().filter(r -> r.env().equals(env)).toList());
        if (cell == null) {
            return null;
        }
        ScenarioResult by = cell.decidedBy();
        PropertyResult p = cell.result();
        String why = p.why() != null ? p.why() : cell.verdict() == Verdict.PASS ? null : RunVerdict.reason(by);
        String page = ReportLayout.at(Path.of(".")).runPageName(by.scenario(), by.column(), by.env())
                + (p.eventIndex() == null ? "" : "#L" + (p.eventIndex() + 1));
        return new Entry(cell.verdict(), why, by.scenario(), page);
    }

    /**
     * Writes merged.md and merged.html into {@code report}'s folder ({@link SafeFiles}: a link at either's place is
     * replaced, never followed); the links point into each input's own folder.
     */
    public void write(ReportLayout report) throws IOException {
        SafeFiles.makeDirectories(report.dir());
        SafeFiles.writeString(report.mergedMarkdown(), markdown(report.dir()));
        SafeFiles.writeString(report.mergedHtml(), html(report.dir()));
    }

    private String link(Path out, int i, String relative) {
        Path folder = inputs.get(i).resultsJson().toAbsolutePath().normalize().getParent();
        return out.toAbsolutePath().normalize().relativize(folder.resolve(relative)).toString().replace('\\', '/');
    }

    String markdown(Path out) {
        StringBuilder md = new StringBuilder("# shmconform: many machines, one matrix\n\n**").append(summaryLine(null)).append("**\n\n");
        md.append("## Platforms\n\n| # | platform | run | verdict | counts |\n|---|---|---|---|---|\n");
        for (int i = 0; i < inputs.size(); i++) {
            Input in = inputs.get(i);
            md.append("| P").append(i + 1).append(" | ").append(MatrixMarkdown.cellText(in.platform())).append(" | [").append(in.run().runId())
                    .append("](").append(link(out, i, ReportLayout.MATRIX_MD)).append(") | ").append(RunVerdict.of(in.run()).word()).append(" | ")
                    .append(RunVerdict.of(in.run()).tally()).append(" |\n");
        }
        md.append("\n## Platform facts\n\nWhat each run recorded about its machine; **yes** where the platforms differ.\n\n| fact | differs |");
        for (int i = 0; i < inputs.size(); i++) {
            md.append(" P").append(i + 1).append(" |");
        }
        md.append("\n|---|---|").append("---|".repeat(inputs.size())).append('\n');
        for (Fact f : facts()) {
            md.append("| ").append(MatrixMarkdown.cellText(f.name())).append(" | ").append(f.differs() ? "**yes**" : "").append(" |");
            f.values().forEach(v -> md.append(' ').append(v == null ? "–" : MatrixMarkdown.cellText(v)).append(" |"));
            md.append('\n');
        }
        md.append("\n## Cells (those that differ across platforms first)\n\n| column | env | property | differs |");
        for (int i = 0; i < inputs.size(); i++) {
            md.append(" P").append(i + 1).append(" |");
        }
        md.append("\n|---|---|---|---|").append("---|".repeat(inputs.size())).append('\n');
        for (Row r : rows()) {
            md.append("| ").append(r.column()).append(" | ").append(r.env()).append(" | ").append(r.property()).append(" | ")
                    .append(r.differs() ? "**yes**" : "").append(" |");
            for (int i = 0; i < inputs.size(); i++) {
                Entry e = r.entries().get(i);
                md.append(' ').append(e == null ? "–" : "[" + e.verdict() + "](" + link(out, i, e.page()) + ")"
                        + (e.why() == null ? "" : " " + MatrixMarkdown.cellText(e.why()))).append(" |");
            }
            md.append('\n');
        }
        List<FuzzRow> fuzz = fuzz();
        if (!fuzz.isEmpty()) {
            md.append("\n## Fuzz (generated schedules per column)\n\n| column | differs |");
            for (int i = 0; i < inputs.size(); i++) {
                md.append(" P").append(i + 1).append(" |");
            }
            md.append("\n|---|---|").append("---|".repeat(inputs.size())).append('\n');
            for (FuzzRow r : fuzz) {
                md.append("| ").append(r.column()).append(" | ").append(r.differs() ? "**yes**" : "").append(" |");
                r.campaigns().forEach(f -> md.append(' ').append(f == null ? "–" : MatrixMarkdown.cellText(fuzzText(f))).append(" |"));
                md.append('\n');
            }
        }
        return md.append('\n').toString();
    }

    String html(Path out) {
        StringBuilder h = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>shmconform merged matrix</title><style>")
                .append(Style.CSS).append("</style></head><body><h1>shmconform: many machines, one matrix</h1><p class=\"bar ")
                .append(failed() ? "FAIL" : "PASS").append("\">").append(JUnitXml.esc(summaryLine(null))).append("</p>");
        h.append("<h2>Platforms</h2><table id=\"platforms\"><tr><th>#</th><th>distribution</th><th>C library</th><th>JVM</th><th>kernel</th>")
                .append("<th>container runtime</th><th>Qt</th><th>run</th><th>verdict</th><th>counts</th></tr>");
        for (int i = 0; i < inputs.size(); i++) {
            Input in = inputs.get(i);
            Map<String, Object> env = in.run().environment();
            RunVerdict v = RunVerdict.of(in.run());
            h.append("<tr><td>P").append(i + 1).append("</td><td>")
                    .append(JUnitXml.esc(Objects.requireNonNullElse(fact(env, "distribution"), "not recorded"))).append("</td><td>")
                    .append(JUnitXml.esc(Objects.requireNonNullElse(fact(env, "libc"), "not recorded"))).append("</td><td>")
                    .append(JUnitXml.esc(Objects.requireNonNullElse(fact(env, "java"), "not recorded"))).append("</td><td>")
                    .append(JUnitXml.esc(fact(env, "kernel"))).append("</td><td>")
                    .append(JUnitXml.esc(Objects.requireNonNullElse(containerRuntime(env), "none"))).append("</td><td>")
                    .append(JUnitXml.esc(Objects.requireNonNullElse(qt(in.run()), "none"))).append("</td><td><a href=\"")
                    .append(link(out, i, ReportLayout.MATRIX_HTML)).append("\">").append(JUnitXml.esc(in.run().runId())).append("</a></td><td class=\"")
                    .append(v.word()).append("\">").append(v.word()).append("</td><td>").append(JUnitXml.esc(v.tally())).append("</td></tr>");
        }
        h.append("</table><h2>Platform facts</h2><p>What each run recorded about its machine; outlined where the platforms differ.</p>")
                .append("<table id=\"facts\"><tr><th>fact</th>");
        for (int i = 0; i < inputs.size(); i++) {
            h.append("<th>P").append(i + 1).append("</th>");
        }
        h.append("</tr>");
        for (Fact f : facts()) {
            h.append("<tr").append(f.differs() ? " class=\"differs\" style=\"outline:2px solid #c60\"" : "").append("><td>")
                    .append(JUnitXml.esc(f.name())).append("</td>");
            f.values().forEach(v -> h.append("<td>").append(v == null ? "–" : JUnitXml.esc(v)).append("</td>"));
            h.append("</tr>");
        }
        h.append("</table><h2>Cells</h2><p>Those whose verdict differs across platforms first. Each entry links to the page of the")
                .append(" scenario run that decided it, on that platform.</p><table id=\"cells\"><tr><th>column</th><th>env</th><th>property</th>");
        for (int i = 0; i < inputs.size(); i++) {
            h.append("<th>P").append(i + 1).append("</th>");
        }
        h.append("</tr>");
        for (Row r : rows()) {
            h.append("<tr").append(r.differs() ? " class=\"differs\" style=\"outline:2px solid #c60\"" : "").append("><td>")
                    .append(JUnitXml.esc(r.column())).append("</td><td>").append(JUnitXml.esc(r.env())).append("</td><td class=\"p\">")
                    .append(JUnitXml.esc(r.property())).append("</td>");
            for (int i = 0; i < inputs.size(); i++) {
                Entry e = r.entries().get(i);
                if (e == null) {
                    h.append("<td>–</td>");
                    continue;
                }
                h.append("<td class=\"").append(e.verdict()).append("\"><a href=\"").append(link(out, i, e.page())).append("\">")
                        .append(e.verdict()).append("</a>");
                if (e.why() != null) {
                    h.append("<span class=\"why\">").append(JUnitXml.esc(e.why())).append("</span>");
                }
                h.append("</td>");
            }
            h.append("</tr>");
        }
        h.append("</table>");
        List<FuzzRow> fuzz = fuzz();
        if (!fuzz.isEmpty()) {
            h.append("<h2>Fuzz</h2><p>Generated schedules per column; outlined where the platforms found different things.</p>")
                    .append("<table id=\"fuzz\"><tr><th>column</th>");
            for (int i = 0; i < inputs.size(); i++) {
                h.append("<th>P").append(i + 1).append("</th>");
            }
            h.append("</tr>");
            for (FuzzRow r : fuzz) {
                h.append("<tr").append(r.differs() ? " class=\"differs\" style=\"outline:2px solid #c60\"" : "").append("><td>")
                        .append(JUnitXml.esc(r.column())).append("</td>");
                r.campaigns().forEach(f -> h.append(f == null ? "<td>–</td>" : "<td class=\"" + (f.found() ? "FAIL" : f.unknown().isEmpty() ? "PASS" : "UNKNOWN")
                        + "\">" + JUnitXml.esc(fuzzText(f)) + "</td>"));
                h.append("</tr>");
            }
            h.append("</table>");
        }
        return h.append("</body></html>\n").toString();
    }

    static String fact(Map<String, Object> env, String name) {
        Object v = env == null ? null : env.get(name);
        return v == null ? null : String.valueOf(v);
    }

    /** The container engine the run's container environments reported ("docker 26.1.5"), or null if it used none. */
    static String containerRuntime(Map<String, Object> env) {
        if (env == null || !(env.get("environments") instanceof Map<?, ?> envs)) {
            return null;
        }
        Set<String> seen = new LinkedHashSet<>();
        for (Object e : envs.values()) {
            // A docker environment's describe() records the engine's server version as "engine".
            if (e instanceof Map<?, ?> facts && facts.get("engine") != null && !"null".equals(String.valueOf(facts.get("engine")))) {
                seen.add("docker " + facts.get("engine"));
            }
        }
        return seen.isEmpty() ? null : String.join(", ", seen);
    }

    /** The Qt the run's Qt columns used, as their mechanism names it, or null if no Qt column was available. */
    static String qt(RunSummary run) {
        Set<String> seen = new LinkedHashSet<>();
        for (RunSummary.Column c : run.columns()) {
            if (c.available() && c.mechanism() != null && c.mechanism().contains("Qt")) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("Qt ?(\\d+\\.\\d+(\\.\\d+)?)").matcher(c.mechanism());
                seen.add(c.name() + ": " + (m.find() ? "Qt " + m.group(1) : c.mechanism()));
            }
        }
        return seen.isEmpty() ? null : String.join(", ", seen);
    }
}
