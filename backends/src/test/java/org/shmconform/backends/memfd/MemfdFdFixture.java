package org.shmconform.backends.memfd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.shmconform.spi.SharedSegment;
import org.shmconform.backends.testsupport.PeerProcess;
import org.shmconform.backends.testsupport.SegmentFixture;

/** The memfd-fd backend, checked like memfd: after each test no descriptor or mapping of its memfds is left anywhere. */
final class MemfdFdFixture extends SegmentFixture {
    private final MemfdFdBackend backend = new MemfdFdBackend();
    private final List<String> nativeKeys = new ArrayList<>();

    @Override
    public MemfdFdBackend backend() {
        return backend;
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
        return PeerProcess.start("memfd-fd", null, extraEnv);
    }

    @Override
    protected void assertNothingLeft() throws Exception {
        assertEquals(List.of(), backend.removeLeftovers(keyPrefix(), Path.of("/run/shmconform-share")));
        for (String nativeKey : nativeKeys) {
            assertEquals(List.of(), MemfdKernelView.references(nativeKey), "memfd left behind");
        }
    }
}
