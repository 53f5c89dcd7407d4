package org.shmconform.backends.broken;

import java.nio.file.Path;
import java.util.List;
import org.shmconform.spi.Availability;
import org.shmconform.spi.BackendSemantics;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.spi.SharedSegment;

/**
 * Test-only plug-ins that each break one call into a backend, the way a user's jar can: a
 * constructor that throws, availability(), semantics() or removeLeftovers() that throw, an open()
 * that fails with an Error. Registered only by tests (a services file they write), never on the
 * default test class path, so no other test meets them by accident.
 */
public final class ThrowingBackends {
    private ThrowingBackends() {
    }

    /** The provider lines to register them all. */
    public static List<String> providers() {
        return List.of(ThrowingConstructor.class.getName(), ThrowingAvailability.class.getName(),
                ThrowingSemantics.class.getName(), ThrowingLeftovers.class.getName());
    }

    /** Shared by the four: nothing but what each breaks. */
    abstract static class Base implements SharedMemoryBackend {
        @Override
        public String mechanism() {
            return "a test plug-in that throws on purpose";
        }

        @Override
        public Availability availability() {
            return Availability.yes();
        }

        @Override
        public SharedSegment open(String key) {
            throw new NoClassDefFoundError("org/example/MissingNativeBinding");
        }

        @Override
        public List<String> removeLeftovers(String keyPrefix, Path tempDir, java.util.Set<Integer> owners) {
            return List.of();
        }
    }

    public static final class ThrowingConstructor extends Base {
        public ThrowingConstructor() {
            throw new IllegalStateException("boom in the constructor");
        }

        @Override
        public String name() {
            return "throwing-constructor";
        }
    }

    public static final class ThrowingAvailability extends Base {
        @Override
        public String name() {
            return "throwing-availability";
        }

        @Override
        public Availability availability() {
            throw new IllegalStateException("boom");
        }
    }

    public static final class ThrowingSemantics extends Base {
        @Override
        public String name() {
            return "throwing-semantics";
        }

        @Override
        public BackendSemantics semantics() {
            throw new UnsupportedOperationException("no declaration today");
        }
    }

    /** Available and declared, so the reaper calls its removeLeftovers(), which fails with an Error. */
    public static final class ThrowingLeftovers extends Base {
        @Override
        public String name() {
            return "throwing-leftovers";
        }

        @Override
        public List<String> removeLeftovers(String keyPrefix, Path tempDir, java.util.Set<Integer> owners) {
            throw new NoClassDefFoundError("org/example/MissingCleanupHelper");
        }
    }
}
