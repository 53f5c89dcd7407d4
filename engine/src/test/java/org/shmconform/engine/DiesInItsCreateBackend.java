package org.shmconform.engine;

import com.sun.jna.Memory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.shmconform.backends.linux.LibC;
import org.shmconform.spi.AccessMode;
import org.shmconform.spi.SharedSegment;

/**
 * Test-only: the tmpfs-file backend, except that create, after the real one (a /dev/shm name of the run's), makes a
 * System V segment and a semaphore set of one semaphore
 * (both IPC_PRIVATE: no key file, no name, so nothing but a proof of who made them can tie them to the run), operates
 * the set once (its last operator is the worker), says so in a file ({@link #MADE}, in TMPDIR, for the test), and then
 * never returns: the state of a worker that another hand SIGKILLs inside the op that made its objects (an OOM kill, an
 * operator's signal), before any reading of the engine's could see them.
 */
public final class DiesInItsCreateBackend extends TmpfsFileTestBackend {
    public static final String NAME = "test-dies-in-its-create";
    /** {@code <MADE><pid> <segment id> <set id>}: the file a create writes once both objects exist. */
    static final String MADE = "dies-in-its-create-";

    public DiesInItsCreateBackend() {
        super(NAME, "create makes a segment and a set, operates the set, then waits for good");
    }

    @Override
    protected SharedSegment changed(SharedSegment real, String key) {
        return new Forwarding(real) {
            @Override
            public boolean create(long size, AccessMode mode) {
                if (!s.create(size, mode)) { // the real create first: a /dev/shm name carrying the run's key prefix
                    return false;
                }
                LibC c = LibC.INSTANCE;
                int segment = c.shmget(0 /* IPC_PRIVATE */, 4096, 0600 | LibC.IPC_CREAT);
                int set = c.semget(0 /* IPC_PRIVATE */, 1, 0600 | LibC.IPC_CREAT);
                if (segment == -1 || set == -1) {
                    return false;
                }
                Memory sembuf = new Memory(6); // +1, no undo: the set's last operator is this worker
                sembuf.setShort(0, (short) 0);
                sembuf.setShort(2, (short) 1);
                sembuf.setShort(4, (short) 0);
                c.semop(set, sembuf, 1);
                long pid = ProcessHandle.current().pid();
                try {
                    Path tmp = Path.of(System.getenv("TMPDIR"));
                    Files.writeString(tmp.resolve(MADE + pid + ".part"), segment + " " + set);
                    Files.move(tmp.resolve(MADE + pid + ".part"), tmp.resolve(MADE + pid));
                    Thread.sleep(Long.MAX_VALUE); // the test kills it here
                } catch (IOException | InterruptedException e) {
                    return false;
                }
                return true;
            }
        };
    }
}
