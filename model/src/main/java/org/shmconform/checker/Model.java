package org.shmconform.checker;

import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import org.shmconform.model.Property;

/**
 * What the linearizability search needs of a model (Porcupine's model contract): an initial state,
 * a step, state equality for memoisation, words for an op and a state, and optionally a partition into
 * independent sub-histories. The step may be nondeterministic (several next states where the
 * specification leaves a choice open); no next state means the op is illegal there, with why.
 *
 * @param <S> the model's state: immutable (the search keeps states it has seen)
 * @param <O> one completed operation, with its arguments and what it returned
 */
public interface Model<S, O> {
    S init();

    Transition<S> step(S state, O op);

    /** Whether two states are the same for the search's memo; value equality unless the model says otherwise. */
    default boolean equal(S a, S b) {
        return Objects.equals(a, b);
    }

    /** Consistent with {@link #equal}. */
    default int hash(S state) {
        return Objects.hashCode(state);
    }

    /** The op in a few words, for a reason when the model gives none. */
    String describeOperation(O op);

    /** The state in a few words, shown after each step of a linearization (Porcupine's DescribeState). */
    default String describeState(S state) {
        return String.valueOf(state);
    }

    /** The open choices a state records having taken, reported with a legal order. */
    default SortedSet<String> observations(S state) {
        return new TreeSet<>();
    }

    /**
     * Sub-histories that cannot affect each other, checked one by one (P-compositionality, as
     * Porcupine's Partition): the history is linearizable iff each part is. Default: one part.
     */
    default List<List<Operation<O>>> partition(List<Operation<O>> ops) {
        return List.of(ops);
    }

    /** Where one op leads from one state: the next states, or (none) the property it breaks and why. */
    record Transition<S>(List<S> next, Property violated, String why) {
        public static <S> Transition<S> to(List<S> next) {
            return new Transition<>(List.copyOf(next), null, null);
        }

        public static <S> Transition<S> illegal(Property violated, String why) {
            return new Transition<>(List.of(), violated, why);
        }

        public boolean legal() {
            return !next.isEmpty();
        }
    }
}
