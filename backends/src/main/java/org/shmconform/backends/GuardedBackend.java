package org.shmconform.backends;

import org.shmconform.spi.BackendSemantics;
import org.shmconform.spi.SharedSegment;

import org.shmconform.spi.Availability;
import org.shmconform.spi.SharedMemoryBackend;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A backend as the harness sees it: every call into the plug-in is guarded, so a throwing (or
 * erroring: NoClassDefFoundError, LinkageError) plug-in costs its own column and nothing else.
 * <ul>
 * <li>{@link #name()} is asked once, at load; a throwing one gives {@code broken:<class>}.</li>
 * <li>{@link #availability()} is NOT_AVAILABLE with the one-line reason when the provider did
 *     not load, when availability() throws, or when semantics() throws (a column whose declaration
 *     cannot be read cannot be judged).</li>
 * <li>{@link #mechanism()} gives the one-line reason instead of throwing.</li>
 * <li>{@link #semantics()}, {@link #open(String)}, {@link #removeLeftovers} and {@link #heldOutside} throw a
 *     {@link BackendFailure} (a RuntimeException with that line), whatever the plug-in threw: the
 *     engine's reaper, the worker's command loop and the fuzzer already handle RuntimeExceptions.</li>
 * </ul>
 * Only a VirtualMachineError other than StackOverflowError (out of memory, an internal error) is let
 * through: after one of those the JVM itself is not to be trusted.
 */
public final class GuardedBackend implements SharedMemoryBackend {
    private final SharedMemoryBackend plugin;
    private final String name;
    /** Why the provider could not even be made (its constructor threw, its class did not link), or null. */
    private final String loadFailure;

    private GuardedBackend(SharedMemoryBackend plugin, String name, String loadFailure) {
        this.plugin = plugin;
        this.name = name;
        this.loadFailure = loadFailure;
    }

    /** Wraps a loaded provider (idempotent). */
    public static GuardedBackend of(SharedMemoryBackend plugin) {
        if (plugin instanceof GuardedBackend g) {
            return g;
        }
        String name;
        try {
            name = plugin.name();
            if (name == null || name.isBlank()) {
                name = "broken:" + plugin.getClass().getSimpleName();
            }
        } catch (Throwable t) {
            rethrowIfFatal(t);
            name = "broken:" + plugin.getClass().getSimpleName();
        }
        return new GuardedBackend(plugin, name, null);
    }

    /** Stands for a provider that could not be made: always NOT_AVAILABLE with {@code why}. */
    static GuardedBackend unloadable(String name, String why) {
        return new GuardedBackend(null, name, why);
    }

    /** The plug-in behind the guard, for tests and diagnostics; empty for a provider that did not load. */
    public Optional<SharedMemoryBackend> plugin() {
        return Optional.ofNullable(plugin);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String mechanism() {
        if (loadFailure != null) {
            return "provider failed to load";
        }
        try {
            return call("mechanism()", plugin::mechanism);
        } catch (BackendFailure e) {
            return e.getMessage();
        }
    }

    @Override
    public Availability availability() {
        if (loadFailure != null) {
            return Availability.no(loadFailure);
        }
        try {
            Availability a = call("availability()", plugin::availability);
            if (a == null) {
                return Availability.no("availability() returned null");
            }
            if (a.available()) {
                semantics(); // the checker needs it: a column it cannot judge is not available
            }
            return a;
        } catch (BackendFailure e) {
            return Availability.no(e.getMessage());
        }
    }

    /** What the backend declares, or empty if asking throws (see {@link #availability()} for the reason). */
    public Optional<BackendSemantics> declaration() {
        try {
            return Optional.of(semantics());
        } catch (BackendFailure e) {
            return Optional.empty();
        }
    }

    @Override
    public BackendSemantics semantics() {
        requireLoaded("semantics()");
        BackendSemantics s = call("semantics()", plugin::semantics);
        if (s == null) {
            throw new BackendFailure("semantics()", new NullPointerException("returned null"));
        }
        return s;
    }

    @Override
    public SharedSegment open(String key) {
        requireLoaded("open()");
        SharedSegment s = call("open()", () -> plugin.open(key));
        if (s == null) {
            throw new BackendFailure("open()", new NullPointerException("returned null"));
        }
        return s;
    }

    @Override
    public List<org.shmconform.spi.Placement> placements() {
        requireLoaded("placements()");
        List<org.shmconform.spi.Placement> p = call("placements()", plugin::placements);
        return p == null ? List.of() : p;
    }

    /** The plug-in placed in {@code directory}, guarded in turn; null when it cannot be told where its objects go. */
    @Override
    public SharedMemoryBackend placedIn(Path directory) {
        requireLoaded("placedIn()");
        SharedMemoryBackend placed = call("placedIn()", () -> plugin.placedIn(directory));
        return placed == null ? null : of(placed);
    }

    @Override
    public List<String> removeLeftovers(String keyPrefix, Path tempDir, java.util.Set<Integer> owners) {
        if (loadFailure != null) {
            return List.of(); // never loaded, so it never made anything
        }
        List<String> removed = call("removeLeftovers()", () -> plugin.removeLeftovers(keyPrefix, tempDir, owners));
        return removed == null ? List.of() : removed;
    }

    @Override
    public List<String> heldOutside(String keyPrefix, java.util.Collection<String> keys, java.util.Set<Long> ours) {
        if (loadFailure != null) {
            return List.of(); // never loaded, so nothing of it was ever found through its holders
        }
        List<String> held = call("heldOutside()", () -> plugin.heldOutside(keyPrefix, keys, ours));
        return held == null ? List.of() : held;
    }

    @Override
    public boolean gaveUpWaiting(String errorString) {
        return loadFailure == null && Boolean.TRUE.equals(call("gaveUpWaiting()", () -> plugin.gaveUpWaiting(errorString)));
    }

    @Override
    public String toString() {
        return name;
    }

    private void requireLoaded(String call) {
        if (loadFailure != null) {
            throw new BackendFailure(call, new IllegalStateException(loadFailure));
        }
    }

    private <T> T call(String what, Supplier<T> body) {
        try {
            return body.get();
        } catch (Throwable t) {
            rethrowIfFatal(t);
            throw new BackendFailure(what, t);
        }
    }

    static void rethrowIfFatal(Throwable t) {
        if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) {
            throw (VirtualMachineError) t;
        }
    }

    /** "IllegalStateException: boom" on one line (the first line of the message, if it has several). */
    static String oneLine(Throwable t) {
        String message = t.getMessage();
        String first = message == null ? "" : message.strip().lines().findFirst().orElse("");
        return t.getClass().getSimpleName() + (first.isEmpty() ? "" : ": " + first);
    }
}
