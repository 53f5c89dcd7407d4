package org.shmconform.engine;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.shmconform.backends.Backends;
import org.shmconform.backends.host.NativeAccess;
import org.shmconform.engine.state.PrivateDirectory;
import org.shmconform.engine.state.StateDirectory;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.worker.WorkerMain;

/**
 * The Java worker's class path: the worker module, the spi, the backends, JNA and Jackson, plus
 * every backend plug-in ServiceLoader finds here (the jar or directory each provider class comes
 * from, and each place that registers one in {@code META-INF/services}). Never the harness: a
 * worker JVM loads only what a worker runs, so it starts faster, and a class of the harness cannot
 * end up in a worker by accident.
 *
 * <p>From the shaded CLI jar the first part is {@value #EMBEDDED_JAR}, shaded from the worker module
 * and carried inside the CLI jar: it is written once into the private cache (0700, see
 * {@link StateDirectory#cache()}) under a name made of its SHA-256, and checked like the Qt worker's
 * binary (lstat: a regular file of ours that nobody else can write, and the SHA-256 of the copy in
 * the CLI jar) before this JVM first uses it. From a Maven reactor it is the modules' class
 * directories and the dependency jars, each packed into a jar by {@link ClassDirectoryJar} so the
 * class-data archive works there too.
 *
 * <p>A plug-in provider's own dependencies are not followed: a plug-in jar carries what it needs.
 */
final class WorkerClassPath {
    static final String EMBEDDED_JAR = "shmconform-worker.jar";
    private static final String SERVICES = "META-INF/services/" + SharedMemoryBackend.class.getName();
    private static List<Path> entries;

    private WorkerClassPath() {
    }

    /**
     * The worker's class path, worked out once per JVM (a worker started later sees the same
     * plug-ins), and again if an entry in the cache was forgotten meanwhile (see
     * {@link WorkerClassDataSharing}: what a long run still uses is written again).
     */
    static synchronized List<Path> entries() {
        if (entries == null || !entries.stream().allMatch(p -> Files.exists(p, LinkOption.NOFOLLOW_LINKS))) {
            entries = List.copyOf(compute());
        }
        return entries;
    }

    static List<Path> compute() {
        Set<Path> harness = Set.of(codeSource(WorkerClassPath.class));
        Set<Path> cp = new LinkedHashSet<>();
        byte[] embedded = embeddedJar();
        if (embedded != null) {
            cp.add(extract(embedded));
        } else {
            for (Class<?> c : List.of(WorkerMain.class, SharedMemoryBackend.class, Backends.class,
                    ObjectMapper.class, JsonFactory.class, JsonProperty.class)) {
                cp.add(codeSource(c));
            }
            cp.add(NativeAccess.libraryJar().toAbsolutePath());
        }
        for (Path plugin : plugins()) {
            // The built-in backends come with the worker jar; the harness's own jar, which registers them too, stays out.
            if (!harness.contains(plugin)) {
                cp.add(plugin);
            }
        }
        List<Path> jars = new ArrayList<>();
        for (Path p : cp) {
            jars.add(ClassDirectoryJar.of(p));
        }
        return jars;
    }

    /**
     * Where the backends registered with ServiceLoader come from, found the way ServiceLoader finds
     * them on the class path (every {@code META-INF/services} file, every provider class it names)
     * but without making any: each services file's jar or directory, and each provider class's code
     * source. A provider whose class cannot be loaded is left out (its column is not available).
     */
    static List<Path> plugins() {
        Set<Path> found = new LinkedHashSet<>();
        ClassLoader loader = loader();
        try {
            Enumeration<URL> files = loader.getResources(SERVICES);
            while (files.hasMoreElements()) {
                URL file = files.nextElement();
                Path root = rootOf(file);
                if (root != null) {
                    found.add(root);
                }
                for (String provider : providerNames(file)) {
                    try {
                        found.add(codeSource(Class.forName(provider, false, loader)));
                    } catch (ClassNotFoundException | LinkageError | IllegalStateException e) {
                        // not loadable here: Backends reports it as an unavailable column
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the backend plug-ins", e);
        }
        return new ArrayList<>(found);
    }

    private static ClassLoader loader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : ClassLoader.getSystemClassLoader();
    }

    /** The provider lines of a services file: comments (#) and blanks dropped, as ServiceLoader reads it. */
    private static List<String> providerNames(URL file) throws IOException {
        List<String> names = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(file.openStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                int hash = line.indexOf('#');
                String name = (hash >= 0 ? line.substring(0, hash) : line).strip();
                if (!name.isEmpty()) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    /** The jar or directory holding {@code resource}, from its URL (jar:file:...!/... or file:...). */
    private static Path rootOf(URL resource) {
        try {
            if (resource.getProtocol().equals("jar")) {
                JarURLConnection c = (JarURLConnection) resource.openConnection();
                c.setUseCaches(false);
                return Path.of(c.getJarFileURL().toURI()).toAbsolutePath();
            }
            if (resource.getProtocol().equals("file")) {
                Path file = Path.of(resource.toURI());
                // <root>/META-INF/services/<name>: three levels up
                return file.getParent().getParent().getParent().toAbsolutePath();
            }
        } catch (IOException | URISyntaxException | IllegalArgumentException e) {
            // a location that is neither a jar nor a directory cannot be put on a class path
        }
        return null;
    }

    private static Path codeSource(Class<?> c) {
        CodeSource source = c.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new IllegalStateException("no code source for " + c.getName());
        }
        try {
            return Path.of(source.getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("code source of " + c.getName() + ": " + e.getMessage(), e);
        }
    }

    /** The worker jar carried inside the shaded CLI jar; null when running from a Maven reactor. */
    private static byte[] embeddedJar() {
        try (InputStream in = WorkerClassPath.class.getResourceAsStream("/" + EMBEDDED_JAR)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + EMBEDDED_JAR + " from the harness jar", e);
        }
    }

    /** Writes the jar into the private cache (once per content) and checks the copy before it is used. */
    static Path extract(byte[] jar) {
        String hash = sha256(jar);
        Path dir = PrivateDirectory.ensure(StateDirectory.cache().resolve("worker-jar-" + hash.substring(0, 16)), "rwx------");
        Path file = dir.resolve(EMBEDDED_JAR);
        try {
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                Path partial = Files.createTempFile(dir, "worker-", ".jar.part"); // 0600, a fresh name: nothing planted is opened
                Files.write(partial, jar);
                Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
            }
            verify(file, hash);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the worker jar to " + dir, e);
        }
    }

    /**
     * lstat: a regular file owned by us, writable by nobody else; then its SHA-256 must be {@code expected} (the worker
     * jar, and JNA's library for the workers, {@link WorkerNativeDispatch}).
     */
    static void verify(Path file, String expected) throws IOException {
        FileDigests.verifyOurs(file, expected, "the cached " + file.getFileName(), "carried in the harness jar", "not used");
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
