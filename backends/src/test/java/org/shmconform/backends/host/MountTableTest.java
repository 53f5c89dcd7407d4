package org.shmconform.backends.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The mount on a directory is read from mountinfo as the kernel writes it: escapes, optional fields, mounts over mounts. */
class MountTableTest {
    private static final List<String> TABLE = List.of(
            "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw",
            "46 27 7:0 / /run/s-share/ab-x/tmp-q rw,nosuid,nodev,noexec,relatime - ext4 /dev/loop0 rw",
            "47 27 0:41 / /run/s-share/ab-x/tmp\\040with\\040space rw - tmpfs shm\\040one rw",
            "50 27 0:44 / /run/s-share/ab-x/tmp-opt rw shared:7 master:1 - tmpfs first rw",
            "51 50 7:1 / /run/s-share/ab-x/tmp-opt rw - ext4 /dev/loop1 rw");

    @Test
    void theMountOnThatVeryDirectoryIsFound() {
        assertEquals(Optional.of(new MountTable.Mount("ext4", "/dev/loop0")), MountTable.on(Path.of("/run/s-share/ab-x/tmp-q"), TABLE));
        assertEquals(Optional.of(new MountTable.Mount("tmpfs", "shm one")), MountTable.on(Path.of("/run/s-share/ab-x/tmp with space"), TABLE),
                "octal escapes");
        assertEquals(Optional.of(new MountTable.Mount("ext4", "/dev/loop1")), MountTable.on(Path.of("/run/s-share/ab-x/tmp-opt"), TABLE),
                "optional fields; the topmost of two");
    }

    @Test
    void aDirectoryWithNoMountOfItsOwnHasNone() {
        assertEquals(Optional.empty(), MountTable.on(Path.of("/run/s-share/ab-x"), TABLE), "its parent's mount is not its own");
        assertEquals(Optional.empty(), MountTable.on(Path.of("/run/s-share/ab-x/tmp"), TABLE));
    }

    @Test
    void onlyALoopDeviceHasABackingFile() {
        assertEquals(Optional.empty(), MountTable.loopBackingFile("/dev/vda"));
        assertEquals(Optional.empty(), MountTable.loopBackingFile("/dev/loop0/../vda"));
    }

    @Test
    void theMountPointsAtOrBelowADirectoryAreItsOwnAndItsDescendantsOnly() {
        assertEquals(Set.of(Path.of("/run/s-share/ab-x/tmp-q"), Path.of("/run/s-share/ab-x/tmp with space"),
                Path.of("/run/s-share/ab-x/tmp-opt")), MountTable.pointsAtOrBelow(Path.of("/run/s-share/ab-x"), TABLE));
        assertEquals(Set.of(Path.of("/run/s-share/ab-x/tmp-q")), MountTable.pointsAtOrBelow(Path.of("/run/s-share/ab-x/tmp-q"), TABLE));
        assertEquals(Set.of(), MountTable.pointsAtOrBelow(Path.of("/run/s-share/ab"), TABLE), "a name's prefix is not a parent");
    }
}
