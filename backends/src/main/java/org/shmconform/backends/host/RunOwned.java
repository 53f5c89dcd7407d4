package org.shmconform.backends.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Set;

/**
 * Whether a name that carries a run's prefix, in a directory anyone may write (/dev/shm, world-writable and sticky like
 * /tmp), is the run's to remove: a regular file that the user of one of the run's workers owns. (A second name is not
 * asked for: unlinking a name never reaches the file's data, and a semaphore whose maker was killed inside sem_open
 * keeps glibc's temporary name too.) A file another user
 * planted at a name of the run, or a link there, is left: the prefix alone proves nothing, since anyone who read one of
 * the run's names can make another. Checked with lstat; once it is checked, only its owner (or root) can unlink or rename
 * it in a sticky directory, so the name unlinked next is the one checked.
 */
public final class RunOwned {
    private RunOwned() {
    }

    /**
     * @return null when {@code file} is a regular file owned by one of {@code owners}; else why it is left ("a symbolic
     *     link owned by uid 65534"), or "gone" when it is no longer there
     */
    public static String whyNotOwned(Path file, Set<Integer> owners) {
        try {
            PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            int uid = (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (a.isRegularFile() && owners.contains(uid)) {
                return null;
            }
            String type = a.isRegularFile() ? "a regular file" : a.isSymbolicLink() ? "a symbolic link"
                    : a.isDirectory() ? "a directory" : "a special file";
            return type + " owned by uid " + uid + (owners.contains(uid) ? "" : ", who runs no worker of the run");
        } catch (IOException e) {
            return "gone";
        }
    }

    /** The line a reaper gives for a name it left: {@code <what>: left <file>: <why>}. */
    public static String left(String what, Path file, String why) {
        return what + ": left " + file + ": " + why;
    }
}
