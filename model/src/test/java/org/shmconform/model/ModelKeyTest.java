package org.shmconform.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The one reader and writer of the model's key format. */
class ModelKeyTest {

    @Test
    void theFirstBarEndsTheSpaceAndTheKeyMayHoldAnything() {
        ModelKey k = ModelKey.parse("qt-sysv@4026531839#run|a|b");
        assertEquals("qt-sysv@4026531839#run", k.space());
        assertEquals("a|b", k.key());
        assertEquals("qt-sysv", k.keySpace());
        assertEquals("qt-sysv@4026531839#run|a|b", k.toString());
        assertEquals(k, ModelKey.parse(ModelKey.of(k.space(), k.key()).toString()));
    }

    @Test
    void keySpaceOfASpaceAKeyOrABareName() {
        assertEquals("qt-posix", ModelKey.keySpaceOf("qt-posix@ns|k"));
        assertEquals("qt-posix", ModelKey.keySpaceOf("qt-posix@ns"));
        assertEquals("qt-posix", ModelKey.keySpaceOf("qt-posix"));
        assertEquals("", ModelKey.parse("qt-posix@ns").key());
    }

    @Test
    void aNativeNameLeadsToTheSameKeyInAnotherKeySpaceOfTheSameNamespace() {
        ModelKey k = ModelKey.of(ModelKey.space("mmapfile", "shm1/child"), "k");
        assertEquals("qt-posix@shm1/child|k", k.inKeySpace("qt-posix").toString());
        assertEquals("qt-posix@|k", ModelKey.of("mmapfile", "k").inKeySpace("qt-posix").toString());
    }
}
