package org.shmconform.backends.memfd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.shmconform.backends.testsupport.DescriptorSegmentTwoProcessContract;
import org.shmconform.backends.testsupport.PeerProcess;

/** memfd-fd keeps every two-process rule of memfd when reached by key (same user, through /proc). */
class MemfdFdTwoProcessTest extends DescriptorSegmentTwoProcessContract<MemfdFdFixture> {
    MemfdFdTwoProcessTest() {
        super(new MemfdFdFixture());
    }

    @Override
    protected void assertReadOnlyPeer(PeerProcess reader) throws Exception {
        assertTrue(reader.send("truncate 0").contains("EPERM"), "sealed for the peer too");
    }
}
