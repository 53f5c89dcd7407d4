package org.shmconform.reports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;
import org.shmconform.fuzz.FuzzResult;
import org.shmconform.history.History;
import org.shmconform.history.HistoryEvent;

/**
 * junit.xml for CI systems: a testsuite per column and environment with a testcase per scenario, then
 * a "fuzz" suite and, with a baseline, a "baseline" suite, so that everything that sets the exit
 * status is a failing testcase with its reason. FAIL is a {@code <failure type="FAIL">} with the property
 * and reason as its message and the history excerpt in its body, UNKNOWN an {@code <error>} (nothing
 * could be concluded), NOT_AVAILABLE is {@code <skipped>} with the reason, DEVIATES passes with the
 * declared difference in {@code <system-out>}. Every suite carries tests, failures, errors, skipped and
 * time; the root carries the totals its schema allows (Jenkins' junit-10.xsd has no root "skipped", and
 * a file with one does not validate). The test resources hold that schema's structure, which a test
 * validates this file against.
 */
final class JUnitXml {
    private JUnitXml() {
    }

    /** One testcase: its outcome element (null when it passed) and what it printed. */
    private record Case(String classname, String name, double seconds, String outcome, String systemOut) {
    }

    private record Suite(String name, List<Case> cases) {
        long count(String element) {
            return cases.stream().filter(c -> c.outcome() != null && c.outcome().startsWith("<" + element)).count();
        }

        double seconds() {
            return cases.stream().mapToDouble(Case::seconds).sum();
        }
    }

    static String render(RunSummary run) {
        return render(null, run);
    }

