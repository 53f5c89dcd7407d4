package org.shmconform.backends;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Sha1} gives what the JCA's SHA-1 gives: FIPS 180's examples, and random messages of every length to 300 bytes. */
class Sha1Test {
    @Test
    void fipsExamples() {
        assertEquals("a9993e364706816aba3e25717850c26c9cd0d89d", Sha1.hexOf("abc"));
        assertEquals("84983e441c3bd26ebaae4aa1f95129e5e54670f1", Sha1.hexOf("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"));
        assertEquals("da39a3ee5e6b4b0d3255bfef95601890afd80709", Sha1.hexOf(""));
    }

    /** Lengths 55, 56, 63 and 64 are where the padding needs one block or two; 300 bytes spans five blocks. */
    @Test
    void agreesWithMessageDigestAtEveryLengthToThreeHundredBytes() throws Exception {
        SplittableRandom random = new SplittableRandom(13);
        for (int length = 0; length <= 300; length++) {
            for (int sample = 0; sample < 4; sample++) {
                byte[] message = new byte[length];
                random.nextBytes(message);
                assertArrayEquals(MessageDigest.getInstance("SHA-1").digest(message), Sha1.of(message), "length " + length);
            }
        }
    }

    @Test
    void hashesTheUtf8BytesOfAKey() throws Exception {
        String key = "ключ-ß-😀";
        assertArrayEquals(MessageDigest.getInstance("SHA-1").digest(key.getBytes(StandardCharsets.UTF_8)), Sha1.of(key.getBytes(StandardCharsets.UTF_8)));
    }
}
