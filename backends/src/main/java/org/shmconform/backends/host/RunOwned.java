package org.shmconform.backends.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Map;
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
     * What lstat says of a name: its owner, its type ("a regular file", "a symbolic link", ...), its inode and how many
     * names that inode has. One reading for the reapers here and for the harness's look at a run's names (ForeignNames).
     */
    public record NameFacts(String name, int uid, String type, long inode, int names) {
        public static final String REGULAR = "a regular file";

        /** The facts of {@code file}, never through a link; null once it is gone (or cannot be read). */
        public static NameFacts lstat(Path file) {
            try {
                PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                Map<String, Object> unix = Files.readAttributes(file, "unix:uid,nlink,ino", LinkOption.NOFOLLOW_LINKS);
                String type = a.isRegularFile() ? REGULAR : a.isSymbolicLink() ? "a symbolic link" : a.isDirectory() ? "a directory"
                        : "a special file";
                return new NameFacts(file.getFileName().toString(), (Integer) unix.get("uid"), type, (Long) unix.get("ino"),
                        (Integer) unix.get("nlink"));
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        public boolean regular() {
            return type.equals(REGULAR);
        }

        /** The same facts, counted as one name (a second name found to be no other file's). */
        public NameFacts withOneName() {
            return new NameFacts(name, uid, type, inode, 1);
        }

        /**
         * How many names in {@code dir} other than {@code name} lead to {@code inode}, when every one of them is glibc's
         * temporary {@code sem.XXXXXX}: sem_open makes a semaphore under such a name, links it at its own, then unlinks
         * the temporary one, so a semaphore has two names for a moment, and keeps both if its maker is killed in between.
         * -1 when another name leads there (a file hard-linked at a name), or the listing fails.
         */
        public static int glibcTemporaryNamesOf(Path dir, String name, long inode) {
            int found = 0;
            try (java.nio.file.DirectoryStream<Path> all = Files.newDirectoryStream(dir)) {
                for (Path entry : all) {
                    NameFacts other = entry.getFileName().toString().equals(name) ? null : lstat(entry);
                    if (other != null && other.inode() == inode) {
                        if (!GLIBC_SEMAPHORE_TEMPORARY.matcher(other.name()).matches()) {
                            return -1;
                        }
                        found++;
                    }
                }
            } catch (IOException | RuntimeException e) {
                return -1;
            }
            return found;
        }

        private static final java.util.regex.Pattern GLIBC_SEMAPHORE_TEMPORARY = java.util.regex.Pattern.compile("sem\\.[A-Za-z0-9]{6}");
    }

    /**
     * @return null when {@code file} is a regular file owned by one of {@code owners}; else why it is left ("a symbolic
     *     link owned by uid 65534"), or "gone" when it is no longer there
     */
    public static String whyNotOwned(Path file, Set<Integer> owners) {
        NameFacts f = NameFacts.lstat(file);
        if (f == null) {
            return "gone";
        }
        if (f.regular() && owners.contains(f.uid())) {
            return null;
        }
        return f.type() + " owned by uid " + f.uid() + (owners.contains(f.uid()) ? "" : ", who runs no worker of the run");
    }

    /** The line a reaper gives for a name it left: {@code <what>: left <file>: <why>}. */
    public static String left(String what, Path file, String why) {
        return what + ": left " + file + ": " + why;
    }
}
