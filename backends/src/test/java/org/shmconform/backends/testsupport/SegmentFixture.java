package org.shmconform.backends.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.spi.SharedSegment;

/**
 * One backend's test fixture, registered per test by {@link UsesSegmentFixture}: each test gets fresh
 * {@link TrackedResources}, opens segments and peers through it, and after the test everything it
 * made is closed (peers killed first) and {@link #assertNothingLeft} checks the kernel's view.
 * A fixture rather than a base class, so test classes stay free to extend a contract.
 */
public abstract class SegmentFixture implements BeforeEachCallback, AfterEachCallback {
    private TrackedResources made;

    public abstract SharedMemoryBackend backend();

    /** Starts a peer JVM that finds the objects this fixture's backend makes. */
    protected abstract PeerProcess startPeer(Map<String, String> extraEnv) throws Exception;

    /** Asserts, after everything was closed, that no object of {@link #keyPrefix()} is left. */
    protected abstract void assertNothingLeft() throws Exception;

    /** Called for every segment the test opens, e.g. to remember its kernel name for the final check. */
    protected void opened(SharedSegment segment) {
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        made = new TrackedResources();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        made.close();
        assertNothingLeft();
    }

    public String keyPrefix() {
        return made.keyPrefix();
    }

    public String newKey() {
        return made.newKey();
    }

    /** A segment of the backend, closed after the test. */
    public SharedSegment segment(String key) {
        SharedSegment segment = made.track(backend().open(key));
        opened(segment);
        return segment;
    }

    /** A peer JVM with {@code key} opened, killed after the test. */
    public PeerProcess peer(String key) throws Exception {
        return peer(key, Map.of());
    }

    public PeerProcess peer(String key, Map<String, String> extraEnv) throws Exception {
        PeerProcess peer = made.track(startPeer(extraEnv));
        assertEquals("OK", peer.send("open " + key));
        return peer;
    }
}
