package org.shmconform.backends.host;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What this process's mount namespace has mounted on a directory (/proc/self/mountinfo), the file behind a loop
 * device (/sys/block/loopN/loop/backing_file), and a lazy unmount that never follows a symbolic link: what the harness
 * needs to take down a file system it mounted itself, and no other.
 */
public final class MountTable {
    private static final int MNT_DETACH = 2;
    private static final int UMOUNT_NOFOLLOW = 8;

    private interface Sys extends Library {
        Sys INSTANCE = Native.load(Platform.C_LIBRARY_NAME, Sys.class);

        int umount2(String target, int flags);
    }

    /** One mount: its type and source as mountinfo gives them. */
    public record Mount(String type, String source) {
    }

    private MountTable() {
    }

    /** The last (topmost) mount on {@code dir} in this process's mount namespace, if any. */
    public static Optional<Mount> on(Path dir) {
        return on(dir, mountInfo());
    }

    /** This process's /proc/self/mountinfo, line by line; none where it cannot be read. */
    private static List<String> mountInfo() {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo"));
        } catch (IOException e) {
            return List.of();
        }
    }

    /** As above, over the lines of a mountinfo file (proc(5)): the mount point is field 5, then " - " type source. */
    static Optional<Mount> on(Path dir, List<String> mountInfo) {
        Mount found = null;
        for (String line : mountInfo) {
            String[] halves = line.split(" - ", 2);
            String[] before = halves[0].split(" ");
            String[] after = halves.length < 2 ? new String[0] : halves[1].split(" ");
            if (before.length >= 5 && after.length >= 2 && unescape(before[4]).equals(dir.toString())) {
                found = new Mount(after[0], unescape(after[1])); // later lines are mounted over earlier ones
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * Every mount point at or below {@code dir} in this process's mount namespace (none where mountinfo cannot be read):
     * what a removal of {@code dir}'s tree must not descend into, as {@code rm --one-file-system}.
     */
    public static Set<Path> pointsAtOrBelow(Path dir) {
        return pointsAtOrBelow(dir, mountInfo());
    }

    /** As above, over the lines of a mountinfo file. */
    static Set<Path> pointsAtOrBelow(Path dir, List<String> mountInfo) {
        Set<Path> points = new HashSet<>();
        for (String line : mountInfo) {
            String[] before = line.split(" - ", 2)[0].split(" ");
            if (before.length >= 5) {
                Path point = Path.of(unescape(before[4]));
                if (point.startsWith(dir)) {
                    points.add(point);
                }
            }
        }
        return points;
    }

    /** The file a loop device ({@code /dev/loopN}) reads, if it is one and attached. */
    public static Optional<Path> loopBackingFile(String device) {
        if (!device.matches("/dev/loop[0-9]+")) {
            return Optional.empty();
        }
        Path info = Path.of("/sys/block", device.substring("/dev/".length()), "loop", "backing_file");
        try {
            return Files.isRegularFile(info, LinkOption.NOFOLLOW_LINKS) ? Optional.of(Path.of(Files.readString(info).strip()))
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Detaches the topmost mount on {@code dir} lazily (one still in use goes when its last user lets go); never through a
     * symbolic link. A loop device mounted with autoclear (mount -o loop) is freed with it.
     *
     * @return true if the kernel detached it
     */
    public static boolean detach(Path dir) {
        return Sys.INSTANCE.umount2(dir.toString(), MNT_DETACH | UMOUNT_NOFOLLOW) == 0;
    }

    /** mountinfo writes a space, tab, newline and backslash in a field as an octal escape (\040, ...). */
    private static String unescape(String field) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
                b.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
