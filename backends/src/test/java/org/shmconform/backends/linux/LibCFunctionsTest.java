package org.shmconform.backends.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Memory;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * LibCFunctions calls each LibC method's function by its own name: every method of LibC has the function of its name,
 * and no other is looked up. A call through it converts as the proxy did (a String path, a
 * variadic mode, an {@code int[]} written back, errno kept).
 */
class LibCFunctionsTest {

    @Test
    void everyLibCMethodHasTheFunctionOfItsNameAndNoOtherIsLookedUp() throws Exception {
        Class<?> fn = Class.forName(LibCFunctions.class.getName() + "$Fn");
        Set<String> functions = Arrays.stream(fn.getEnumConstants()).map(c -> ((Enum<?>) c).name())
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> methods = Arrays.stream(LibC.class.getDeclaredMethods()).filter(m -> Modifier.isAbstract(m.getModifiers()))
                .map(Method::getName).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(methods, functions);
    }

    @Test
    void callsConvertAsTheProxyDid() throws Exception {
        LibC c = LibC.INSTANCE;
        assertTrue(c instanceof LibCFunctions, c.getClass().getName());
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("libc-functions-");
        String path = dir.resolve("f").toString();
        try {
            int fd = c.open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL | LibC.O_CLOEXEC, 0640);
            assertTrue(fd >= 0, "open: errno " + LibC.errno());
            try {
                assertEquals("rw-r-----", java.nio.file.attribute.PosixFilePermissions.toString(
                        java.nio.file.Files.getPosixFilePermissions(dir.resolve("f"))), "the variadic mode reached open");
                assertEquals(0, c.ftruncate(fd, 4096L));
                Memory stat = new Memory(LibC.STAT_SIZE);
                assertEquals(0, c.fstat(fd, stat));
                assertEquals(4096L, stat.getLong(LibC.STAT_ST_SIZE));
                assertEquals(LibC.O_RDWR, c.fcntl(fd, LibC.F_GETFL) & 3, "fcntl with no variadic argument");
            } finally {
                assertEquals(0, c.close(fd));
            }
            assertEquals(-1, c.open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL, 0600));
            assertEquals(17 /* EEXIST */, LibC.errno());
            assertEquals("File exists", c.strerror(17));
            assertEquals(0, c.unlink(path));
        } finally {
            java.nio.file.Files.deleteIfExists(dir.resolve("f"));
            java.nio.file.Files.delete(dir);
        }
    }
}
