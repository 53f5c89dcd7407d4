package org.shmconform.backends.mmapfile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.shmconform.backends.testsupport.PeerProcess;
import org.shmconform.backends.testsupport.SegmentFixture;

/**
 * The mmapfile backend on a private tmpfs directory of the test class (register it as a static
 * field so the directory lives as long as the class); peers are pointed at the same directory.
 */
final class MmapFileFixture extends SegmentFixture implements BeforeAllCallback, AfterAllCallback {
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
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = PrivateTmpfsDir.create();
        backend = new MmapFileBackend(dir);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        PrivateTmpfsDir.delete(dir);
    }

    @Override
    protected PeerProcess startPeer(Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put(MmapFileBackend.DIR_VARIABLE, dir.toString());
        return PeerProcess.start("mmapfile", null, env);
    }

    @Override
    protected void assertNothingLeft() throws Exception {
        backend.removeLeftovers(keyPrefix(), dir);
        assertEquals(List.of(), PrivateTmpfsDir.names(dir), "files left behind");
    }
}
