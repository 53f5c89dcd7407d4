package org.shmconform.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.model.Ops.attach;
import static org.shmconform.model.Ops.call;
import static org.shmconform.model.Ops.failed;
import static org.shmconform.model.Ops.kill;
import static org.shmconform.model.Ops.legal;
import static org.shmconform.model.Ops.op;
import static org.shmconform.model.Ops.reachable;
import static org.shmconform.model.Ops.violated;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.shmconform.model.ModelOp.Outcome;

/** Seed M3 as {@link TemporaryFileRules} states it: unique names, removed by the creator's detach, left by its death. */
class TemporaryFileRulesTest {
    private static final Profile DOC = Profile.DOCUMENTED;
    private static final ModelOp A_MAKES = temp("A", "f.tmp-aaaaaa");
    private static final ModelOp B_MAKES = temp("B", "f.tmp-bbbbbb");

    @Test
    void twoCreatorsOfOneTemplateGetDistinctFilesThatTheKeyDoesNotReach() {
        assertTrue(legal(DOC, List.of(A_MAKES, B_MAKES), files("C", "f.tmp-aaaaaa f.tmp-bbbbbb")));
        assertEquals(Property.TEMP_FILE_CLEANUP, violated(DOC, List.of(A_MAKES), temp("B", "f.tmp-aaaaaa")));
        assertTrue(legal(DOC, List.of(A_MAKES), failed(attach("C", "k"), "NotFound")));
        assertEquals(Property.ATTACH_EXISTING, violated(DOC, List.of(A_MAKES), attach("C", "k")));
    }

    @Test
    void theCreatorsDetachRemovesItsFile() {
        List<ModelOp> detached = List.of(A_MAKES, B_MAKES, call("A", "detach"));
        assertTrue(legal(DOC, detached, files("C", "f.tmp-bbbbbb")));
        assertEquals(Property.TEMP_FILE_CLEANUP, violated(DOC, detached, files("C", "f.tmp-aaaaaa f.tmp-bbbbbb")));
        assertEquals(Property.TEMP_FILE_CLEANUP, violated(DOC, List.of(A_MAKES), files("C", "")));
    }

    @Test
    void aKilledCreatorsFileIsLeftBehindAndSaidSo() {
        List<ModelOp> killed = List.of(A_MAKES, kill("A"));
        assertTrue(legal(DOC, killed, files("C", "f.tmp-aaaaaa")));
        assertEquals(Property.CRASH_SURVIVES, violated(DOC, killed, files("C", "")));
        Set<String> seen = new TreeSet<>();
        List<ModelOp> all = List.of(A_MAKES, kill("A"), files("C", "f.tmp-aaaaaa"));
        reachable(DOC, all).forEach(s -> seen.addAll(s.observations()));
        assertTrue(seen.contains("temporary file of a killed creator: left behind under its name (the harness removes it)"), seen.toString());
    }

    private static ModelOp temp(String p, String name) {
        return op(p, "createTemp", "k", 4096L, "ReadWrite", null, null, null, Outcome.OK, "NoError", name, Ops.SPACE, null);
    }

    private static ModelOp files(String p, String names) {
        return op(p, "tempFiles", "k", null, null, null, null, null, Outcome.OK, "NoError", names, Ops.SPACE, null);
    }
}
