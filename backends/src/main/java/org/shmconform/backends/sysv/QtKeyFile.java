package org.shmconform.backends.sysv;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What a Qt key file is, read by one lstat: the device and inode its System V key is made from (ftok with Qt's project
 * id 'Q'), its owner, and when it was made and last changed. The harness runs as root and a worker's TMPDIR may belong
 * to the worker's user: that user could swap the file between two lstat calls (so one identity mixed two files), or put
 * there a hard link to a root application's key file, whose objects would then pass for the run's. So every attribute
 * comes from one call, and a file with more than one name is no key file of ours (Qt makes each with one name, and never
 * links one).
 *
 * @param madeSecond    its modification time, whole seconds: Qt never writes a key file, so this is its birth
 * @param changedSecond its status change time, whole seconds
 */
public record QtKeyFile(long dev, long ino, int uid, long madeSecond, long changedSecond) {

    /** The key file at {@code file}, if it is a regular file with one name (never through a link). */
    public static Optional<QtKeyFile> lstat(Path file) throws IOException {
        Map<String, Object> a = Files.readAttributes(file, "unix:mode,nlink,dev,ino,uid,lastModifiedTime,ctime",
                LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        if ((mode & 0170000) != 0100000 || (Integer) a.get("nlink") != 1) {
            return Optional.empty();
        }
        return Optional.of(new QtKeyFile((Long) a.get("dev"), (Long) a.get("ino"), (Integer) a.get("uid"),
                ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.SECONDS), ((FileTime) a.get("ctime")).to(TimeUnit.SECONDS)));
    }

    /** ftok(file, 'Q') as glibc computes it from the device and inode. */
    public int key() {
        return ftok(dev, ino);
    }

    /** ftok(file, 'Q') of a file with this device and inode. */
    public static int ftok(long dev, long ino) {
        return (int) ((ino & 0xffff) | ((dev & 0xff) << 16) | ((long) (SysVCalls.QT_PROJECT_ID & 0xff) << 24));
    }
}
