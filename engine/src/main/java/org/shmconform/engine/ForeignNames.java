package org.shmconform.engine;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.shmconform.backends.host.RunOwned.NameFacts;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * Names of a run in /dev/shm that the run cannot have made: anyone may make a file there (it is world-writable and
 * sticky, like /tmp), and the POSIX and file-backed columns name their segments and semaphores there by key. A file
 * another user made at the name of an execution's key makes a create meet it (AlreadyExists), or a {@code sem_open}
 * open that user's semaphore; the verdict would then blame the backend for what another hand did. An execution whose
 * names met one has a problem ({@link org.shmconform.history.Execution#FOREIGN_OBJECT}), so no verdict stands on it,
 * as for another program's System V object at a key file's ftok value ({@link Ledger#foreignAtKeysOf}).
 *
 * <p>A file the execution made is a regular file with one name (glibc's temporary name of a new semaphore aside:
 * {@link #secondNameExcused}), owned by the user of one of its workers (a process's files are its fsuid's; nothing of
 * the run changes a /dev/shm file's owner). So a name of the execution is foreign when it is not a regular file (a
 * link, a directory, a FIFO), has another name (someone else's file hard-linked there), or its owner runs none of the
 * execution's workers. The look is made twice:
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

    /** How a foreign name is told: its path, type, names, owner. */
    private static String describe(NameFacts f) {
        return DEV_SHM.resolve(f.name()) + " (" + f.type() + (f.names() > 1 ? " with " + f.names() + " names" : "")
                + " owned by uid " + f.uid() + ")";
    }

    private final String runPrefix;
    private final int executionIdLength;
    private final int ownUid = PrivateDirectory.myUid();
    /** By execution prefix: what the watch saw of each execution's names that may be foreign. */
    private final Map<String, List<NameFacts>> seen = new LinkedHashMap<>();
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
        NameFacts s = NameFacts.lstat(DEV_SHM.resolve(name));
        if (s == null || (s.regular() && s.uid() == ownUid)) {
            return; // gone already, or the harness's own user's (a second name is judged at the looks: see #at)
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
        List<NameFacts> names = seen.get(executionPrefix);
        return names == null ? 0 : names.size();
    }

    /** The execution prefix a name carries, or null for a name of no execution of this run. */
    private String executionOf(String name) {
        int at = name.indexOf(runPrefix);
        int end = at + runPrefix.length() + executionIdLength;
        return at < 0 || end > name.length() ? null : name.substring(at, end);
    }

    /**
     * The names of execution {@code executionPrefix} in /dev/shm, now or since they appeared, that none of its workers
     * can have made: not a regular file, or owned by a uid none of {@code workerUids} (the harness's own counts always).
     * Forgets what the watch saw of the execution when {@code last}.
     *
     * @return one description per foreign name, each once
     */
    List<String> at(String executionPrefix, Set<Integer> workerUids, boolean last) {
        List<NameFacts> names = new ArrayList<>();
        synchronized (this) {
            List<NameFacts> watched = last ? seen.remove(executionPrefix) : seen.get(executionPrefix);
            if (watched != null) {
                names.addAll(watched);
                if (last) {
                    kept -= watched.size();
                }
            }
        }
        List<NameFacts> now = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(DEV_SHM,
                f -> f.getFileName().toString().contains(executionPrefix))) {
            for (Path entry : entries) {
                NameFacts s = NameFacts.lstat(entry);
                if (s != null) {
                    now.add(secondNameExcused(s));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /dev/shm here: no name there either
        }
        List<String> foreign = new ArrayList<>();
        for (NameFacts s : names) {
            addIfForeign(s.withOneName(), workerUids, foreign); // a second name is judged by the look below only
        }
        for (NameFacts s : now) {
            addIfForeign(s, workerUids, foreign);
        }
        return foreign;
    }

    private void addIfForeign(NameFacts s, Set<Integer> workerUids, List<String> foreign) {
        boolean ours = s.regular() && s.names() <= 1 && (s.uid() == ownUid || workerUids.contains(s.uid()));
        String d = describe(s) + ", which no worker of this execution can have made";
        if (!ours && !foreign.contains(d)) {
            foreign.add(d);
        }
    }

    /**
     * A name listed now with more names than one, as one name when its others are glibc's: {@code sem_open} makes a
     * semaphore as a temporary file {@code sem.XXXXXX}, links it at its name, then unlinks the temporary one, so a
     * semaphore has two names for a moment, and keeps both if its maker is killed in between (the fuzz kills at any
     * moment). Another second name (someone else's file hard-linked at the run's name, where fs.protected_hardlinks is 0)
     * is kept, whoever owns the file, root included: no file of the run has one. Not judged as a name appears (the
     * watch), where every new semaphore has two.
     */
    private static NameFacts secondNameExcused(NameFacts s) {
        if (s.names() <= 1 || !s.regular()) {
            return s;
        }
        int others = NameFacts.glibcTemporaryNamesOf(DEV_SHM, s.name(), s.inode());
        if (others < 0) {
            return s;
        }
        NameFacts again = others > 0 ? null : NameFacts.lstat(DEV_SHM.resolve(s.name())); // its temporary name went meanwhile
        return others > 0 || (again != null && again.inode() == s.inode() && again.names() <= 1)
                ? s.withOneName() : s;
    }

    @Override
    public void close() {
        if (watch != null) {
            watch.close();
        }
    }
}
