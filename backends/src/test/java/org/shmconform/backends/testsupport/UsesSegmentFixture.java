package org.shmconform.backends.testsupport;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.shmconform.spi.SharedSegment;

/**
 * A test class whose segments and peers come from a {@link SegmentFixture}, one per test; the
 * concrete class passes its backend's fixture to the constructor, and the helpers read as in-line calls.
 */
public abstract class UsesSegmentFixture<F extends SegmentFixture> {
    @RegisterExtension
    protected final F fixture;

    protected UsesSegmentFixture(F fixture) {
        this.fixture = fixture;
    }

    protected String newKey() {
        return fixture.newKey();
    }

    protected SharedSegment segment(String key) {
        return fixture.segment(key);
    }

    protected PeerProcess peer(String key) throws Exception {
        return fixture.peer(key);
    }
}
