package org.shmconform.checker;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.shmconform.history.Execution;
import org.shmconform.model.Profile;
import org.shmconform.spi.BackendSemantics;

/**
 * The history is linearizable under one profile: PASS when some legal order exists, FAIL with the
 * property the furthest-reaching order broke, UNKNOWN when the search gave up. The search's answer
 * is kept as the judgement's evidence.
 */
public final class Linearizable implements Checker {
    private final Declarations declarations;
    private final String subjectImpl;
    private final Function<Map<String, BackendSemantics>, Profile> profile;

    private Linearizable(Declarations declarations, String subjectImpl, Function<Map<String, BackendSemantics>, Profile> profile) {
        this.declarations = declarations;
        this.subjectImpl = subjectImpl;
        this.profile = profile;
    }

    /** Under what the seed documents say. */
    public static Linearizable asDocumented(Declarations declarations, String subjectImpl) {
        return new Linearizable(declarations, subjectImpl, semantics -> Profile.DOCUMENTED);
    }

    /** Under what the subject implementation declares of itself. */
    public static Linearizable asDeclared(Declarations declarations, String subjectImpl) {
        return new Linearizable(declarations, subjectImpl,
                semantics -> Profile.declared(declarations.profileName(subjectImpl), semantics.get(subjectImpl)));
    }

    @Override
    public Judgement check(Execution x) {
        Map<String, BackendSemantics> semantics = new TreeMap<>();
        for (Execution.WorkerInfo w : x.workers().values()) {
            semantics.computeIfAbsent(w.impl(), declarations::semantics);
        }
        semantics.computeIfAbsent(subjectImpl, declarations::semantics);
        List<CheckedOp> ops = HistoryOps.of(x, semantics);
        CheckResult r = LinearizabilityChecker.check(profile.apply(semantics), ops);
        return switch (r.status()) {
            case LINEARIZABLE -> new Judgement(Verdict.PASS, null, r, Map.of());
            case VIOLATION -> new Judgement(Verdict.FAIL, (r.violated() == null ? "" : r.violated().id() + ": ") + r.why(), r, Map.of());
            case UNKNOWN -> new Judgement(Verdict.UNKNOWN, "checker: " + r.why(), r, Map.of());
        };
    }
}
