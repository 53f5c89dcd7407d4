package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.shmconform.backends.host.MountTable;
import org.shmconform.engine.launch.SystemTools;
import org.shmconform.engine.launch.ToolRun;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * A small tmpfs the tests mount where a file system that is not a run's would be (another user's on a lane's TMPDIR):
 * root only, else the test is skipped with the reason. The caller unmounts it ({@link #unmount}) in a finally.
 */
final class ForeignTmpfs {
    private ForeignTmpfs() {
    }

    static void mountOn(Path dir) {
        Assumptions.assumeTrue(PrivateDirectory.myUid() == 0, "mounting a tmpfs needs root");
        ToolRun mounted = ToolRun.of(Duration.ofSeconds(60), SystemTools.path("mount"), "-t", "tmpfs", "-o", "size=64k",
                "shmconform-test", dir.toString());
        assertTrue(mounted.ok(), mounted.output());
    }

    static void unmount(Path dir) {
        MountTable.detach(dir);
    }
}
