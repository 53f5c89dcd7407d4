package org.shmconform.reports;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;

/**
 * Every changed cell (column/environment/scenario/property) between two runs, with the evidence of both
 * sides: what {@code shmconform diff OLD NEW} prints and what {@code run --baseline} records.
 *
 * <p>A regression is what a CI job must not let through: PASS or DEVIATES becoming FAIL or UNKNOWN, PASS
 * becoming DEVIATES, and a cell that was tried (any verdict but NOT_AVAILABLE) becoming NOT_AVAILABLE or
 * disappearing, because a check that no longer runs proves nothing. A NOT_AVAILABLE cell that disappears
 * lost nothing (REMOVED); a change between two failing verdicts, or from NOT_AVAILABLE to a failing one,
 * is CHANGED: that run fails by its own FAIL or UNKNOWN anyway.
 */
public record RunDiff(List<Change> changes) {

    public enum Kind { REGRESSION, IMPROVEMENT, NEW, REMOVED, CHANGED }

    /**
     * One side of a cell: its verdict and the evidence for it.
     *
     * @param historyFile relative to the folder of that run's results.json, or null
     */
    public record Side(Verdict verdict, String why, Integer eventIndex, String historyFile) {
        public Side {
            why = why == null || why.isBlank() ? null : why;
        }

        static Side of(ScenarioResult r, PropertyResult p) {
            String why = p.why();
            if ((why == null || why.isBlank()) && p.verdict() != Verdict.PASS) {
                why = RunVerdict.reason(r); // the engine's reason of an UNKNOWN or NOT_AVAILABLE run
            }
            return new Side(p.verdict(), why, p.eventIndex(), r.historyFile());
        }

        /** "FAIL: C acquired the lock while A held it (event 8) — evidence/x.history.jsonl", the history under {@code folder}. */
        public String text(Path folder) {
            StringBuilder b = new StringBuilder(verdict.name());
            if (why != null) {
                b.append(": ").append(why);
            }
            if (eventIndex != null) {
                b.append(" (event ").append(eventIndex).append(')');
            }
            if (historyFile != null) {
                b.append(" — ").append(folder == null ? historyFile : folder.resolve(historyFile).toString());
            }
            return b.toString();
        }
    }

    /** A cell whose verdict differs; {@code before} or {@code after} is null when the cell is not in that run. */
    public record Change(Kind kind, String cell, Side before, Side after) {
        /** "sysv/local/lock-excludes/LOCK-EXCLUSIVE: PASS -> FAIL". */
        public String headline() {
            return cell + ": " + (before == null ? "(not in the old run)" : before.verdict().name()) + " -> "
                    + (after == null ? "(not in the new run)" : after.verdict().name());
        }

        @Override
        public String toString() {
            return kind + " " + headline();
        }
    }

    /** How a cell changed from {@code before} to {@code after} (null: not in that run); null when its verdict did not. */
    public static Kind classify(Verdict before, Verdict after) {
        if (before == after) {
            return null;
        }
        if (before == null) {
            return Kind.NEW;
        }
        if (after == null) {
            return before == Verdict.NOT_AVAILABLE ? Kind.REMOVED : Kind.REGRESSION;
        }
        boolean wasGood = before == Verdict.PASS || before == Verdict.DEVIATES;
        boolean isGood = after == Verdict.PASS || after == Verdict.DEVIATES;
        if (after == Verdict.NOT_AVAILABLE) {
            return Kind.REGRESSION;
        }
        if (wasGood && !isGood || before == Verdict.PASS && after == Verdict.DEVIATES) {
            return Kind.REGRESSION;
        }
        if (isGood) {
            return Kind.IMPROVEMENT; // from FAIL, UNKNOWN or NOT_AVAILABLE, or DEVIATES -> PASS
        }
        return Kind.CHANGED;
    }

    public static RunDiff compare(RunSummary before, RunSummary after) {
        Map<String, Side> old = index(before.results());
        Map<String, Side> now = index(after.results());
        Set<String> cells = new TreeSet<>(old.keySet());
        cells.addAll(now.keySet());
        List<Change> changes = new ArrayList<>();
        for (String cell : cells) {
            Side b = old.get(cell);
            Side a = now.get(cell);
            Kind kind = classify(b == null ? null : b.verdict(), a == null ? null : a.verdict());
            if (kind != null) {
                changes.add(new Change(kind, cell, b, a));
            }
        }
        changes.sort(Comparator.comparing(Change::kind).thenComparing(Change::cell));
        return new RunDiff(List.copyOf(changes));
    }

    public List<Change> of(Kind kind) {
        return changes.stream().filter(c -> c.kind() == kind).toList();
    }

    public boolean regressed() {
        return !of(Kind.REGRESSION).isEmpty();
    }

    /** The regressions as results.json and the other reports list them (the reason is the later run's, or why it is missing). */
    public List<Baseline.Regression> regressions() {
        return of(Kind.REGRESSION).stream().map(c -> new Baseline.Regression(c.cell(), c.before().verdict(),
                c.after() == null ? null : c.after().verdict(), c.after() == null ? "no longer in the run" : c.after().why())).toList();
    }

    /** "1 regression, 0 improvements, 2 new, 0 removed, 0 other changes". */
    public String tally() {
        return RunVerdict.plural(of(Kind.REGRESSION).size(), "regression") + ", "
                + RunVerdict.plural(of(Kind.IMPROVEMENT).size(), "improvement") + ", " + of(Kind.NEW).size() + " new, "
                + of(Kind.REMOVED).size() + " removed, " + RunVerdict.plural(of(Kind.CHANGED).size(), "other change");
    }

    /** Each change on a line, then the evidence of each side on its own line; histories resolved under each run's folder. */
    public List<String> lines(Path oldFolder, Path newFolder) {
        List<String> out = new ArrayList<>();
        for (Change c : changes) {
            out.add(c.toString());
            out.add("    old: " + (c.before() == null ? "not in the run" : c.before().text(oldFolder)));
            out.add("    new: " + (c.after() == null ? "not in the run" : c.after().text(newFolder)));
        }
        return out;
    }

    private static Map<String, Side> index(List<ScenarioResult> results) {
        Map<String, Side> m = new LinkedHashMap<>();
        for (ScenarioResult r : results) {
            for (PropertyResult p : r.properties()) {
                m.put(cell(r, p), Side.of(r, p));
            }
        }
        return m;
    }

    static String cell(ScenarioResult r, PropertyResult p) {
        return r.column() + "/" + r.env() + "/" + r.scenario() + "/" + p.property();
    }
}
