package org.shmconform.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.model.Ops.attach;
import static org.shmconform.model.Ops.call;
import static org.shmconform.model.Ops.create;
import static org.shmconform.model.Ops.failed;
import static org.shmconform.model.Ops.kill;
import static org.shmconform.model.Ops.legal;
import static org.shmconform.model.Ops.profile;
import static org.shmconform.model.Ops.reachable;
import static org.shmconform.model.Ops.violated;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Create, attach, detach, the last detach and a worker's death, as {@link LifecycleRules} states them. */
class LifecycleRulesTest {
    private static final Profile KEEPS = profile(false, true, null, null, false);
    private static final Profile SILENT = profile(null, null, null, null, false);
    private static final Profile CRASH_DESTROYS = profile(true, false, null, null, false);

    @Test
    void createMakesTheSegmentAndAttachesItsCreator() {
        ModelState s = reachable(Profile.DOCUMENTED, List.of(create("A", "k", 64))).iterator().next();
        assertEquals(Set.of(Ops.SPACE + "|k"), s.segments().keySet());
        assertEquals(64, s.segments().get(Ops.SPACE + "|k").size());
        assertTrue(s.worker("A").attached());
        assertEquals(64, s.worker("A").mapped());
    }

    @Test
    void aSecondCreateOfOneKeyMustFailWithAlreadyExists() {
        List<ModelOp> made = List.of(create("A", "k", 64));
        assertTrue(legal(Profile.DOCUMENTED, made, failed(create("B", "k", 64), "AlreadyExists")));
        assertEquals(Property.CREATE_EXISTS_FALLBACK, violated(Profile.DOCUMENTED, made, create("B", "k", 64)));
        assertEquals(Property.CREATE_EXISTS_FALLBACK, violated(Profile.DOCUMENTED, made, failed(create("B", "k", 64), "NotFound")));
    }

    @Test
    void createOfANonPositiveSizeFailsWithInvalidSize() {
        assertTrue(legal(Profile.DOCUMENTED, List.of(), failed(create("A", "k", 0), "InvalidSize")));
        assertEquals(Property.CREATE_SIZE, violated(Profile.DOCUMENTED, List.of(), create("A", "k", 0)));
    }

    @Test
    void attachFindsOnlyAnExistingSegment() {
        assertEquals(Property.ATTACH_EXISTING, violated(Profile.DOCUMENTED, List.of(), attach("B", "k")));
        assertTrue(legal(Profile.DOCUMENTED, List.of(create("A", "k", 64)), attach("B", "k")));
        assertEquals(Property.API_CONTRACT,
                violated(Profile.DOCUMENTED, List.of(create("A", "k", 64), attach("B", "k")), attach("B", "k")));
    }

    @Test
    void theLastDetachDestroysWhereTheProfileSaysSoAndTheBlameRemembersIt() {
        List<ModelOp> detached = List.of(create("A", "k", 64), call("A", "detach"));
        assertEquals(Property.LAST_DETACH_DESTROYS, violated(Profile.DOCUMENTED, detached, attach("B", "k")));
        assertTrue(legal(Profile.DOCUMENTED, detached, failed(attach("B", "k"), "NotFound")));
        assertTrue(legal(KEEPS, detached, attach("B", "k")));
        assertFalse(legal(KEEPS, detached, failed(attach("B", "k"), "NotFound")));
    }

    @Test
    void aDetachThatIsNotTheLastKeepsTheSegment() {
        List<ModelOp> two = List.of(create("A", "k", 64), attach("B", "k"), call("A", "detach"));
        assertTrue(legal(Profile.DOCUMENTED, two, attach("C", "k")));
        assertFalse(legal(Profile.DOCUMENTED, two, failed(attach("C", "k"), "NotFound")));
    }

