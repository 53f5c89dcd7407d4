package org.shmconform.harness.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.SharedSegment;
import org.shmconform.backends.sysv.SysVBackend;

/**
 * System V, but lock() is a lock file made with O_CREAT|O_EXCL and removed by unlock(): exclusive
 * across processes like the real semaphore, but, like a semop without SEM_UNDO, nothing releases it
 * when its holder is SIGKILLed, although the backend declares RELEASED.
 */
public final class NoSemUndoBackend extends FaultBackend {
    static final String LOCK_FILE_PREFIX = "faultlock_";

    public NoSemUndoBackend() {
        super("fault-nosemundo", new SysVBackend(), "lock not undone when its holder dies");
    }

    @Override
    SharedSegment inject(SharedSegment segment) {
        Path lockFile = QtKeys.qtTempDir().resolve(QtKeys.platformSafeName(segment.key(), LOCK_FILE_PREFIX));
        return new DelegatingSegment(segment) {
            private boolean lockedByMe;

            @Override
            public boolean lock() {
                if (lockedByMe) {
                    return true;
                }
                while (true) {
                    try {
                        Files.createFile(lockFile);
                        lockedByMe = true;
                        return true;
                    } catch (FileAlreadyExistsException held) {
                        pause();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }

            @Override
            public boolean unlock() {
                if (!lockedByMe) {
                    return false;
                }
                lockedByMe = false;
                try {
                    Files.deleteIfExists(lockFile);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return true;
            }
        };
    }

    private static void pause() {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public List<String> removeLeftovers(String keyPrefix, Path tempDir) {
        List<String> removed = new ArrayList<>(super.removeLeftovers(keyPrefix, tempDir));
        try (DirectoryStream<Path> files = Files.newDirectoryStream(tempDir, LOCK_FILE_PREFIX + keyPrefix + "*")) {
            for (Path f : files) {
                if (Files.deleteIfExists(f)) {
                    removed.add("lock file " + f);
                }
            }
        } catch (IOException e) {
            // nothing there
        }
        return removed;
    }
}
