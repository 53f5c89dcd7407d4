package org.shmconform.backends.mmapfile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.shmconform.backends.testsupport.PeerProcess;
import org.shmconform.backends.testsupport.SegmentFixture;

/**
 * The mmapfile backend on a private tmpfs directory of each test, removed after the test even
 * when it failed; peers are pointed at the same directory.
 */
final class MmapFileFixture extends SegmentFixture {
    private Path dir;
    private MmapFileBackend backend;

    Path dir() {
        return dir;
    }

    @Override
    public MmapFileBackend backend() {
        return backend;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        dir = PrivateTmpfsDir.create();
        backend = new MmapFileBackend(dir);
        super.beforeEach(context);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        try {
            super.afterEach(context);
        } finally {
            PrivateTmpfsDir.delete(dir);
        }
    }

    @Override
    protected PeerProcess startPeer(Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put(MmapFileBackend.DIR_VARIABLE, dir.toString());
        return PeerProcess.start("mmapfile", null, env);
    }

    @Override
    protected void assertNothingLeft() throws Exception {
        backend.removeLeftovers(keyPrefix(), dir, org.shmconform.backends.testsupport.OurUser.ONLY);
        assertEquals(List.of(), PrivateTmpfsDir.names(dir), "files left behind");
    }
}
