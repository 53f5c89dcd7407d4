package org.shmconform.backends.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmconform.spi.Placement;

/** statfs's f_type of real directories, and the placement value a worker sends (seeds M6, L2). */
class FileSystemsTest {
    @Test
    void devShmIsATmpfsAndRamBacked() {
        Placement.Measured m = FileSystems.measure(new Placement("shm_open names", Path.of("/dev/shm")));
        assertEquals("tmpfs", m.fileSystem(), "Linux requires /dev/shm to be a tmpfs");
        assertTrue(m.ramBacked());
    }

    @Test
    void aFileSystemIsNamedAsStatfsReadsItFromTheKernel() throws IOException {
        Path proc = Path.of("/proc/self");
        assertEquals("proc", FileSystems.name(FileSystems.fType(proc)));
        assertFalse(FileSystems.ramBacked(FileSystems.fType(proc)));
        // What /proc/self/mountinfo says of the root is what statfs must say (for the types the table knows).
        String rootType = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(l -> l.split(" ")[4].equals("/")).reduce((a, b) -> b).orElseThrow().split(" - ")[1].split(" ")[0];
        String measured = FileSystems.name(FileSystems.fType(Path.of("/")));
        // ext2, ext3 and ext4 share one magic (and one driver on current kernels): named ext4.
        String expected = rootType.equals("overlay") ? "overlayfs" : rootType.matches("ext[234]") ? "ext4" : rootType;
        assertEquals(expected, measured);
    }

    @Test
    void aMissingDirectoryIsNotMeasuredWithItsErrno() {
        Placement.Measured m = FileSystems.measure(new Placement("segment files", Path.of("/nonexistent-shmconform-dir")));
        assertNull(m.fileSystem());
        assertTrue(m.why().contains("ENOENT"), m.why());
    }

    @Test
    void theValueRoundTrips() {
        List<Placement.Measured> all = List.of(
                Placement.Measured.of(new Placement("segment files", Path.of("/var/tmp/shmconform-abc")), "ext4", false),
                Placement.Measured.of(new Placement("key files ($TMPDIR)", Path.of("/run/x/tmp-a")), "tmpfs", true),
                Placement.Measured.unmeasured(new Placement("/tmp", Path.of("/tmp")), "statfs: EACCES"));
        String value = Placement.Measured.encode(all);
        assertEquals("segment files: /var/tmp/shmconform-abc is ext4 (disk-backed); key files ($TMPDIR): /run/x/tmp-a is tmpfs"
                + " (RAM-backed); /tmp: /tmp is not measured (statfs: EACCES)", value);
        assertEquals(all, Placement.Measured.decode(value));
        assertEquals(List.of(), Placement.Measured.decode(""));
        assertThrows(IllegalArgumentException.class, () -> Placement.Measured.decode("tmpfs everywhere"));
        assertThrows(IllegalArgumentException.class, () -> new Placement("a: b", Path.of("/x")));
    }
}
