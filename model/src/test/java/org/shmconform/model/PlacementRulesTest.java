package org.shmconform.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.model.Ops.call;
import static org.shmconform.model.Ops.create;
import static org.shmconform.model.Ops.failed;
import static org.shmconform.model.Ops.legal;
import static org.shmconform.model.Ops.reachable;
import static org.shmconform.model.Ops.value;
import static org.shmconform.model.Ops.violated;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Where objects live (seeds M6, L1, L2, L4), as {@link PlacementRules} judges what a worker measured. */
class PlacementRulesTest {
    private static final Profile DOC = Profile.DOCUMENTED;

    @Test
    void aDevShmThatIsNotATmpfsIsAViolationOfTheEnvironment() {
        assertEquals(Property.DEV_SHM_TMPFS, violated(DOC, List.of(),
                value("A", "placement", "shm_open and sem_open names: /dev/shm is ext4 (disk-backed)")));
        assertEquals(Property.DEV_SHM_TMPFS, violated(DOC, List.of(), value("A", "placement", "/dev/shm: /dev/shm is ramfs (RAM-backed)")));
        assertEquals(Property.XDG_RUNTIME_TMPFS, violated(DOC, List.of(),
                value("A", "placement", "segment files: /run/user/0/shmconform-abcdef-x is ext4 (disk-backed)")));
        assertTrue(legal(DOC, List.of(), value("A", "placement", "segment files: /run/user/0/shmconform-abcdef-x is tmpfs (RAM-backed)")));
        assertTrue(legal(DOC, List.of(), value("A", "placement", "shm_open and sem_open names: /dev/shm is tmpfs (RAM-backed)")));
    }

    @Test
    void aDiskBackedDirectoryIsLegalAndRecordedAsWrittenBackToStorage() {
        ModelOp disk = value("A", "placement", "segment files: /var/tmp/shmconform-x-abc is ext4 (disk-backed)");
        assertEquals(Set.of("placement of segment files: disk-backed (ext4): written back to storage"),
                observations(List.of(create("A", "k", 64), disk)));
        ModelOp tmp = value("A", "placement", "/tmp: /tmp is xfs (disk-backed); key files ($TMPDIR): /run/x is tmpfs (RAM-backed)");
        assertEquals(Set.of("placement of /tmp: disk-backed (xfs): written back to storage",
                "placement of key files ($TMPDIR): RAM-backed (tmpfs)"), observations(List.of(tmp)));
    }

    @Test
    void anonymousUnmeasuredAndUnreadablePlacements() {
        assertEquals(Set.of("placement of named objects: none, in no directory (anonymous)"),
                observations(List.of(value("A", "placement", ""))));
        assertEquals(Set.of("placement of segment files: filesystem not measured (statfs: ENOENT)"),
                observations(List.of(value("A", "placement", "segment files: /gone is not measured (statfs: ENOENT)"))));
        assertEquals(Property.API_CONTRACT, violated(DOC, List.of(), value("A", "placement", "tmpfs everywhere")));
    }

    @Test
    void onlyAFreshObjectIsPlaced() {
        assertTrue(legal(DOC, List.of(), call("A", "placeIn")));
        assertTrue(legal(DOC, List.of(), failed(call("A", "placeIn"), "UnknownError")));
        assertEquals(Property.API_CONTRACT, violated(DOC, List.of(create("A", "k", 64)), call("A", "placeIn")));
    }

    private static Set<String> observations(List<ModelOp> ops) {
        Set<String> all = new TreeSet<>();
        reachable(DOC, ops).forEach(s -> all.addAll(s.observations()));
        all.removeIf(o -> !o.startsWith(PlacementRules.PREFIX));
        return all;
    }
}
