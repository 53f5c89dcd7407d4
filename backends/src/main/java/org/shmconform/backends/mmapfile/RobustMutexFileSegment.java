package org.shmconform.backends.mmapfile;

import java.nio.file.Path;
import org.shmconform.spi.OwnerDeathNotice;

/** The mmapfile-robust segment: a {@link HeaderLockFileSegment} whose lock reports a dead previous holder. */
final class RobustMutexFileSegment extends HeaderLockFileSegment implements OwnerDeathNotice {
    RobustMutexFileSegment(String key, Path dir, Path file) {
        super(key, dir, file, new RobustMutexLock(), MmapFileRobustBackend.TAG);
    }

    @Override
    public boolean lockTookOverFromDeadOwner() {
        return lastLockFoundOwnerDead();
    }
}
