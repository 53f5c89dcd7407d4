package org.shmconform.backends;

import org.shmconform.spi.SharedMemoryBackend;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The backends on the class path, found through {@link ServiceLoader}: the four built in and any a
 * user's jar registers. Every one is handed out as a {@link GuardedBackend}, so no caller can be
 * taken down by a plug-in that throws; a provider that fails to load (its constructor throws, its
 * class does not link) is kept as an unavailable backend with the one-line reason, so a broken
 * user jar is reported instead of silently missing.
 */
public final class Backends {
    /**
     * A ServiceConfigurationError's "Provider a.b.C could not be instantiated". Compiled where it is used, on a provider's
     * failure only: compiled with this class it was 8 % of a Java worker's start and first operations (async-profiler,
     * ten worker lives), the first of a worker's lambdas and regular expressions, in every worker a kill replaces.
     */
    private static final String PROVIDER = "Provider ([\\w.$]+) (.*)$";
    /** A loader that fails on every step must not loop forever. */
    private static final int MAX_FAILURES = 1000;

    private Backends() {
    }

    /** Every backend, guarded (the elements are {@link GuardedBackend}s). */
    public static List<SharedMemoryBackend> all() {
        return new ArrayList<>(guarded());
    }

    public static List<GuardedBackend> guarded() {
        List<GuardedBackend> found = new ArrayList<>();
        Iterator<SharedMemoryBackend> it = ServiceLoader.load(SharedMemoryBackend.class).iterator();
        int failures = 0;
        while (failures < MAX_FAILURES) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(GuardedBackend.of(it.next()));
            } catch (ServiceConfigurationError e) {
                failures++;
                found.add(unloadable(e, failures));
            } catch (Throwable t) { // a provider class that does not link surfaces raw from hasNext()/next()
                GuardedBackend.rethrowIfFatal(t);
                failures++;
                found.add(GuardedBackend.unloadable("unloadable:" + failures, "ServiceLoader threw " + GuardedBackend.oneLine(t)));
            }
        }
        return found;
    }

    public static Optional<GuardedBackend> named(String name) {
        return guarded().stream().filter(b -> b.name().equals(name)).findFirst();
    }

    /** "Provider a.b.C could not be instantiated" with the constructor's exception as the cause. */
    private static GuardedBackend unloadable(ServiceConfigurationError e, int n) {
        String message = String.valueOf(e.getMessage());
        Matcher m = Pattern.compile(PROVIDER).matcher(message);
        if (!m.find()) {
            return GuardedBackend.unloadable("unloadable:" + n, "ServiceLoader: " + message
                    + (e.getCause() == null ? "" : ": " + GuardedBackend.oneLine(e.getCause())));
        }
        String cls = m.group(1);
        String name = "unloadable:" + cls.substring(Math.max(cls.lastIndexOf('.'), cls.lastIndexOf('$')) + 1);
        String why = e.getCause() != null && m.group(2).contains("could not be instantiated")
                ? cls + ": constructor threw " + GuardedBackend.oneLine(e.getCause())
                : cls + ": " + m.group(2) + (e.getCause() == null ? "" : ": " + GuardedBackend.oneLine(e.getCause()));
        return GuardedBackend.unloadable(name, why);
    }
}
