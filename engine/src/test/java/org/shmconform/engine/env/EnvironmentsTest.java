package org.shmconform.engine.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EnvironmentsTest {
    @Test
    void everyNameCreatesTheEnvironmentOfThatName() {
        for (String name : Environments.names()) {
            try (Environment env = Environments.create(name, "names-test").orElseThrow()) {
                assertEquals(name, env.name());
            }
        }
        assertTrue(Environments.create("nowhere", "names-test").isEmpty());
    }
}
