package org.shmconform.backends.testsupport;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.shmconform.spi.SharedSegment;

/**
 * What one test made, so its @AfterEach can undo it even when the test failed: peers are killed
 * first (their locks and attachments die with them), then segments are closed. Keys are unique
 * per test and letters only ({@code shmcftest} + random letters), so they survive Qt's key mangling
 * and {@code removeLeftovers(keyPrefix())} finds exactly this test's objects.
 */
public final class TrackedResources implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String keyPrefix = "shmcftest" + randomLetters(10);
    private final List<SharedSegment> segments = new ArrayList<>();
    private final List<PeerProcess> peers = new ArrayList<>();
    private int keys;

    public String keyPrefix() {
        return keyPrefix;
    }

    /** A new key of this test: the prefix plus a letters-only counter. */
    public String newKey() {
        StringBuilder suffix = new StringBuilder();
        int n = keys++;
        do {
            suffix.append((char) ('a' + n % 26));
            n /= 26;
        } while (n > 0);
        return keyPrefix + suffix;
    }

    public <T extends SharedSegment> T track(T segment) {
        segments.add(segment);
        return segment;
    }

    public PeerProcess track(PeerProcess peer) {
        peers.add(peer);
        return peer;
    }

    @Override
    public void close() throws InterruptedException {
        for (PeerProcess peer : peers) {
            peer.kill();
        }
        for (SharedSegment segment : segments) {
            segment.close();
        }
    }

    public static String randomLetters(int count) {
        StringBuilder letters = new StringBuilder();
        for (int i = 0; i < count; i++) {
            letters.append((char) ('a' + RANDOM.nextInt(26)));
        }
        return letters.toString();
    }
}