    @Test
    void whereTheProfileIsSilentBothFatesAreLegalAndRecorded() {
        Set<String> observed = reachable(SILENT, List.of(create("A", "k", 64), call("A", "detach"))).stream()
                .flatMap(s -> s.observations().stream()).collect(Collectors.toSet());
        assertEquals(Set.of("last detach: segment destroyed", "last detach: segment survives"), observed);
    }

    @Test
    void aCrashOfTheLastHolderLeavesTheSegmentUnlessTheProfileSaysOtherwise() {
        List<ModelOp> crashed = List.of(create("A", "k", 64), kill("A"));
        assertTrue(legal(Profile.DOCUMENTED, crashed, attach("B", "k")));
        assertEquals(Property.CRASH_SURVIVES, violated(Profile.DOCUMENTED, crashed, failed(attach("B", "k"), "NotFound")));
        assertTrue(legal(CRASH_DESTROYS, crashed, failed(attach("B", "k"), "NotFound")));
        assertEquals(Property.CRASH_SURVIVES, violated(CRASH_DESTROYS, crashed, attach("B", "k")));
    }

    @Test
    void aDeadWorkerDoesNothingMore() {
        List<ModelOp> dead = List.of(create("A", "k", 64), kill("A"));
        assertEquals(Property.API_CONTRACT, violated(Profile.DOCUMENTED, dead, call("A", "detach")));
        assertTrue(reachable(Profile.DOCUMENTED, dead).stream().allMatch(s -> s.worker("A").dead() && !s.worker("A").attached()));
    }

    @Test
    void detachWhenNotAttachedMustFail() {
        assertTrue(legal(Profile.DOCUMENTED, List.of(), failed(call("A", "detach"), "NoError")));
        assertEquals(Property.API_CONTRACT, violated(Profile.DOCUMENTED, List.of(), call("A", "detach")));
        assertNull(violated(Profile.DOCUMENTED, List.of(create("A", "k", 64)), call("A", "detach")));
    }
    /**
     * Fuzz qt68-sysv seed 13065, 3/3 on every System V Qt column (qt, qt68-sysv, -safe, -native) and on the Java sysv:
     * a create() by an attached object runs initKey's cleanHandle (unix_key = 0) before it refuses the size, so its
     * detach() finds no segment to remove: the segment outlives its last detach, and a later attach finds it. Only a
     * create refused for its size drops the handle (one of size &gt; 0 derives it again), and only where the lock is a
     * System V set (the POSIX columns: NotFound, as documented).
     */
    @Test
    void aCreateRefusedForItsSizeDropsAnAttachedObjectsHandle() {
        Profile qt = Profile.declared("qt-6.4", ReferenceSemantics.QT_6_4);
        List<ModelOp> dropped = List.of(create("B", "k", 8), failed(create("B", "k", 0), "InvalidSize"), call("B", "detach"));
        assertTrue(legal(qt, dropped, attach("B", "k")));
        assertFalse(legal(qt, dropped, failed(attach("B", "k"), "NotFound")), "the segment was not removed");
        assertEquals(Property.LAST_DETACH_DESTROYS, violated(Profile.DOCUMENTED, dropped, attach("B", "k")));
        List<ModelOp> derivedAgain = List.of(create("B", "k", 8), failed(create("B", "k", 0), "InvalidSize"),
                failed(create("B", "k", 8), "AlreadyExists"), call("B", "detach"));
        assertTrue(legal(qt, derivedAgain, failed(attach("B", "k"), "NotFound")));
        assertFalse(legal(qt, derivedAgain, attach("B", "k")), "its last detach removed the segment");
        Profile posix = Profile.declared("qt-6.8-posix", ReferenceSemantics.QT_6_8_POSIX);
        assertTrue(reachable(qt, dropped.subList(0, 2)).stream().allMatch(st -> st.worker("B").handleDropped()));
        assertTrue(reachable(posix, dropped.subList(0, 2)).stream().noneMatch(st -> st.worker("B").handleDropped()));
    }
}
