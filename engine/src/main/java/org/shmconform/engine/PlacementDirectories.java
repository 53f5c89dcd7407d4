package org.shmconform.engine;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.shmconform.backends.host.FileSystems;
import org.shmconform.backends.host.HostIds;
import org.shmconform.engine.state.PrivateDirectory;
import org.shmconform.engine.state.StateDirectory;

/**
 * The directories a schedule names in its {@code placement} and {@code placeIn} steps (seeds M6, L1, L2, L4),
 * and why one is missing here. A schedule names them; the engine resolves the name to a path:
 * <ul>
 * <li>{@code dev-shm}: /dev/shm, and {@code tmp}: /tmp — measured, never written to;</li>
 * <li>{@code disk}: a private 0700 directory of the run on a filesystem that is not RAM-backed: the run's share
 *     directory when it is on one, else in /var/tmp ({@code shmconform-<run id>-<letters>});</li>
 * <li>{@code xdg-runtime}: a private 0700 directory of the run in the user's XDG runtime directory
 *     /run/user/&lt;uid&gt;, which must exist, be the user's own, 0700, and a tmpfs (as systemd makes it).</li>
 * </ul>
 * The private ones are announced in the ledger before they are made, removed with the run, and scanned for
 * the run's leftovers after every schedule (they are among {@link RunContext#workerTmps()}).
 */
public final class PlacementDirectories {
    public static final String DEV_SHM = "dev-shm";
    public static final String TMP = "tmp";
    public static final String DISK = "disk";
    public static final String XDG_RUNTIME = "xdg-runtime";
    /** The names {@code placeIn} may use: directories the run makes and removes. */
    public static final Set<String> WRITABLE = Set.of(DISK, XDG_RUNTIME);
    /** A run's directory outside its share directory: {@code shmconform-<run id>-<16 letters>}. */
    static final String OUTSIDE_PREFIX = "shmconform-";
    private static final Path VAR_TMP = Path.of("/var/tmp");

    private PlacementDirectories() {
    }

    /** Why the directory {@code name} cannot be used here (with the command that fixes it), or null. */
    public static String missing(String name) {
        return switch (name) {
            case DEV_SHM, TMP -> Files.isDirectory(fixed(name), LinkOption.NOFOLLOW_LINKS) ? null : fixed(name) + " is not a directory";
            case DISK -> diskParent() != null ? null : "no disk-backed directory for the run: " + StateDirectory.shareRoot() + " is "
                    + typeOf(StateDirectory.shareRoot()) + " and " + VAR_TMP + " is " + typeOf(VAR_TMP)
                    + "; fix: shmconform run --state-dir <a directory on a disk filesystem such as ext4>";
            case XDG_RUNTIME -> xdgMissing(xdgRuntimeDir());
            default -> "no directory named " + name + " (known: " + List.of(DEV_SHM, TMP, DISK, XDG_RUNTIME) + ")";
        };
    }

    /** /run/user/&lt;uid&gt; of the harness's user. */
    public static Path xdgRuntimeDir() {
        return Path.of("/run/user", Integer.toString(HostIds.uid()));
    }

    static Path fixed(String name) {
        return name.equals(DEV_SHM) ? Path.of("/dev/shm") : Path.of("/tmp");
    }

    /** Where the run's disk-backed directory goes: its share directory's parent, else /var/tmp; null: neither is on disk. */
    static Path diskParent() {
        Path share = StateDirectory.shareRoot();
        if (onDisk(share)) {
            return share;
        }
        return onDisk(VAR_TMP) ? VAR_TMP : null;
    }

    private static boolean onDisk(Path dir) {
        long type = FileSystems.fType(dir);
        return type >= 0 && !FileSystems.ramBacked(type);
    }

    private static String typeOf(Path dir) {
        long type = FileSystems.fType(dir);
        return type < 0 ? "not measurable (errno " + -type + ")" : FileSystems.name(type);
    }

    private static String xdgMissing(Path dir) {
        int uid = HostIds.uid();
        String fix = "; fix: start a systemd login session for the user (loginctl enable-linger " + userName()
                + "), or mkdir -m 700 " + dir + " && mount -t tmpfs -o mode=700,uid=" + uid + " tmpfs " + dir;
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return "the XDG runtime directory " + dir + " does not exist (no systemd user session)" + fix;
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return dir + " is not a directory" + fix;
        }
        if (PrivateDirectory.uidOf(dir) != uid) {
            return dir + " is owned by uid " + PrivateDirectory.uidOf(dir) + ", not " + uid;
        }
        long type = FileSystems.fType(dir);
        if (type < 0 || !FileSystems.ramBacked(type)) {
            return dir + " is " + typeOf(dir) + ", not the tmpfs systemd mounts there" + fix;
        }
        return null;
    }

    private static String userName() {
        return System.getProperty("user.name", "$USER");
    }
}
