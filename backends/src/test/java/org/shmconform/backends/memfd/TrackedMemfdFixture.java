package org.shmconform.backends.memfd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.shmconform.backends.testsupport.PeerProcess;
import org.shmconform.backends.testsupport.SegmentFixture;
import org.shmconform.spi.SharedSegment;

/**
 * A memfd-backed backend. A memfd has no name to list, so the fixture remembers the kernel name of
 * every segment a test opened and checks through /proc ({@link MemfdKernelView}) that no descriptor
 * or mapping of any of them is left anywhere.
 */
abstract class TrackedMemfdFixture extends SegmentFixture {
    private final List<String> nativeKeys = new ArrayList<>();
    private final String peerBackend;

    TrackedMemfdFixture(String peerBackend) {
        this.peerBackend = peerBackend;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        super.beforeEach(context);
        nativeKeys.clear();
    }

    @Override
    protected void opened(SharedSegment segment) {
        if (!segment.nativeKey().isEmpty()) {
            nativeKeys.add(segment.nativeKey());
        }
    }

    @Override
    protected PeerProcess startPeer(Map<String, String> extraEnv) throws Exception {
        return PeerProcess.start(peerBackend, null, extraEnv);
    }

    @Override
    protected void assertNothingLeft() throws Exception {
        assertEquals(List.of(), backend().removeLeftovers(keyPrefix(), Path.of("/run/shmconform-share"), org.shmconform.backends.testsupport.OurUser.ONLY));
        for (String nativeKey : nativeKeys) {
            assertEquals(List.of(), MemfdKernelView.references(nativeKey), "memfd left behind");
        }
    }
}
