package org.shmconform.backends.host;

import com.sun.jna.Memory;
import java.nio.file.Path;
import java.util.Map;
import org.shmconform.backends.linux.Errno;
import org.shmconform.backends.linux.LibC;
import org.shmconform.spi.Placement;

/**
 * The filesystem type of a directory, from statfs(2)'s {@code f_type} in the caller's own mount
 * namespace (seeds M6, L1, L2, L4: a file-backed segment on a disk-backed filesystem is written back
 * to storage; /dev/shm must be tmpfs). RAM-backed means the files live in memory only: tmpfs and ramfs.
 */
public final class FileSystems {
    /** f_type → name, from linux/magic.h (ext2, ext3 and ext4 share one magic; modern kernels mount all three with ext4). */
    private static final Map<Long, String> NAMES = Map.ofEntries(
            Map.entry(LibC.TMPFS_MAGIC, "tmpfs"),
            Map.entry(0x858458f6L, "ramfs"),
            Map.entry(0x958458f6L, "hugetlbfs"),
            Map.entry(0xEF53L, "ext4"),
            Map.entry(0x58465342L, "xfs"),
            Map.entry(0x9123683EL, "btrfs"),
            Map.entry(0x794c7630L, "overlayfs"),
            Map.entry(0xF2F52010L, "f2fs"),
            Map.entry(0x6969L, "nfs"),
            Map.entry(0xFF534D42L, "cifs"),
            Map.entry(0x65735546L, "fuse"),
            Map.entry(0x2fc12fc1L, "zfs"),
            Map.entry(0x4d44L, "vfat"),
            Map.entry(0x5346544eL, "ntfs"),
            Map.entry(0x01021997L, "9p"),
            Map.entry(0x9fa0L, "proc"),
            Map.entry(0x62656572L, "sysfs"));

    private FileSystems() {
    }

    /** The name of an f_type: "tmpfs", "ext4", ...; "0x..." for one this table does not know. */
    public static String name(long fType) {
        return NAMES.getOrDefault(fType, "0x" + Long.toHexString(fType));
    }

    /** Whether files on an f_type live in memory only (tmpfs, ramfs, hugetlbfs). */
    public static boolean ramBacked(long fType) {
        return fType == LibC.TMPFS_MAGIC || fType == 0x858458f6L || fType == 0x958458f6L;
    }

    /** statfs's f_type of {@code directory}, or a negative errno. */
    public static long fType(Path directory) {
        Memory buf = new Memory(LibC.STATFS_SIZE);
        buf.clear();
        if (LibC.INSTANCE.statfs(directory.toString(), buf) != 0) {
            return -LibC.errno();
        }
        return buf.getLong(0) & 0xffffffffL; // f_type is a 32-bit magic in a long (sign-extended on some ABIs)
    }

    /** The placement with what statfs says of its directory here. */
    public static Placement.Measured measure(Placement p) {
        long type = fType(p.directory());
        if (type < 0) {
            return Placement.Measured.unmeasured(p, "statfs: " + Errno.describe((int) -type));
        }
        return Placement.Measured.of(p, name(type), ramBacked(type));
    }
}
