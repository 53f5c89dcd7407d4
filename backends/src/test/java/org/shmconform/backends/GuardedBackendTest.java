package org.shmconform.backends;

import org.shmconform.spi.Availability;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.spi.SharedSegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.backends.broken.ThrowingBackends;

/** Plug-ins that throw cost their own column, with a one-line reason, and nothing else. */
class GuardedBackendTest {
    /**
     * The owners this test's reaper may remove names of: its own user only (not testsupport.OurUser: that package depends
     * on this one, a cycle ArchitectureTest refuses).
     */
    private static final java.util.Set<Integer> OURS = java.util.Set.of(org.shmconform.backends.host.HostIds.uid());

    @TempDir
    Path services;

    /** Backends.guarded() with the test plug-ins (and a provider whose class does not exist) registered. */
    private Map<String, GuardedBackend> loadWithBrokenPlugins() throws Exception {
        Path file = services.resolve("META-INF/services/" + SharedMemoryBackend.class.getName());
        Files.createDirectories(file.getParent());
        List<String> lines = new ArrayList<>(ThrowingBackends.providers());
        lines.add("org.example.NoSuchBackend");
        Files.write(file, lines);
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {services.toUri().toURL()}, before)) {
            Thread.currentThread().setContextClassLoader(loader);
            return Backends.guarded().stream().collect(Collectors.toMap(GuardedBackend::name, Function.identity()));
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
    }

    @Test
    void everyBackendIsListedAndTheBrokenOnesSayWhy() throws Exception {
        Map<String, GuardedBackend> all = loadWithBrokenPlugins();
        for (String builtIn : List.of("sysv", "posix", "mmapfile", "memfd")) {
            assertTrue(all.containsKey(builtIn), builtIn + " is still listed: " + all.keySet());
        }
        assertTrue(all.get("sysv").availability().available(), all.get("sysv").availability().reason());

        Availability ctor = all.get("unloadable:ThrowingConstructor").availability();
        assertFalse(ctor.available());
        assertEquals(ThrowingBackends.ThrowingConstructor.class.getName()
                + ": constructor threw IllegalStateException: boom in the constructor", ctor.reason());

        Availability avail = all.get("throwing-availability").availability();
        assertFalse(avail.available());
        assertEquals("availability() threw IllegalStateException: boom", avail.reason());

        Availability sem = all.get("throwing-semantics").availability();
        assertFalse(sem.available(), "a column whose declaration cannot be read cannot be judged");
        assertEquals("semantics() threw UnsupportedOperationException: no declaration today", sem.reason());
        assertTrue(all.get("throwing-semantics").declaration().isEmpty());

        assertTrue(all.get("throwing-leftovers").availability().available());
        BackendFailure leftovers = assertThrows(BackendFailure.class,
                () -> all.get("throwing-leftovers").removeLeftovers("shmcfnone", services, OURS));
        assertEquals("removeLeftovers() threw NoClassDefFoundError: org/example/MissingCleanupHelper",
                leftovers.toString());

        GuardedBackend missing = all.values().stream().filter(b -> b.name().equals("unloadable:NoSuchBackend")).findFirst()
                .orElseThrow(() -> new AssertionError("missing provider not listed: " + all.keySet()));
        assertTrue(missing.availability().reason().contains("org.example.NoSuchBackend"), missing.availability().reason());
    }

    @Test
    void anErrorFromOpenBecomesABackendFailureAndMechanismNeverThrows() {
        GuardedBackend b = GuardedBackend.of(new ThrowingBackends.ThrowingLeftovers());
        BackendFailure open = assertThrows(BackendFailure.class, () -> b.open("k"));
        assertEquals("open() threw NoClassDefFoundError: org/example/MissingNativeBinding", open.getMessage());
        assertEquals("a test plug-in that throws on purpose", b.mechanism());
        GuardedBackend unloadable = GuardedBackend.unloadable("unloadable:X", "X: constructor threw IllegalStateException: boom");
        assertEquals("provider failed to load", unloadable.mechanism());
        assertEquals(List.of(), unloadable.removeLeftovers("shmcfnone", services, OURS));
        assertThrows(BackendFailure.class, unloadable::semantics);
    }

    @Test
    void aNameThatThrowsGetsAStandInName() {
        SharedMemoryBackend plugin = new SharedMemoryBackend() {
            @Override
            public String name() {
                throw new IllegalStateException("no name");
            }

            @Override
            public String mechanism() {
                throw new AssertionError("no mechanism");
            }

            @Override
            public Availability availability() {
                throw new ExceptionInInitializerError("no availability");
            }

            @Override
            public SharedSegment open(String key) {
                return null;
            }

            @Override
            public List<String> removeLeftovers(String keyPrefix, Path tempDir, java.util.Set<Integer> owners) {
                return null;
            }
        };
        GuardedBackend b = GuardedBackend.of(plugin);
        assertTrue(b.name().startsWith("broken:"), b.name());
        assertFalse(b.availability().available());
        assertTrue(b.availability().reason().endsWith("availability() threw ExceptionInInitializerError: no availability"),
                b.availability().reason());
        assertTrue(b.mechanism().endsWith("mechanism() threw AssertionError: no mechanism"), b.mechanism());
        assertThrows(BackendFailure.class, () -> b.open("k"), "a null segment is a failure, not a later NullPointerException");
        assertEquals(List.of(), b.removeLeftovers("shmcfnone", services, OURS));
    }
}
