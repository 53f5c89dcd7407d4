package org.shmconform.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.sysv.QtKeyFile;
import org.shmconform.backends.sysv.SysVObjects;

/**
 * The run's own record of what its workers may have made, in the run's private directory
 * ({@code ledger}, 0600, opened with O_NOFOLLOW, append only). Lines are written BEFORE the thing
 * they announce is made (a TMPDIR, a step's key files), so a harness killed at any point leaves a
 * ledger that names everything it could have left; after a step, what appeared is added with the
 * identities that prove it ours: a key file's device, inode and ftok value, and each System V
 * object's id, key and change time. The reaper removes a System V object only when its id, key and
 * a change time after the run started all match an entry here. A System V object is recorded when a worker of the run
 * is proven to have made or used it ({@link #recordProvenOfLiveWorker}: {@link SetsOfLiveWorker},
 * {@link SegmentsOfLiveWorker}), before that worker ends and after every execution; this is also the way back to an
 * object whose key file Qt unlinked (Qt 6.4 can unlink a key file while its semaphore lives on). Never for carrying
 * the ftok value of a key file of ours, even one that is there: another program of the same user makes objects at
 * that value as well ({@link #observe}); the one exception, a set nobody operated met at a kill, is
 * {@link #observeAtKill}.
 *
 * <p>Key files are Qt's legacy ones in the TMPDIRs and, for Qt 6.8's platform-safe System V keys, the
 * key itself in a worker's XDG_RUNTIME_DIR ({@link RunContext#workerRuntimeDir}, announced as a tmpdir).
 *
 * <p>Line format, one record per line, space separated: {@code start <epoch s>}, {@code share <dir>},
 * {@code tmpdir <dir>}, {@code intent <key file>},
 * {@code keyfile <path> <dev> <ino> <ftok> <uid>}, {@code shm <id> <key> <ctime> <cuid>},
 * {@code sem <id> <key> <ctime> <cuid>}.
 */
public final class Ledger {
    static final String FILE = "ledger";

