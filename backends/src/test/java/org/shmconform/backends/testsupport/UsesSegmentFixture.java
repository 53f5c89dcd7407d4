package org.shmconform.backends.testsupport;

import org.shmconform.backends.SharedSegment;

/** A test class whose segments and peers come from a {@link SegmentFixture}; the helpers read as in-line calls. */
public abstract class UsesSegmentFixture {
    /** The fixture the concrete class registers with {@code @RegisterExtension}. */
    protected abstract SegmentFixture fixture();

    protected String newKey() {
        return fixture().newKey();
    }

    protected SharedSegment segment(String key) {
        return fixture().segment(key);
    }

    protected PeerProcess peer(String key) throws Exception {
        return fixture().peer(key);
    }
}
