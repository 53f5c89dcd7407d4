package org.shmconform.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmconform.engine.env.Environments;
import org.shmconform.scenarios.SuiteRunner;

/** Which scenario runs go to the side lane: the environments with an IPC namespace of their own, and docker-host. */
class SuiteSideLaneTest {
    @Test
    void theSideLaneTakesTheOwnNamespacesAndDockerHostNeverLocalNorCross() {
        List<String> side = Environments.names().stream().filter(SuiteSideLane::takes).toList();
        assertEquals(List.of("ipcns", "ipcns+shm", "docker-private", "docker-shareable", "docker-host"), side);
        assertFalse(SuiteSideLane.takes(SuiteRunner.CROSS));
    }
}
