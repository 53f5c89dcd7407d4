package org.shmconform.engine.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** VFORK is asked for on the JDKs where it is silent, and a mechanism the user chose is kept. */
class LaunchMechanismTest {
    private final String before = System.getProperty(LaunchMechanism.PROPERTY);

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(LaunchMechanism.PROPERTY);
        } else {
            System.setProperty(LaunchMechanism.PROPERTY, before);
        }
    }

    @Test
    void vforkUpToJdk21AndTheJdksOwnDefaultAfter() {
        System.clearProperty(LaunchMechanism.PROPERTY);
        LaunchMechanism.preferVforkWhereSilent();
        assertEquals(Runtime.version().feature() <= 21 ? "VFORK" : null, System.getProperty(LaunchMechanism.PROPERTY));
    }

    @Test
    void theUsersChoiceIsKept() {
        System.setProperty(LaunchMechanism.PROPERTY, "FORK");
        LaunchMechanism.preferVforkWhereSilent();
        assertEquals("FORK", System.getProperty(LaunchMechanism.PROPERTY));
    }
}
