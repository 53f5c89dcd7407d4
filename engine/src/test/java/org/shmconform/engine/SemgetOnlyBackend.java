package org.shmconform.engine;

import com.sun.jna.Memory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.linux.LibC;
import org.shmconform.spi.AccessMode;
import org.shmconform.spi.SharedSegment;

/**
 * Test-only: the tmpfs-file backend, except that create makes a key file of Qt's semaphore name in TMPDIR, makes a set
 * by semget alone through its ftok value (as Qt's QSystemSemaphore does before its SETVAL) and then waits on that set
 * for good, never operating it: the state of a Qt worker killed between its semget and its SETVAL. An attach unlinks the
 * key file, as a peer's re-key or detach unlinks Qt's. Such a set has no last operator, and once its key file is gone
 * nothing else names it the run's.
 */
public final class SemgetOnlyBackend extends TmpfsFileTestBackend {
    public static final String NAME = "test-semget-only";

    public SemgetOnlyBackend() {
        super(NAME, "create makes a set by semget alone and waits on it; attach unlinks its key file");
    }

    /** The key file an object of {@code key} makes. */
    static Path keyFile(String key) {
        return Path.of(System.getenv("TMPDIR"), QtKeys.SYSTEM_SEMAPHORE_PREFIX + QtKeys.lettersOf(key) + "semgetonly");
    }

    /** The file that says this worker made the set {@code id} (in TMPDIR, which goes with the run). */
    static Path madeFile(int id) {
        return Path.of(System.getenv("TMPDIR"), MADE + id);
    }

    static final String MADE = "semget-only-set-";

    @Override
    protected SharedSegment changed(SharedSegment real, String key) {
        return new Forwarding(real) {
            @Override
            public boolean create(long size, AccessMode mode) {
                LibC c = LibC.INSTANCE;
                try {
                    Files.createFile(keyFile(key));
                } catch (IOException e) {
                    return false;
                }
                int id = c.semget(c.ftok(keyFile(key).toString(), 'Q'), 1, 0600 | LibC.IPC_CREAT | LibC.IPC_EXCL);
                if (id == -1) {
                    return false;
                }
                try {
                    Files.createFile(madeFile(id)); // for the test's clean-up: the id of the set this worker made
                } catch (IOException e) {
                    return false;
                }
                Memory sembuf = new Memory(6); // wait for 1 on a set whose value stays 0: asleep in semop, as a lock waits
                sembuf.setShort(0, (short) 0);
                sembuf.setShort(2, (short) -1);
                sembuf.setShort(4, (short) 0);
                c.semop(id, sembuf, 1);
                return false;
            }

            @Override
            public boolean attach(AccessMode mode) {
                try {
                    Files.deleteIfExists(keyFile(key));
                } catch (IOException e) {
                    // nothing to unlink
                }
                return false;
            }
        };
    }
}
