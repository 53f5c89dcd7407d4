package org.shmconform.engine;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.shmconform.backends.linux.LibC;

/**
 * A real process that keeps making System V semaphore sets until it is killed: on the line {@code go}, every
 * millisecond a new private set of one semaphore, set to 1 (SETVAL), locked and unlocked (two semops), as Qt's create
 * does, and only then its {@code <id> <key>} appended to the result file. A kill lands between two of them, or in the
 * middle of one: the last set made may be in no file. Arguments: a key file's path (unused), the result file's path.
 */
public final class SetsInALoopMaker {
    private SetsInALoopMaker() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (!"go".equals(in.readLine())) {
            return;
        }
        Path result = Path.of(args[1]);
        LibC c = LibC.INSTANCE;
        for (int made = 0; made < 2000; made++) {
            int id = c.semget(0 /* IPC_PRIVATE */, 1, 0600 | LibC.IPC_CREAT);
            if (id == -1 || c.semctl(id, 0, LibC.SETVAL, 1) != 0 || !OrphanSemaphoreMaker.op(id, -1)
                    || !OrphanSemaphoreMaker.op(id, 1)) {
                Files.writeString(result, "failed id " + id + " errno " + LibC.errno() + "\n", StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
                return;
            }
            Files.writeString(result, id + " 0\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            Thread.sleep(1);
        }
    }
}
