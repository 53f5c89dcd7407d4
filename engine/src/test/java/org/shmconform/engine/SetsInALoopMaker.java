package org.shmconform.engine;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.shmconform.backends.linux.LibC;

/**
 * A real process that keeps making System V semaphore sets until it is killed: on the line {@code go} it makes the key
 * file, then every millisecond a new set of one semaphore keyed {@code ftok(file, n)} for n = 1, 2, ... (so the test
 * knows every key it may have made, even one it made and was killed before using), sets it to 1 (SETVAL), locks and
 * unlocks it (two semops), as Qt's create does, and only then appends {@code <id> <key>} to the result file. A kill lands
 * between two of them, or in the middle of one. Arguments: the key file's path, the result file's path.
 */
public final class SetsInALoopMaker {
    /** The most sets one maker makes (one ftok project id each). */
    static final int MOST = 250;

    private SetsInALoopMaker() {
    }

    public static void main(String[] args) throws Exception {
        Path keyFile = OrphanSemaphoreMaker.keyFileOnGo(new BufferedReader(new InputStreamReader(System.in,
                StandardCharsets.UTF_8)), args[0]);
        if (keyFile == null) {
            return;
        }
        Path result = Path.of(args[1]);
        LibC c = LibC.INSTANCE;
        for (int n = 1; n <= MOST; n++) {
            int key = c.ftok(keyFile.toString(), n);
            int id = c.semget(key, 1, 0600 | LibC.IPC_CREAT | LibC.IPC_EXCL);
            if (key == -1 || id == -1 || c.semctl(id, 0, LibC.SETVAL, 1) != 0 || !OrphanSemaphoreMaker.op(id, -1)
                    || !OrphanSemaphoreMaker.op(id, 1)) {
                Files.writeString(result, "failed key " + key + " id " + id + " errno " + LibC.errno() + "\n",
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                return;
            }
            Files.writeString(result, id + " " + key + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            Thread.sleep(1);
        }
    }
}
