package org.shmconform.backends;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The backends on the class path, found through {@link ServiceLoader}: the four built in and any a
 * user's jar registers. A provider that fails to load is kept as an unavailable backend with the
 * loader's message, so a broken user jar is reported instead of silently missing.
 */
public final class Backends {
    private Backends() {
    }

    public static List<SharedMemoryBackend> all() {
        List<SharedMemoryBackend> found = new ArrayList<>();
        Iterator<SharedMemoryBackend> it = ServiceLoader.load(SharedMemoryBackend.class).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError e) {
                found.add(new Unloadable(e.getMessage()));
            }
        }
        return found;
    }

    public static Optional<SharedMemoryBackend> named(String name) {
        return all().stream().filter(b -> b.name().equals(name)).findFirst();
    }

    /** Stands for a provider the ServiceLoader could not instantiate. */
    private record Unloadable(String message) implements SharedMemoryBackend {
        @Override
        public String name() {
            String cls = message.replaceFirst("^.*?Provider ([\\w.$]+).*$", "$1");
            return "unloadable:" + cls.substring(cls.lastIndexOf('.') + 1);
        }

        @Override
        public String mechanism() {
            return "provider failed to load";
        }

        @Override
        public Availability availability() {
            return Availability.no("ServiceLoader: " + message);
        }

        @Override
        public SharedSegment open(String key) {
            throw new IllegalStateException(message);
        }

        @Override
        public List<String> removeLeftovers(String keyPrefix, Path tempDir) {
            return List.of();
        }
    }
}
