package org.shmconform.fuzz.faults;

import com.sun.jna.Memory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.shmconform.backends.QtKeys;
import org.shmconform.spi.SharedSegment;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.sysv.SysVBackend;

/**
 * System V, but lock() is a semop on a semaphore of its own made WITHOUT SEM_UNDO: exclusive across
 * processes like the real one, and a waiter sleeps in semop where the kernel shows it, but nothing
 * releases it when its holder is SIGKILLed, although the backend declares RELEASED.
 */
public final class NoSemUndoBackend extends FaultBackend {
    static final String LOCK_FILE_PREFIX = "faultlock_";
    private static final int PROJECT_ID = 'F';

    public NoSemUndoBackend() {
        super("fault-nosemundo", new SysVBackend(), "lock not undone when its holder dies");
    }

    @Override
    SharedSegment inject(SharedSegment segment) {
        Path keyFile = QtKeys.qtTempDir().resolve(QtKeys.platformSafeName(segment.key(), LOCK_FILE_PREFIX));
        return new DelegatingSegment(segment) {
            private boolean lockedByMe;

            @Override
            public boolean lock() {
                if (lockedByMe) {
                    return true;
                }
                lockedByMe = semop(semaphore(keyFile), (short) -1);
                return lockedByMe;
            }

            @Override
            public boolean unlock() {
                if (!lockedByMe) {
                    return false;
                }
                lockedByMe = false;
                return semop(semaphore(keyFile), (short) 1);
            }
        };
    }

    /** The key file's semaphore set, made with value 1 by whoever comes first. */
    private static int semaphore(Path keyFile) {
        try {
            Files.createFile(keyFile);
        } catch (FileAlreadyExistsException exists) {
            // made by another worker
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int key = LibC.INSTANCE.ftok(keyFile.toString(), PROJECT_ID);
        int id = LibC.INSTANCE.semget(key, 1, LibC.IPC_CREAT | LibC.IPC_EXCL | 0600);
        if (id >= 0) {
            LibC.INSTANCE.semctl(id, 0, LibC.SETVAL, 1); // a waiter that came before this sleeps until now
            return id;
        }
        return LibC.INSTANCE.semget(key, 1, 0600);
    }

    /** semop on semaphore 0 with no flags (no SEM_UNDO: the fault), retried on EINTR. */
    private static boolean semop(int id, short delta) {
        Memory op = new Memory(6);
        op.clear();
        op.setShort(2, delta);
        while (LibC.INSTANCE.semop(id, op, 1) != 0) {
            if (com.sun.jna.Native.getLastError() != 4 /* EINTR */) {
                return false;
            }
        }
        return true;
    }

    /**
     * Its own lock files of the prefix, never the sets at their ftok values (the SPI's removeLeftovers: another program's
     * set at that value would go too): each set was made and operated by a worker of the run, whose ledger records it.
     */
    @Override
    public List<String> removeLeftovers(String keyPrefix, Path tempDir, java.util.Set<Integer> owners) {
        List<String> removed = new ArrayList<>(super.removeLeftovers(keyPrefix, tempDir, owners));
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
