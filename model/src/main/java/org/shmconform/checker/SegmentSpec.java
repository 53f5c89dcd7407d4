package org.shmconform.checker;

import java.util.SortedSet;
import org.shmconform.model.ModelOp;
import org.shmconform.model.ModelState;
import org.shmconform.model.Profile;
import org.shmconform.model.SegmentModel;

/**
 * The segment model under one profile, as the linearizability search sees it. One partition: the
 * rules relate keys across key spaces and namespaces (a missing key is blamed on the space that has
 * it), and a process's ops reach any key it names, so no split by key is known to keep verdicts and
 * reasons as they are.
 */
public record SegmentSpec(Profile profile) implements Model<ModelState, ModelOp> {
    @Override
    public ModelState init() {
        return ModelState.initial();
    }

    @Override
    public Transition<ModelState> step(ModelState state, ModelOp op) {
        SegmentModel.Step s = SegmentModel.step(profile, state, op);
        return new Transition<>(s.next(), s.violated(), s.why());
    }

    @Override
    public String describeOperation(ModelOp op) {
        return op.process() + " " + op.f() + " returned " + SegmentModel.describe(op);
    }

    @Override
    public String describeState(ModelState state) {
        return StateText.of(state);
    }

    @Override
    public SortedSet<String> observations(ModelState state) {
        return state.observations();
    }

    /** The checker's ops as the search's. */
    static Operation<ModelOp> operation(CheckedOp c) {
        return new Operation<>(c.id(), c.op().process(), c.op(), c.call(), c.ret(), c.optional(), c.invokeIndex());
    }
}
