package org.shmconform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness's JNA unpacks its native library under $XDG_CACHE_HOME only when that folder is this user's: a root
 * harness with another user's environment loaded it from that user's folder before.
 */
class HarnessNativeTmpdirTest {
    /** Runs {@code shmconform list} in a JVM of its own with XDG_CACHE_HOME set to {@code cache}. */
    private static void listWith(Path cache) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder b = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                Shmconform.class.getName(), "list").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        b.environment().put("XDG_CACHE_HOME", cache.toString());
        Process p = b.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "list ended");
        assertEquals(0, p.exitValue(), "list's status");
    }

    @Test
    void anotherUsersCacheFolderIsNotWhereJnaUnpacks(@TempDir Path dir) throws Exception {
        assumeTrue((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0, "needs root to make nobody's folder");
        Path nobodys = Files.createDirectory(dir.resolve("nobodys"));
        Files.setAttribute(nobodys, "unix:uid", 65534, LinkOption.NOFOLLOW_LINKS);
        Path mine = Files.createDirectory(dir.resolve("mine"));
        listWith(mine);
        assertTrue(Files.isDirectory(mine.resolve("JNA/temp")), "the control: JNA unpacks under a cache folder of this user's");
        listWith(nobodys);
        assertFalse(Files.exists(nobodys.resolve("JNA"), LinkOption.NOFOLLOW_LINKS), "JNA unpacked in nobody's folder");
    }
}