    /** With the report folder, a FAIL's or UNKNOWN's body holds the lines of its history up to the event that decided it. */
    static String render(Path dir, RunSummary run) {
        List<Suite> suites = new ArrayList<>();
        Map<String, List<ScenarioResult>> byColumn = new TreeMap<>(run.results().stream()
                .collect(Collectors.groupingBy(r -> r.column() + "." + r.env())));
        Map<String, Map<String, Object>> declared = new TreeMap<>();
        run.columns().forEach(c -> declared.put(c.name(), c.declared()));
        byColumn.forEach((suite, results) -> suites.add(new Suite(suite, results.stream()
                .map(r -> scenarioCase(suite, r, dir, declared.get(r.column()))).toList())));
        if (run.fuzz() != null && !run.fuzz().isEmpty()) {
            suites.add(new Suite("fuzz", run.fuzz().stream().flatMap(f -> fuzzCases(f).stream()).toList()));
        }
        if (run.baseline() != null) {
            suites.add(new Suite("baseline", baselineCases(run.baseline())));
        }
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"shmconform\"");
        totals(xml, suites.stream().mapToLong(s -> s.cases().size()).sum(), suites.stream().mapToLong(s -> s.count("failure")).sum(),
                suites.stream().mapToLong(s -> s.count("error")).sum(), -1, run.millis() / 1000.0);
        xml.append(">\n");
        for (Suite s : suites) {
            xml.append("  <testsuite name=\"").append(esc(s.name())).append('"');
            totals(xml, s.cases().size(), s.count("failure"), s.count("error"), s.count("skipped"), s.seconds());
            xml.append(">\n");
            for (Case c : s.cases()) {
                xml.append("    <testcase classname=\"").append(esc(c.classname())).append("\" name=\"").append(esc(c.name()))
                        .append("\" time=\"").append(seconds(c.seconds())).append("\">");
                if (c.outcome() != null) {
                    xml.append(c.outcome());
                }
                if (c.systemOut() != null && !c.systemOut().isEmpty()) {
                    xml.append("<system-out>").append(esc(c.systemOut())).append("</system-out>");
                }
                xml.append("</testcase>\n");
            }
            xml.append("  </testsuite>\n");
        }
        return xml.append("</testsuites>\n").toString();
    }

    /** {@code skipped} -1: left out (the root). */
    private static void totals(StringBuilder xml, long tests, long failures, long errors, long skipped, double seconds) {
        xml.append(" tests=\"").append(tests).append("\" failures=\"").append(failures).append("\" errors=\"").append(errors).append('"');
        if (skipped >= 0) {
            xml.append(" skipped=\"").append(skipped).append('"');
        }
        xml.append(" time=\"").append(seconds(seconds)).append('"');
    }

    private static Case scenarioCase(String suite, ScenarioResult r, Path dir, Map<String, Object> declared) {
        String reason = RunVerdict.reason(r);
        String outcome = switch (r.verdict()) {
            case NOT_AVAILABLE -> "<skipped type=\"NOT_AVAILABLE\" message=\"" + esc(reason) + "\"/>";
            case UNKNOWN -> element("error", "UNKNOWN", reason, details(r) + excerpt(dir, r));
            case FAIL -> element("failure", "FAIL", reason, details(r) + excerpt(dir, r));
            case PASS, DEVIATES -> null;
        };
        String out = r.verdict() == Verdict.DEVIATES ? "DEVIATES from the documentation, a difference " + r.column()
                + " declares" + (declared == null || declared.isEmpty() ? "" : " (" + declared + ")") + ": " + reason + "\n" + details(r)
                : r.verdict() == Verdict.PASS && r.notes() != null && !r.notes().isEmpty() ? details(r) : null;
        return new Case(suite, r.scenario(), r.millis() / 1000.0, outcome, out);
    }

    /** The history up to two events past the one that decided the verdict (at most 12 lines), for a reader without the file. */
    private static String excerpt(Path dir, ScenarioResult r) {
        if (dir == null || r.historyFile() == null || !Files.isRegularFile(dir.resolve(r.historyFile()))) {
            return ""; // no history was written (a worker that never started): the body already says why
        }
        List<HistoryEvent> events;
        try {
            events = History.read(dir.resolve(r.historyFile())).events();
        } catch (IOException | RuntimeException e) {
            return "\nhistory unreadable: " + e.getMessage();
        }
        int last = r.properties().stream().filter(p -> p.verdict() == r.verdict() && p.eventIndex() != null)
                .mapToInt(PropertyResult::eventIndex).findFirst().orElse(events.size() - 1);
        int to = Math.min(events.size() - 1, last + 2);
        int from = Math.max(0, to - 11);
        StringBuilder b = new StringBuilder("\nhistory lines ").append(from + 1).append("..").append(to + 1).append(" of ").append(events.size())
                .append(':');
        for (HistoryEvent e : events.subList(from, to + 1)) {
            b.append('\n').append(e.index() == last ? "=> " : "   ").append(event(e));
        }
        return b.toString();
    }

    private static String event(HistoryEvent e) {
        StringBuilder b = new StringBuilder().append(e.index()).append(' ').append(e.process()).append(' ').append(e.type())
                .append(' ').append(e.f());
        Object[][] fields = {{"key", e.key()}, {"size", e.size()}, {"mode", e.mode()}, {"offset", e.offset()}, {"length", e.length()},
            {"value", e.value()}, {"error", "NoError".equals(e.error()) ? null : e.error()}, {"exit", e.exitStatus()}, {"note", e.note()}};
        for (Object[] f : fields) {
            if (f[1] != null) {
                b.append(' ').append(f[0]).append('=').append(f[1]);
            }
        }
        return b.toString();
    }

    private static List<Case> fuzzCases(FuzzResult f) {
        String classname = "fuzz." + f.backend();
        List<Case> cases = new ArrayList<>();
        for (FuzzResult.Failure x : f.failures()) {
            String name = "seed " + x.seed() + " " + x.property();
            String message = x.property() + " at seed " + x.seed() + " (" + x.rate() + "): " + x.why();
            String body = message + "\n" + x.shrinkSummary() + (x.shrunkWhy() == null ? "" : ": " + x.shrunkWhy())
                    + "\nreplay: shmconform replay " + x.replayFile();
            cases.add(new Case(classname, name, 0, element("failure", "FUZZ-FAIL", message, body), null));
        }
        for (String u : f.unknown()) {
            cases.add(new Case(classname, u.contains(":") ? u.substring(0, u.indexOf(':')) : u, 0,
                    element("error", "UNKNOWN", u, u), null));
        }
        cases.add(new Case(classname, "campaign", f.seconds(), null, String.format(Locale.ROOT,
                "%d schedules, %d operations from seed %d in %.1f s", f.schedulesRun(), f.operationsRun(), f.firstSeed(), f.seconds())));
        return cases;
    }

    private static List<Case> baselineCases(Baseline.Outcome b) {
        if (b.regressions().isEmpty()) {
            return List.of(new Case("baseline", "no regression against " + b.file(), 0, null, null));
        }
        return b.regressions().stream().map(r -> new Case("baseline", r.cell(), 0,
                element("failure", "REGRESSION", r.toString(), "regression against " + b.file() + ": " + r + evidence(b, r.cell())), null))
                .toList();
    }

    /** Both sides of a regressed cell, as 'shmconform diff' prints them. */
    private static String evidence(Baseline.Outcome b, String cell) {
        return b.changes().stream().filter(c -> c.cell().equals(cell)).findFirst()
                .map(c -> "\nold: " + (c.before() == null ? "not in the run" : c.before().text(null))
                        + "\nnew: " + (c.after() == null ? "not in the run" : c.after().text(null))).orElse("");
    }

    private static String element(String name, String type, String message, String body) {
        return "<" + name + " type=\"" + type + "\" message=\"" + esc(message) + "\">" + esc(body) + "</" + name + ">";
    }

    private static String details(ScenarioResult r) {
        StringBuilder b = new StringBuilder();
        for (PropertyResult p : r.properties()) {
            b.append(p.property()).append(' ').append(p.verdict()).append(p.why() == null ? "" : ": " + p.why());
            if (p.eventIndex() != null) {
                b.append(" (history line ").append(p.eventIndex() + 1).append(')'); // 1-based, as an editor numbers it
            }
            b.append('\n');
        }
        if (r.reason() != null) {
            b.append("reason: ").append(r.reason()).append('\n');
        }
        if (r.notes() != null) {
            r.notes().forEach(n -> b.append("note: ").append(n).append('\n'));
        }
        return b.append("history: ").append(r.historyFile()).toString();
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.3f", s);
    }

    /** Text for XML and HTML, attribute or content: also drops the characters XML 1.0 cannot carry. */
    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replaceAll("[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F]", "?");
    }
}
