package org.shmconform.engine;

import com.sun.jna.Memory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.shmconform.backends.linux.LibC;

/**
 * A real process that does to a System V semaphore set what Qt 6.8 does with a platform-safe key, then leaves it:
 * on the line {@code go} it makes the key file, keys a new set by ftok(file, 'Q'), sets it to 1 (SETVAL), locks and
 * unlocks it (two semops), unlinks the key file (as Qt's last detach does) and writes {@code <id> <key>} to the result
 * file (made whole, by a rename); then it waits for its stdin to end and exits without removing the set.
 * Arguments: the key file's path, the result file's path.
 */
public final class OrphanSemaphoreMaker {
    private OrphanSemaphoreMaker() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Path keyFile = keyFileOnGo(in, args[0]);
        if (keyFile == null) {
            return;
        }
        LibC c = LibC.INSTANCE;
        int key = c.ftok(keyFile.toString(), 'Q');
        int id = c.semget(key, 1, 0600 | LibC.IPC_CREAT | LibC.IPC_EXCL);
        if (key == -1 || id == -1 || c.semctl(id, 0, LibC.SETVAL, 1) != 0 || !op(id, -1) || !op(id, 1)) {
            Files.writeString(Path.of(args[1]), "failed key " + key + " id " + id + " errno " + LibC.errno());
            return;
        }
        Files.delete(keyFile);
        writeResult(Path.of(args[1]), id, key);
        while (in.readLine() != null) {
            // held until the test ends it
        }
    }

    /** Writes {@code <id> <key>} to the result file, made whole by a rename so the test never reads half of it. */
    static void writeResult(Path result, int id, int key) throws java.io.IOException {
        Path partial = Path.of(result + ".partial");
        Files.writeString(partial, id + " " + key);
        Files.move(partial, result, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Waits for the line {@code go}, then makes the key file; null if stdin said anything else. SetsInALoopMaker's too. */
    static Path keyFileOnGo(BufferedReader in, String path) throws java.io.IOException {
        if (!"go".equals(in.readLine())) {
            return null;
        }
        return Files.createFile(Path.of(path));
    }

    /** One semop on semaphore 0 (struct sembuf: unsigned short num, short op, short flags); SetsInALoopMaker's too. */
    static boolean op(int id, int delta) {
        Memory sembuf = new Memory(6);
        sembuf.setShort(0, (short) 0);
        sembuf.setShort(2, (short) delta);
        sembuf.setShort(4, (short) 0);
        return LibC.INSTANCE.semop(id, sembuf, 1) == 0;
    }
}
