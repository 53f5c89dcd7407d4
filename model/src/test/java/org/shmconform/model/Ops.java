package org.shmconform.model;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.shmconform.model.ModelOp.Outcome;

/**
 * Ops for the rule files' tests, and the two questions they ask of the model: which states a
 * sequence can reach, and whether an op is legal in one of them. Every ModelOp is made in
 * {@link #op}, so a change of its constructor touches this line only.
 */
final class Ops {
    static final String SPACE = "test@ns:[1]";

    private Ops() {
    }

    static ModelOp op(String p, String f, String key, Long size, String mode, Long offset, Integer length, String dataHex,
                      Outcome outcome, String error, String value, String space, String user) {
        int realKeyLength = key == null || key.isEmpty() ? 0 : 12 + key.length();
        return new ModelOp(p, f, key, realKeyLength, size, mode, offset, length, dataHex, outcome, error, value, space, user);
    }

    static ModelOp call(String p, String f) {
        return op(p, f, null, null, null, null, null, null, Outcome.OK, "NoError", null, SPACE, null);
    }

    static ModelOp create(String p, String key, long size) {
        return op(p, "create", key, size, "ReadWrite", null, null, null, Outcome.OK, "NoError", null, SPACE, null);
    }

    static ModelOp attach(String p, String key) {
        return attachIn(p, key, SPACE);
    }

    static ModelOp attachIn(String p, String key, String space) {
        return op(p, "attach", key, null, "ReadWrite", null, null, null, Outcome.OK, "NoError", null, space, null);
    }

    static ModelOp createIn(String p, String key, long size, String space) {
        return op(p, "create", key, size, "ReadWrite", null, null, null, Outcome.OK, "NoError", null, space, null);
    }

    static ModelOp attachReadOnly(String p, String key) {
        return op(p, "attach", key, null, "ReadOnly", null, null, null, Outcome.OK, "NoError", null, SPACE, null);
    }

    static ModelOp write(String p, long offset, String text) {
        return op(p, "write", null, null, null, offset, null, hex(text), Outcome.OK, "NoError", null, SPACE, null);
    }

    static ModelOp read(String p, long offset, String text) {
        return op(p, "read", null, null, null, offset, text.length(), hex(text), Outcome.OK, "NoError", null, SPACE, null);
    }

    static ModelOp truncate(String p, int length) {
        return op(p, "truncate", null, null, null, null, length, null, Outcome.OK, "NoError", null, SPACE, null);
    }

    static ModelOp value(String p, String f, String value) {
        return op(p, f, null, null, null, null, null, null, Outcome.OK, "NoError", value, SPACE, null);
    }

    static ModelOp kill(String p) {
        return op(p, "kill", null, null, null, null, null, null, Outcome.DEATH, null, null, SPACE, null);
    }

    /** The same call, returned false with {@code error}. */
    static ModelOp failed(ModelOp o, String error) {
        return with(o, Outcome.FAIL, error);
    }

    /** The same call, never returned: the kernel saw it asleep in a lock wait. */
    static ModelOp blocked(ModelOp o) {
        return with(o, Outcome.BLOCKED, null);
    }

    /** The same call, its worker died of a signal during it. */
    static ModelOp crashed(ModelOp o) {
        return with(o, Outcome.CRASH, null);
    }

    private static ModelOp with(ModelOp o, Outcome outcome, String error) {
        return op(o.process(), o.f(), o.key(), o.size(), o.mode(), o.offset(), o.length(), o.dataHex(), outcome, error, null,
                o.space(), o.user());
    }

    static String hex(String text) {
        return HexFormat.of().formatHex(text.getBytes());
    }

    /** Every state the ops may lead to, in that order; each op must be legal somewhere. */
    static Set<ModelState> reachable(Profile profile, List<ModelOp> ops) {
        Set<ModelState> states = new LinkedHashSet<>(List.of(ModelState.initial()));
        for (ModelOp op : ops) {
            Set<ModelState> next = new LinkedHashSet<>();
            for (ModelState s : states) {
                next.addAll(SegmentModel.step(profile, s, op).next());
            }
            assertFalse(next.isEmpty(), () -> "prefix op " + op + " illegal");
            states = next;
        }
        return states;
    }

    /** Whether {@code last} is legal in some state {@code prefix} can reach. */
    static boolean legal(Profile profile, List<ModelOp> prefix, ModelOp last) {
        return reachable(profile, prefix).stream().anyMatch(s -> SegmentModel.step(profile, s, last).legal());
    }

    /** The property {@code last} breaks in every state {@code prefix} can reach (it must be illegal in all). */
    static Property violated(Profile profile, List<ModelOp> prefix, ModelOp last) {
        Set<Property> broken = new LinkedHashSet<>();
        for (ModelState s : reachable(profile, prefix)) {
            SegmentModel.Step step = SegmentModel.step(profile, s, last);
            if (step.legal()) {
                return null;
            }
            broken.add(step.violated());
        }
        return broken.size() == 1 ? broken.iterator().next() : null;
    }

    /** A profile with each promise stated (null: silent), everything else as documented. */
    static Profile profile(Boolean lastDetachDestroys, Boolean survivesCrash,
                           org.shmconform.spi.BackendSemantics.LockOnHolderDeath lock,
                           org.shmconform.spi.BackendSemantics.Resize resize, boolean keyingResetsLock) {
        return new Profile("test", lastDetachDestroys, survivesCrash, lock, resize, keyingResetsLock);
    }
}
