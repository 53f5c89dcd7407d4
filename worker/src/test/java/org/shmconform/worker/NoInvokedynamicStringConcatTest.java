package org.shmconform.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The code a Java worker loads (spi, backends, worker) has no invokedynamic string concatenation: each such site's first
 * run bootstraps method handles and hidden classes, which a worker that lives a few dozen operations pays at nearly every
 * site (README, "Worker starts: no invokedynamic string concatenation"; the modules' poms set javac.stringConcat).
 */
class NoInvokedynamicStringConcatTest {
    /** The bootstrap method's name, which every indy concatenation site's class holds in its constant pool. */
    private static final byte[] BOOTSTRAP = "makeConcatWithConstants".getBytes(StandardCharsets.UTF_8);

    @ParameterizedTest
    @ValueSource(strings = {"org.shmconform.worker.WorkerMain", "org.shmconform.spi.SharedMemoryBackend",
            "org.shmconform.backends.Backends"})
    void theModuleOfThisClassHasNone(String className) throws Exception {
        Path source = Path.of(Class.forName(className).getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> classes = new ArrayList<>();
        List<String> withIndyConcat = new ArrayList<>();
        forEachClass(source, (name, bytes) -> {
            classes.add(name);
            if (contains(bytes, BOOTSTRAP)) {
                withIndyConcat.add(name);
            }
        });
        assertTrue(classes.size() > 3, "classes read from " + source + ": " + classes);
        assertEquals(List.of(), withIndyConcat, "compiled with invokedynamic string concatenation, in " + source);
    }

    private interface ClassBytes {
        void accept(String name, byte[] bytes) throws IOException;
    }

    private static void forEachClass(Path source, ClassBytes each) throws IOException, URISyntaxException {
        if (Files.isDirectory(source)) {
            try (Stream<Path> files = Files.walk(source)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                    each.accept(source.relativize(f).toString(), Files.readAllBytes(f));
                }
            }
            return;
        }
        try (JarFile jar = new JarFile(source.toFile())) {
            for (JarEntry e : jar.stream().filter(e -> e.getName().endsWith(".class")).toList()) {
                try (InputStream in = jar.getInputStream(e)) {
                    each.accept(e.getName(), in.readAllBytes());
                }
            }
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
