package org.shmconform.engine;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * A class directory on the worker's class path (a Maven reactor's target/classes) packed into a jar
 * in the cache, keyed by its content: class-data sharing refuses directories, and a worker that
 * starts from an archive starts in half the time.
 */
final class ClassDirectoryJar {

    private ClassDirectoryJar() {
    }

    /** The entry itself if it is a jar; for a directory, a jar of it (the directory when packing fails). */
    static synchronized Path of(Path entry) {
        if (!Files.isDirectory(entry)) {
            return entry;
        }
        try (Stream<Path> walk = Files.walk(entry)) {
            List<Path> files = walk.filter(Files::isRegularFile).sorted().toList();
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(entry.toString().getBytes(StandardCharsets.UTF_8));
            for (Path f : files) {
                sha.update((entry.relativize(f) + ":" + Files.size(f) + ":" + Files.getLastModifiedTime(f).toMillis())
                        .getBytes(StandardCharsets.UTF_8));
            }
            Path cache = RunContext.cacheDir(); // lstat-checked, ours, 0700
            Path jar = cache.resolve("classes-" + HexFormat.of().formatHex(sha.digest()).substring(0, 16) + ".jar");
            if (!Files.isRegularFile(jar, LinkOption.NOFOLLOW_LINKS)) {
                Path partial = Files.createTempFile(cache, "classes-", ".jar.part");
                try (OutputStream out = Files.newOutputStream(partial); JarOutputStream jarOut = new JarOutputStream(out)) {
                    for (Path f : files) {
                        jarOut.putNextEntry(new JarEntry(entry.relativize(f).toString().replace('\\', '/')));
                        Files.copy(f, jarOut);
                        jarOut.closeEntry();
                    }
                }
                Files.move(partial, jar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            return jar;
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            return entry;
        }
    }
}
