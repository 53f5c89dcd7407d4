package org.shmconform.engine.env;

import org.shmconform.engine.launch.ToolRun;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.host.HostIds;

/**
 * Root without CAP_SYS_ADMIN (a harness started under a bounding set that drops it, as in a container without
 * --cap-add SYS_ADMIN): ipcns is NOT_AVAILABLE saying that the capability is missing and how to have it. Before, it
 * said "running as root; unshare needs root or CAP_SYS_ADMIN", which told a root user nothing to do.
 */
class NamespaceWithoutSysAdminTest {
    @Test
    void theReasonNamesTheMissingCapabilityAndTheFix() {
        assumeTrue(HostIds.uid() == 0, "the harness runs as root here; this checks root without the capability");
        ToolRun run = ToolRun.of(Duration.ofSeconds(60), List.of("setpriv", "--bounding-set=-sys_admin", "--",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                PrintsNamespaceAvailability.class.getName()));
        assertTrue(run.ok(), run.output());
        String said = run.lastLine();
        assertTrue(said.startsWith("not available: "), said);
        assertTrue(said.contains("running as root without CAP_SYS_ADMIN"), said);
        assertTrue(said.contains("--cap-add SYS_ADMIN"), said);
    }
}
