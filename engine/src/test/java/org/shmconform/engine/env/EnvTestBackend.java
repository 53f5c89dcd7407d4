package org.shmconform.engine.env;

import java.nio.file.Path;
import java.util.List;
import org.shmconform.spi.Availability;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.spi.SharedSegment;

/**
 * A backend that makes nothing, so the environment tests can start the real Java worker without
 * depending on the kernel backends. Registered only on the class path of the workers these tests
 * start (a services file in a temp dir), never in the test JVM, so no other test sees it.
 */
public final class EnvTestBackend implements SharedMemoryBackend {
    public static final String NAME = "envtest";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String mechanism() {
        return "none: environment tests only";
    }

    @Override
    public Availability availability() {
        return Availability.yes();
    }

    @Override
    public SharedSegment open(String key) {
        throw new UnsupportedOperationException("envtest makes no segments");
    }

    @Override
    public List<String> removeLeftovers(String keyPrefix, Path tempDir, java.util.Set<Integer> owners) {
        return List.of();
    }
}