    private final FileChannel out;
    private final long startSecond;
    private final Set<String> keyFilesSeen = new HashSet<>();
    private final Set<String> objectsSeen = new HashSet<>();
    private final Set<Path> intended = new HashSet<>();
    /** Key files seen alive and not yet seen go ({@link #watches}). */
    private final Map<Path, KeyFile> liveKeyFiles = new HashMap<>();
    /**
     * Every System V object written so far, by kind and id: what the reaper after each schedule needs, kept here so it
     * does not read the whole file again (the file grows with every schedule's intents: a campaign's reaper passes
     * went quadratic, and Ledger.read was an eighth of the harness's CPU samples in a qt fuzz).
     */
    private final Map<String, Entry> systemV = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A key file of ours: its ftok value, its owner and when it was made. Only an object with that key,
     * made by that owner no earlier than the file, can be the one Qt made through it. Never the ftok
     * values of files long gone: on one tmpfs, inode numbers repeat in their low 16 bits, so another
     * program's (or another run's) later object could carry the same key.
     */
    private record KeyFile(int key, int uid, long madeSecond, Set<String> kinds) {
        boolean made(SysVObjects.Obj o) {
            return o.key() == key && o.cuid() == uid && o.ctime() >= madeSecond && kinds.contains(o.kind());
        }
    }

    /**
     * What Qt keys by a key file of this name: a segment by {@code qipc_sharedmemory_*}, a semaphore set by
     * {@code qipc_systemsem_*}, both by Qt 6.8's platform-safe System V key (the semaphore's native key is the
     * segment's). Another kind of object with the same ftok value is never made through it.
     */
    private static Set<String> kindsKeyedBy(Path file) {
        String name = file.getFileName().toString();
        if (name.startsWith(QtKeys.SHARED_MEMORY_PREFIX)) {
            return Set.of("shm");
        }
        return name.startsWith(QtKeys.SYSTEM_SEMAPHORE_PREFIX) ? Set.of("sem") : Set.of("shm", "sem");
    }
    private String runLetters = "";
    private KeyFileWatch watch;
    /** The run's key files seen since an execution last asked ({@link #foreignAtKeysOf}), by path, with their ftok values. */
    private final Map<Path, KeyFile> unchecked = new HashMap<>();

    /**
     * A System V object an execution cannot have made ({@code made} says why: older than the run, there before the
     * execution's first step, or made by a process that is none of its workers) whose key is the ftok value of one of
     * the execution's key files, of a kind that file keys: a create through that file meets it (AlreadyExists), an
     * attach or a lock reaches it. Another program's (a Qt application's QSharedMemory or QSystemSemaphore whose key
     * file shares the low byte of the device and the low 16 bits of the inode), never the backend's doing.
     */
    record Foreign(Path keyFile, SysVObjects.Obj object, String made) {
        String describe() {
            return "the System V " + (object.kind().equals("shm") ? "segment " : "semaphore set ") + object.id() + " (key 0x"
                    + String.format("%08x", object.key()) + ", made at " + java.time.Instant.ofEpochSecond(object.ctime()) + " by uid "
                    + object.cuid() + ", " + made + ") has the ftok key of key file " + keyFile;
        }
    }

    private Ledger(FileChannel out, long startSecond) {
        this.out = out;
        this.startSecond = startSecond;
    }

    /**
     * Starts watching the run's TMPDIRs for key files of {@code runPrefix} as they come and go (see
     * {@link KeyFileWatch}); without inotify, observe() after each step or execution still records them.
     */
    synchronized void watchKeyFiles(String runPrefix) {
        runLetters = QtKeys.lettersOf(runPrefix);
        watch = KeyFileWatch.start(new KeyFileWatch.Listener() {
            @Override
            public void created(Path file) {
                if (isKeyFileOf(file, runLetters)) {
                    synchronized (Ledger.this) {
                        try {
                            recordKeyFile(file);
                        } catch (IOException e) {
                            // already gone: it made nothing we could not find through its sibling events
                        }
                    }
                }
            }

            /**
             * Forgets the file, and records nothing through it: once it is gone, its inode (so its ftok value) may be
             * another file's, and an object made through that one is another run's or program's (ReaperTest shows
             * it: an object made after the file went, with its ftok value, was recorded and reaped). Seen once: a
             * {@code shmconform run} beside {@code ./mvnw -B verify} failed sysv / docker-host /
             * {@code lock-holder-killed} with {@code B attach k → NotFound} right after {@code A create k → true}, the
             * kernel's answer, as if the other run had reaped the new segment: its reaper unlinks killed holders'
             * semaphore key files, and ext4 gives the freed inode to the next file made. What Qt keeps alive after
             * unlinking its key file is recorded from kernel facts instead ({@link #recordProvenOfLiveWorker}).
             */
            @Override
            public void deleted(Path file) {
                synchronized (Ledger.this) {
                    liveKeyFiles.remove(file);
                }
            }
        }, "shmconform-ledger-" + runPrefix);
    }

    /** Whether a key file is still taken for alive (its deletion not yet seen). */
    synchronized boolean watches(Path keyFile) {
        return liveKeyFiles.containsKey(keyFile);
    }

    /** Adds a TMPDIR to the watch (a no-op where inotify is missing). */
    synchronized void watch(Path tmpDir) {
        if (watch != null) {
            watch.watch(tmpDir);
        }
    }

    /**
     * Qt's legacy key files ({@code qipc_sharedmemory_<letters>...}, {@code qipc_systemsem_<letters>...}), and
     * the key file Qt 6.8's {@code platformSafeKey(key, SystemV)} makes: the key itself, in XDG_RUNTIME_DIR.
     * Every key of the run starts with its letters, and the directories searched are the run's own.
     */
    private static boolean isKeyFileOf(Path file, String letters) {
        String name = file.getFileName().toString();
        return name.startsWith(QtKeys.SHARED_MEMORY_PREFIX + letters) || name.startsWith(QtKeys.SYSTEM_SEMAPHORE_PREFIX + letters)
                || (!letters.isEmpty() && name.startsWith(letters));
    }

    /** A new ledger in {@code runDir} (which must not hold one yet); records the run's start. */
    static Ledger create(Path runDir, long startSecond) {
        try {
            FileChannel ch = FileChannel.open(runDir.resolve(FILE), Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
            Ledger ledger = new Ledger(ch, startSecond);
            ledger.write("start " + startSecond);
            return ledger;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the ledger in " + runDir, e);
        }
    }

    /** One parsed record. */
    public record Entry(String kind, List<String> fields) {
        String field(int i) {
            return fields.get(i);
        }
    }

    /** Reads a ledger without following a link, however long a soak made it; a missing or unreadable ledger reads as empty. */
    public static List<Entry> read(Path runDir) {
        List<Entry> entries = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(runDir.resolve(FILE), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
             java.io.BufferedReader in = new java.io.BufferedReader(java.nio.channels.Channels.newReader(ch, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                Entry e = parse(line);
                if (e != null) {
                    entries.add(e);
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // nothing recorded: nothing can be proven ours
        }
        return entries;
    }

    private static Entry parse(String line) {
        String[] f = line.trim().split(" ");
        return f.length >= 2 ? new Entry(f[0], List.of(f).subList(1, f.length)) : null;
    }

    /**
     * The System V objects this ledger has written, by {@link #systemVId}, as {@link #read} would find them in its file:
     * a live read-only view (no copy per schedule), safe to look up while the key-file watch records more.
     */
    Map<String, Entry> systemVRecords() {
        return java.util.Collections.unmodifiableMap(systemV);
    }

    /** A System V record's kind and id ({@code shm:<id>}, {@code sem:<id>}), or null for any other entry. */
    static String systemVId(Entry e) {
        return (e.kind().equals("shm") || e.kind().equals("sem")) && e.fields().size() >= 4 ? e.kind() + ":" + e.field(0) : null;
    }

    static long startOf(List<Entry> entries) {
        return entries.stream().filter(e -> e.kind().equals("start")).mapToLong(e -> Long.parseLong(e.field(0)))
                .findFirst().orElse(Long.MAX_VALUE); // no start: no System V object can be proven ours
    }

    long startSecond() {
        return startSecond;
    }

    synchronized void write(String line) {
        if (line.contains("\n")) {
            throw new IllegalArgumentException("one record per line: " + line);
        }
        try {
            ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                out.write(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the run's ledger", e);
        }
        Entry e = line.startsWith("shm ") || line.startsWith("sem ") ? parse(line) : null; // not every intent
        String id = e == null ? null : systemVId(e);
        if (id != null) {
            systemV.put(id, e); // the latest record of an id, as the reaper's map of the file keeps it
        }
    }

    /**
     * Before a step that names {@code nativeKey} (the prefixed key the worker will get) is sent: the
     * key files Qt would make for it in each TMPDIR.
     */
    public synchronized void intend(String nativeKey, List<Path> tmpDirs) {
        if (nativeKey == null || nativeKey.isEmpty()) {
            return;
        }
        for (Path tmp : tmpDirs) {
            for (String prefix : List.of(QtKeys.SHARED_MEMORY_PREFIX, QtKeys.SYSTEM_SEMAPHORE_PREFIX)) {
                Path keyFile = QtKeys.systemVKeyFile(tmp, nativeKey, prefix);
                if (intended.add(keyFile)) { // every step names its key: write each intent once
                    write("intent " + keyFile);
                }
            }
            // platformSafeKey(key, SystemV) of Qt 6.8: the key itself, as a file in the worker's XDG_RUNTIME_DIR
            // (one of these directories); a key with a '/' is no file name of ours.
            if (!nativeKey.contains("/")) {
                Path safeKeyFile = tmp.resolve(nativeKey);
                if (intended.add(safeKeyFile)) {
                    write("intent " + safeKeyFile);
                }
            }
        }
    }

    /**
     * After an execution: records every key file of {@code keyPrefix} now in the TMPDIRs (lstat: regular files only,
     * never through a link) with its ftok value. No System V object is recorded through them: a key file's ftok value
     * proves nothing about who made the object that carries it. Another program of the same user (root, beside a CI
     * run) whose own key file shares the low byte of the device and the low 16 bits of the inode makes its segment or
     * set at that key, after our file and during the run, and it was recorded here and reaped
     * (ReaperTest#aForeignSegmentAndSetAtTheKeyOfALiveKeyFileAreLeftAlone). The run's
     * objects are recorded by the workers that made or used them ({@link #recordProvenOfLiveWorker}); the one kind no
     * kernel fact ties to a process is taken at a kill ({@link #observeAtKill}).
     */
    public synchronized void observe(String keyPrefix, List<Path> tmpDirs) {
        recordKeyFilesOf(keyPrefix, tmpDirs);
    }

    /**
     * At a kill, while the worker is stopped: the key files as {@link #observe} records them, and the semaphore sets keyed
     * by one of them that nobody has operated yet (no semop, no SETVAL: last operator 0 and otime 0), made by the file's
     * owner no earlier than the file and the run. A set names no creator, and one made by semget alone (Qt's
     * QSystemSemaphore, killed before its SETVAL) names no operator either, so no worker can prove it; once a peer's
     * re-key unlinks its key file, nothing else would (SemgetOnlyKillTest). This is the one record through a key file,
     * and it is not a proof: another program's set at the same key, made during the file's life and never operated when
     * the kill looks, would be taken too. A Qt application's QSystemSemaphore sets its value right after its semget, so
     * that is a set caught between those two system calls of the other program, or one that program never operates.
     * A set that was operated names its last operator, which {@link SetsOfLiveWorker} proves a worker of the run or not.
     */
    public synchronized void observeAtKill(String keyPrefix, List<Path> tmpDirs) {
        List<KeyFile> present = recordKeyFilesOf(keyPrefix, tmpDirs);
        if (present.isEmpty()) {
            return;
        }
        for (SysVObjects.SemSet s : SysVObjects.semaphoreSets()) {
            SysVObjects.Obj o = s.obj();
            if (o.ctime() >= startSecond && s.otime() == 0 && present.stream().anyMatch(k -> k.made(o))
                    && SysVObjects.lastOperator(s.id()) == 0 && objectsSeen.add(o.kind() + o.id())) {
                write(o.kind() + " " + o.id() + " " + o.key() + " " + o.ctime() + " " + o.cuid());
            }
        }
    }

    /** Records the key files of {@code keyPrefix} now in the TMPDIRs, and returns them. */
    private List<KeyFile> recordKeyFilesOf(String keyPrefix, List<Path> tmpDirs) {
        String letters = QtKeys.lettersOf(keyPrefix);
        List<KeyFile> present = new ArrayList<>();
        for (Path tmp : tmpDirs) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(tmp)) {
                for (Path file : files) {
                    if (isKeyFileOf(file, letters)) {
                        KeyFile k = recordKeyFile(file);
                        if (k != null) {
                            present.add(k);
                        }
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                // a TMPDIR that is gone holds nothing to record
            }
        }
        return present;
    }

    /**
     * Semaphore sets a live worker of the run was proven to operate last ({@link SetsOfLiveWorker}) and segments one was
     * proven to create or attach or detach last ({@link SegmentsOfLiveWorker}), recorded by id like those found through
     * a key file: the way back to an object whose key file Qt unlinked before it was seen.
     */
    synchronized void recordProvenOfLiveWorker(List<SysVObjects.Obj> objects) {
        recordProvenOfLiveWorker(objects, Map.of());
    }

    /**
     * As above, with each segment's creator ({@code cpid} by id) in the reading the proof was taken from: what
     * {@link #foreignAtKeysOf} asks of an object a worker used that is gone by the execution's end (Qt removes a
     * segment at its last detach, another program's as well).
     */
    synchronized void recordProvenOfLiveWorker(List<SysVObjects.Obj> objects, Map<Integer, Integer> segmentCreators) {
        for (SysVObjects.Obj o : objects) {
            if (o.ctime() >= startSecond && objectsSeen.add(o.kind() + o.id())) {
                write(o.kind() + " " + o.id() + " " + o.key() + " " + o.ctime() + " " + o.cuid());
                Integer creator = o.kind().equals("shm") ? segmentCreators.get(o.id()) : null;
                proven.add(new Proven(o, System.nanoTime(), creator == null ? 0 : creator));
            }
        }
    }

    /** An object recorded by a worker's proof: when (nanoTime), and its creator then (a segment's cpid; 0: not known). */
    private record Proven(SysVObjects.Obj object, long nanos, int creator) {
        String id() {
            return object.kind() + ":" + object.id();
        }
    }

    /**
     * Every object recorded by a worker's proof ({@link #recordProvenOfLiveWorker}), each once, in the order recorded,
     * which is the order of their times (recorded under this ledger's lock): an execution's look takes those since its
     * start from the end, never the whole run's. It walked them all, every execution, in a map, a walk that grows with
     * the run: in a 30 s qt fuzz (1,401 schedules) the map's iteration was 18 of the harness's 385 JFR samples.
     */
    private final List<Proven> proven = new ArrayList<>();

    /** @return the key file, or null for anything that is not a regular file (a link is never a key file of ours) */
    private KeyFile recordKeyFile(Path file) throws IOException {
        // One lstat for every attribute, and a file with one name only (QtKeyFile): a worker's user owns its TMPDIR.
        QtKeyFile f = QtKeyFile.lstat(file).orElse(null);
        if (f == null) {
            return null;
        }
        long dev = f.dev();
        long ino = f.ino();
        int key = f.key();
        int uid = f.uid();
        // When the file was made: Qt never writes a key file, so its modification time is its birth
        // (whole seconds, like an IPC object's ctime).
        KeyFile k = new KeyFile(key, uid, f.madeSecond(), kindsKeyedBy(file));
        liveKeyFiles.put(file, k);
        if (keyFilesSeen.add(file + ":" + dev + ":" + ino)) {
            write("keyfile " + file + " " + dev + " " + ino + " " + key + " " + uid);
            unchecked.put(file, k);
        }
        return k;
    }

    /**
     * The key files of an execution ({@code keyPrefix}) seen since the last ask, forgotten now; when {@code look}, the
     * System V objects of the host's IPC namespace of a kind one of them keys, at its ftok value, that the execution cannot
     * have made (see {@link Foreign}), one listing for them all. Each is written to the ledger as {@code foreign <kind>
     * <id> <key> <ctime> <cuid> <file>}, after which no reaper removes it, whatever a worker's use of it recorded. Not
     * the execution's: one made before this run started; one listed before the execution's first step ({@code before}:
     * it already was there when the execution could make nothing yet); a segment whose creator is none of the execution's worker processes ({@code workerPids},
     * host pids; empty when one is unknown, and then this last test is not made). The last two are what another
     * program made during the run: on ext4 a freed inode goes to the next file made anywhere in the flex group of its
     * directory, other users' directories and ours alike, so a key file of ours takes the inode of a key file that a
     * program which unlinks its key files and keeps its objects (Qt 6.8's platform-safe keys, a test's maker) freed a
     * moment ago. Measured: `fuzz -b qt` beside such a program (a key file, ftok, a 64-byte segment, the file unlinked,
     * the segment kept a second) FAILed CREATE-SIZE ("create(200) of a new key returned false (AlreadyExists)") in its
     * first 8 schedules, where only objects older than the run were looked for. Asked before the reaper's pass: a segment
     * a worker attached last is recorded as the run's (SegmentsOfLiveWorker) and would be gone by then.
     *
     * @param look whether the execution's System V objects are keyed by those files in the host's namespace; the others'
     *             key files are only forgotten
     * @param before the System V objects ({@code shm:<id>}, {@code sem:<id>}) listed before the execution's first step
     * @param workerPids the host pids of every process of the execution's workers, or empty if one is not known
     * @param sinceNanos the execution's start ({@link System#nanoTime}): the objects its workers were proven to use since
     *                   are looked at too, gone or not
     * @param quietSecond whether no worker of the execution could make or set a semaphore set in a whole second (epoch
     *                    seconds, {@link QuietSeconds}): a set changed last in one is not the execution's
     * @return each object met, described: a reason the execution's history may be another program's doing
     */
    synchronized List<String> foreignAtKeysOf(String keyPrefix, boolean look, Set<String> before, Set<Long> workerPids,
                                              long sinceNanos, java.util.function.LongPredicate quietSecond) {
        String letters = QtKeys.lettersOf(keyPrefix);
        List<Map.Entry<Path, KeyFile>> mine = new ArrayList<>();
        for (java.util.Iterator<Map.Entry<Path, KeyFile>> it = unchecked.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Path, KeyFile> e = it.next();
            if (isKeyFileOf(e.getKey(), letters)) {
                mine.add(e);
                it.remove();
            }
        }
        if (!look || mine.isEmpty()) {
            return new ArrayList<>();
        }
        return foreignAt(mine, before, workerPids, sinceNanos, quietSecond);
    }

    /**
     * At a step whose answer another program's object may have given (a create's AlreadyExists), while the object is
     * there: the execution's key files now in {@code tmpDirs} and those seen so far, looked at as {@link #foreignAtKeysOf}
     * looks at them, and kept for its look at the end. An object made and removed by another program while the execution
     * ran, between its first step and its end, is seen by no other look (`fuzz -b qt` beside a program that keeps its
     * segments a tenth of a second still FAILed CREATE-SIZE once in 3 schedules, undetected).
     */
    synchronized List<String> foreignAtKeysNow(String keyPrefix, List<Path> tmpDirs, Set<String> before, Set<Long> workerPids,
                                               java.util.function.LongPredicate quietSecond) {
        recordKeyFilesOf(keyPrefix, tmpDirs);
        String letters = QtKeys.lettersOf(keyPrefix);
        List<Map.Entry<Path, KeyFile>> mine = new ArrayList<>();
        for (Map.Entry<Path, KeyFile> e : unchecked.entrySet()) {
            if (isKeyFileOf(e.getKey(), letters)) {
                mine.add(Map.entry(e.getKey(), e.getValue()));
            }
        }
        return mine.isEmpty() ? new ArrayList<>() : foreignAt(mine, before, workerPids, Long.MAX_VALUE, quietSecond);
    }

    /** As above, with no second known quiet. */
    synchronized List<String> foreignAtKeysNow(String keyPrefix, List<Path> tmpDirs, Set<String> before, Set<Long> workerPids) {
        return foreignAtKeysNow(keyPrefix, tmpDirs, before, workerPids, second -> false);
    }

    /**
     * The objects at the keys of {@code mine} that the execution cannot have made. A semaphore set names no creator, so
     * two more kernel facts prove one another program's, besides its age and the listing before the first step:
     * <ul>
     * <li>its last operator ({@code semctl GETPID}: the last semop, SETVAL or exit's undo) is a process that is none of
     * the execution's workers. Qt's QSystemSemaphore sets the value of a set it makes right after its semget, so
     * another program's set names that program until a worker operates it;</li>
     * <li>its change time ({@code sem_ctime}: set by the semget that made it and by every SETVAL, SETALL and IPC_SET,
     * never by a semop or an undo; checked on this kernel, 6.18) is a second in which no process of the execution's
     * workers could make or set a set ({@link QuietSeconds}): what survives a worker's later semop on it, the use that
     * makes {@link SetsOfLiveWorker} prove it the run's. A set made by a worker of the execution was made inside one of
     * its ops, and the SETVAL that follows Qt's semget is in that op too.</li>
     * </ul>
     * A worker's SETVAL on another program's set (QSharedMemory::create's key in Create mode sets the value of the set it
     * opens) moves its change time into that op and names the worker: that set is found by neither.
     */
    private List<String> foreignAt(List<Map.Entry<Path, KeyFile>> mine, Set<String> before, Set<Long> workerPids, long sinceNanos,
                                   java.util.function.LongPredicate quietSecond) {
        List<String> found = new ArrayList<>();
        Map<String, Integer> creators = new HashMap<>();
        List<SysVObjects.Obj> objects = new ArrayList<>();
        for (SysVObjects.Segment s : SysVObjects.segments()) {
            objects.add(s.obj());
            creators.put("shm:" + s.id(), s.cpid());
        }
        for (SysVObjects.SemSet s : SysVObjects.semaphoreSets()) {
            objects.add(s.obj());
        }
        // What a worker of the execution used and is gone now: a segment another program made, met by a create
        // (AlreadyExists), then attached and detached by a worker, which removed it as Qt's last detach does.
        Set<String> listed = new HashSet<>();
        objects.forEach(o -> listed.add(o.kind() + ":" + o.id()));
        for (int i = proven.size() - 1; i >= 0 && proven.get(i).nanos() >= sinceNanos; i--) {
            Proven p = proven.get(i);
            if (!listed.contains(p.id())) {
                objects.add(p.object());
                creators.put(p.id(), p.creator());
            }
        }
        for (SysVObjects.Obj o : objects) {
            String id = o.kind() + ":" + o.id();
            if (mine.stream().noneMatch(e -> o.key() == e.getValue().key() && e.getValue().kinds().contains(o.kind()))) {
                continue;
            }
            Integer creator = creators.get(id);
            // A set's last operator, asked only of a set listed now at one of these keys (a set gone since a worker's
            // proof was last operated by that worker).
            int lastOperator = o.kind().equals("sem") && listed.contains(id) ? SysVObjects.lastOperator(o.id()) : -1;
            String why = o.ctime() < startSecond ? "before this run started"
                    : before.contains(id) ? "before this execution's first step"
                    : creator != null && creator > 0 && !workerPids.isEmpty() && !workerPids.contains(creator.longValue())
                    ? "by process " + creator + ", none of this execution's workers"
                    : lastOperator > 0 && !workerPids.isEmpty() && !workerPids.contains((long) lastOperator)
                    ? "last operated by process " + lastOperator + ", none of this execution's workers"
                    : o.kind().equals("sem") && quietSecond.test(o.ctime())
                    ? "changed last in a second in which no worker of this execution could make or set a set" : null;
            if (why == null) {
                continue;
            }
            for (Map.Entry<Path, KeyFile> e : mine) {
                KeyFile k = e.getValue();
                if (o.key() == k.key() && k.kinds().contains(o.kind())) {
                    write("foreign " + o.kind() + " " + o.id() + " " + o.key() + " " + o.ctime() + " " + o.cuid() + " " + e.getKey());
                    // A worker that attached it last recorded it as the run's (SegmentsOfLiveWorker); it is not: never reaped.
                    systemV.remove(id);
                    found.add(new Foreign(e.getKey(), o, why).describe());
                }
            }
        }
        return found;
    }

    /** As above, for an execution that listed nothing before its first step and whose worker pids are not known. */
    synchronized List<String> foreignAtKeysOf(String keyPrefix, boolean look) {
        return foreignAtKeysOf(keyPrefix, look, Set.of(), Set.of(), Long.MAX_VALUE, second -> false);
    }

    /** As above, with no second known quiet. */
    synchronized List<String> foreignAtKeysOf(String keyPrefix, boolean look, Set<String> before, Set<Long> workerPids,
                                              long sinceNanos) {
        return foreignAtKeysOf(keyPrefix, look, before, workerPids, sinceNanos, second -> false);
    }

    /** The System V objects of this IPC namespace now, as {@code shm:<id>} and {@code sem:<id>}. */
    static Set<String> systemVIdsNow() {
        Set<String> ids = new HashSet<>();
        for (SysVObjects.Obj o : SysVObjects.list()) {
            ids.add(o.kind() + ":" + o.id());
        }
        return ids;
    }

    /** glibc's ftok, from lstat's results (ftok itself stats through links). */
    synchronized void close() {
        if (watch != null) {
            watch.close();
        }
        try {
            out.close();
        } catch (IOException e) {
            // nothing more to write
        }
    }
}
