package org.shmconform.engine;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * Names of a run in /dev/shm that the run cannot have made: anyone may make a file there (it is world-writable and
 * sticky, like /tmp), and the POSIX and file-backed columns name their segments and semaphores there by key. A file
 * another user made at the name of an execution's key makes a create meet it (AlreadyExists), or a {@code sem_open}
 * open that user's semaphore; the verdict would then blame the backend for what another hand did. An execution whose
 * names met one has a problem ({@link org.shmconform.history.Execution#FOREIGN_OBJECT}), so no verdict stands on it,
 * as for another program's System V object at a key file's ftok value ({@link Ledger#foreignAtKeysOf}).
 *
 * <p>A file the execution made is a regular file with one name, owned by the user of one of its workers (a process's
 * files are its fsuid's; nothing of the run changes a /dev/shm file's owner or links it). So a name of the execution is
 * foreign when it is not a regular file (a link, a directory, a FIFO), has more names than one (another file hard-linked
 * there), or its owner runs none of the execution's workers. The look is made twice:
 * <ul>
 * <li>as the name appears: an inotify watch of /dev/shm lstat's each new name of the run, so that one another user
 * planted and that is gone by the execution's end (a worker's {@code sem_unlink} or destroy removes it, sticky bit or
 * not, when the worker is root) is still known; a name gone before its lstat is not;</li>
 * <li>when asked ({@link #at}): the names of the execution in /dev/shm now.</li>
 * </ul>
 * The harness's own user always counts as a worker's: a root process can make anything, so nothing here tells
 * another root program's file from the run's. Not looked at: a container's own /dev/shm (no other user of the
 * host can write there) and the run's placement directories (its own, 0700).
 */
final class ForeignNames implements AutoCloseable {
    static final Path DEV_SHM = Path.of("/dev/shm");
    /** Names kept at most, the oldest forgotten first: an execution asks for its own at its end, which forgets them. */
    private static final int KEPT = 10_000;

    /** A name of the run that is no regular file of the harness's own user, as lstat saw it when it appeared. */
    record Seen(String name, int uid, String type) {
        String describe() {
            return DEV_SHM.resolve(name) + " (" + type + " owned by uid " + uid + ")";
        }
    }

    private final String runPrefix;
    private final int executionIdLength;
    private final int ownUid = PrivateDirectory.myUid();
    /** By execution prefix: what the watch saw of each execution's names that may be foreign. */
    private final Map<String, List<Seen>> seen = new LinkedHashMap<>();
    private int kept;
    private final KeyFileWatch watch;

    private ForeignNames(String runPrefix, int executionIdLength, boolean watched) {
        this.runPrefix = runPrefix;
        this.executionIdLength = executionIdLength;
        KeyFileWatch w = null;
        if (watched && Files.isDirectory(DEV_SHM, LinkOption.NOFOLLOW_LINKS)) {
            w = KeyFileWatch.start(new KeyFileWatch.Listener() {
                @Override
                public void created(Path file) {
                    appeared(file.getFileName().toString());
                }

                @Override
                public void deleted(Path file) {
                    // what it was when it appeared is what a step may have met
                }
            }, "shmconform-dev-shm-" + runPrefix);
            if (w != null) {
                w.watch(DEV_SHM);
            }
        }
        this.watch = w;
    }

    /**
     * Watches /dev/shm for names that carry {@code runPrefix}; an execution's prefix is {@code runPrefix} and {@code
     * executionIdLength} letters. Without inotify, only the look at the execution's end is made.
     */
    static ForeignNames watch(String runPrefix, int executionIdLength) {
        return new ForeignNames(runPrefix, executionIdLength, true);
    }

    /** The look at an execution's end alone, with no watch (tests). */
    static ForeignNames unwatched(String runPrefix, int executionIdLength) {
        return new ForeignNames(runPrefix, executionIdLength, false);
    }

    private void appeared(String name) {
        String execution = executionOf(name);
        if (execution == null) {
            return;
        }
        Seen s = lstat(DEV_SHM.resolve(name));
        if (s == null || (s.type().equals(REGULAR) && s.uid() == ownUid)) {
            return; // gone already, or the harness's own user's: never foreign
        }
        synchronized (this) {
            seen.computeIfAbsent(execution, e -> new ArrayList<>()).add(s);
            if (++kept > KEPT) {
                String oldest = seen.keySet().iterator().next();
                kept -= seen.remove(oldest).size();
            }
        }
    }

    /** How many names of {@code executionPrefix} the watch kept (tests: whether it saw one that is gone now). */
    synchronized int kept(String executionPrefix) {
        List<Seen> names = seen.get(executionPrefix);
        return names == null ? 0 : names.size();
    }

    /** The execution prefix a name carries, or null for a name of no execution of this run. */
    private String executionOf(String name) {
        int at = name.indexOf(runPrefix);
        int end = at + runPrefix.length() + executionIdLength;
        return at < 0 || end > name.length() ? null : name.substring(at, end);
    }

    private static final String REGULAR = "a regular file";

    private static Seen lstat(Path file) {
        try {
            PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            int uid = (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            int names = a.isRegularFile() ? (Integer) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS) : 1;
            // A file of the run has one name: one with more is another file linked at the run's name (a hard link, where
            // fs.protected_hardlinks is 0), whoever owns it, root included.
            String type = names > 1 ? "a regular file with " + names + " names" : a.isRegularFile() ? REGULAR
                    : a.isSymbolicLink() ? "a symbolic link" : a.isDirectory() ? "a directory" : "a special file";
            return new Seen(file.getFileName().toString(), uid, type);
        } catch (IOException | RuntimeException e) {
            return null; // gone: nothing to judge
        }
    }

    /**
     * The names of execution {@code executionPrefix} in /dev/shm, now or since they appeared, that none of its workers
     * can have made: not a regular file, or owned by a uid none of {@code workerUids} (the harness's own counts always).
     * Forgets what the watch saw of the execution when {@code last}.
     *
     * @return one description per foreign name, each once
     */
    List<String> at(String executionPrefix, Set<Integer> workerUids, boolean last) {
        List<Seen> names = new ArrayList<>();
        synchronized (this) {
            List<Seen> watched = last ? seen.remove(executionPrefix) : seen.get(executionPrefix);
            if (watched != null) {
                names.addAll(watched);
                if (last) {
                    kept -= watched.size();
                }
            }
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(DEV_SHM,
                f -> f.getFileName().toString().contains(executionPrefix))) {
            for (Path entry : entries) {
                Seen s = lstat(entry);
                if (s != null) {
                    names.add(s);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /dev/shm here: no name there either
        }
        List<String> foreign = new ArrayList<>();
        for (Seen s : names) {
            boolean ours = s.type().equals(REGULAR) && (s.uid() == ownUid || workerUids.contains(s.uid()));
            String d = s.describe() + ", which no worker of this execution can have made";
            if (!ours && !foreign.contains(d)) {
                foreign.add(d);
            }
        }
        return foreign;
    }

    @Override
    public void close() {
        if (watch != null) {
            watch.close();
        }
    }
}
