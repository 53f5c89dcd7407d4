package org.shmconform.scenarios;

import static org.shmconform.schedule.Steps.attach;
import static org.shmconform.schedule.Steps.attachFd;
import static org.shmconform.schedule.Steps.attachReadOnly;
import static org.shmconform.schedule.Steps.create;
import static org.shmconform.schedule.Steps.createTemp;
import static org.shmconform.schedule.Steps.tempFiles;
import static org.shmconform.schedule.Steps.detach;
import static org.shmconform.schedule.Steps.kill;
import static org.shmconform.schedule.Steps.lock;
import static org.shmconform.schedule.Steps.placeIn;
import static org.shmconform.schedule.Steps.placement;
import static org.shmconform.schedule.Steps.rawWrite;
import static org.shmconform.schedule.Steps.read;
import static org.shmconform.schedule.Steps.serveFd;
import static org.shmconform.schedule.Steps.size;
import static org.shmconform.schedule.Steps.spawnChild;
import static org.shmconform.schedule.Steps.truncate;
import static org.shmconform.schedule.Steps.unlock;
import static org.shmconform.schedule.Steps.write;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.shmconform.spi.Availability;
import org.shmconform.backends.Backends;
import org.shmconform.engine.PlacementDirectories;
import org.shmconform.engine.Qt68Columns;
import org.shmconform.engine.QtReferenceWorker;
import org.shmconform.engine.Subject;
import org.shmconform.engine.Subjects;
import org.shmconform.engine.state.PrivateDirectory;
import org.shmconform.engine.state.StateDirectory;
import org.shmconform.spi.BackendSemantics;
import org.shmconform.spi.NativeName;
import org.shmconform.model.Property;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.WorkerSpec;

/**
 * The named conformance suite. Each scenario reads as the sentence it checks; the steps are the
 * multi-process story that puts the sentence to the test on the column's implementation.
 */
public final class NamedSuite {
    /** Rounds of the producer/consumer exchange Qt's own suite skips as unstable (QTBUG-25655). */
    public static final int PRODUCER_CONSUMER_ROUNDS = 100;

    private NamedSuite() {
    }

    public static List<Scenario> all() {
        return List.of(
                scenario("data-shared", "Data written by one process is read by another", List.of(Property.DATA_SHARED),
                        c -> of("data-shared", c, "A", "B",
                                create("A", "k", 64), write("A", 0, "hello-from-A"), attach("B", "k"), read("B", 0, 12),
                                write("B", 16, "reply-from-B"), read("A", 16, 12), detach("B"), detach("A"))).placed(Scenario.Placement.EVERY_ENVIRONMENT),
                scenario("attach-missing", "Attach to a key nobody created gives NotFound", List.of(Property.ATTACH_EXISTING),
                        c -> of("attach-missing", c, "A", attach("A", "nobody-made-this"), size("A"))),
                scenario("create-existing-fallback", "create() on an existing key gives AlreadyExists, and attach() is the fallback",
                        List.of(Property.CREATE_EXISTS_FALLBACK),
                        c -> of("create-existing-fallback", c, "A", "B",
                                create("A", "k", 64), write("A", 0, "first"), create("B", "k", 64), attach("B", "k"),
                                read("B", 0, 5), detach("B"), detach("A"))),
                scenario("last-detach-creator-last", "The last detach destroys the segment (creator detaches last)",
                        List.of(Property.LAST_DETACH_DESTROYS),
                        c -> of("last-detach-creator-last", c, "A", "B", "C",
                                create("A", "k", 64), attach("B", "k"), detach("B"), attach("C", "k"), detach("C"),
                                detach("A"), attach("C", "k"))),
                scenario("last-detach-attacher-last", "The last detach destroys the segment (attacher detaches last)",
                        List.of(Property.LAST_DETACH_DESTROYS),
                        c -> of("last-detach-attacher-last", c, "A", "B", "C",
                                create("A", "k", 64), write("A", 0, "kept"), attach("B", "k"), detach("A"), read("B", 0, 4),
                                detach("B"), attach("C", "k"))),
                scenario("crash-survives", "A segment survives the crash of its last holder; create then fails, attach reads the old data",
                        List.of(Property.CRASH_SURVIVES, Property.CREATE_EXISTS_FALLBACK),
                        c -> of("crash-survives", c, "A", "B", "C",
                                create("A", "k", 64), write("A", 0, "survivor"), kill("A"), create("B", "k", 64),
                                attach("B", "k"), read("B", 0, 8), detach("B"), attach("C", "k"))).placed(Scenario.Placement.EVERY_ENVIRONMENT),
                scenario("lock-excludes", "lock() excludes across processes: the second locker blocks until unlock()",
                        List.of(Property.LOCK_EXCLUSIVE),
                        c -> of("lock-excludes", c, "A", "B",
                                create("A", "k", 64), attach("B", "k"), lock("A"), lock("B").async(), write("A", 0, "under-lock"),
                                unlock("A"), read("B", 0, 10), unlock("B"), detach("B"), detach("A"))),
                // Seed N1, "one thread or process can lock the memory for exclusive access", inside one process: A2 is a
                // second segment object in A's process (WorkerSpec.objectOf). Qt's lockedByMe is per object, so A2's
                // lock() waits for A's as another process's would; a worker process does one op at a time, so nothing
                // can then unlock A (ScheduleValidation refuses a step to a busy process): the kill of A, which ends
                // both objects, is the only way out. The engine must see A2 asleep in the kernel's lock wait.
                scenario("second-object-lock-waits", "A second object in the process that holds the lock: its lock() waits"
                        + " (N1: one thread or process locks for exclusive access), a self-deadlock only the process's kill ends",
                        List.of(Property.LOCK_EXCLUSIVE), NamedSuite::secondObjectLockWaits),
                scenario("lock-holder-killed", "What a lock does when its holder is killed (the documentation is silent)",
                        List.of(Property.LOCK_HOLDER_DEATH),
                        c -> of("lock-holder-killed", c, "A", "B",
                                create("A", "k", 64), attach("B", "k"), lock("A"), kill("A"), lock("B").async())).placed(Scenario.Placement.EVERY_ENVIRONMENT),
                scenario("lock-holder-death-recreate", "A lock whose holder died: a flag in the segment stays taken (the next"
                        + " locker sleeps in the kernel), a robust mutex goes to the next locker with ownerDied, a kernel lock is"
                        + " released; once every holder is gone and the last detach destroyed the segment, a new one brings a free lock",
                        List.of(Property.LOCK_HOLDER_DEATH, Property.LOCK_EXCLUSIVE),
                        c -> of("lock-holder-death-recreate", c, "A", "B", "C",
                                create("A", "k", 64), attach("B", "k"), attach("C", "k"), lock("A"), write("A", 0, "half-done"),
                                kill("A"), lock("B").async(), kill("B"), read("C", 0, 9), detach("C"), create("C", "k", 64),
                                lock("C").async())).onlyFor(NamedSuite::lastDetachCanPassADeadHoldersLock),
                scenario("lock-survives-failed-create", "A failed create() by another process leaves a held lock held",
                        List.of(Property.LOCK_EXCLUSIVE),
                        c -> of("lock-survives-failed-create", c, "A", "B", "C",
                                create("A", "k", 64), attach("C", "k"), lock("A"), create("B", "k", 64).async(), lock("C").async(),
                                write("A", 0, "A-holds"), unlock("A"), read("C", 0, 7), unlock("C"), detach("C"), detach("A"))),
                scenario("backends-separate", "System V and POSIX do not interoperate, even with the same key",
                        List.of(Property.BACKENDS_SEPARATE),
                        NamedSuite::backendsSeparate, c -> partnerMissing(partnerOf(c))),
                scenario("key-length", "Key lengths: up to " + 100 + " characters work; longer ones may be refused; over 30 is not portable",
                        List.of(Property.KEY_LENGTH_30, Property.API_CONTRACT), NamedSuite::keyLengths),
                scenario("read-only", "A read-only attach cannot write: the checked write is refused, a raw store crashes the writer",
                        List.of(Property.READ_ONLY),
                        c -> of("read-only", c, "A", "B",
                                create("A", "k", 64), write("A", 0, "original"), attachReadOnly("B", "k"), read("B", 0, 8),
                                write("B", 0, "changed!"), rawWrite("B", 0, "changed!"), read("A", 0, 8), detach("A"))),
                scenario("create-size", "create(0) gives InvalidSize; size() is exactly what create() asked for",
                        List.of(Property.CREATE_SIZE),
                        c -> of("create-size", c, "A", "B",
                                create("A", "k", 0), create("A", "k", -5), create("A", "k", 4097), size("A"), attach("B", "k"),
                                size("B"), read("B", 4096, 1), detach("B"), detach("A"))),
                scenario("producer-consumer", "A producer and a consumer exchange " + PRODUCER_CONSUMER_ROUNDS
                        + " items under lock (the test Qt's own suite skips as unstable)", List.of(Property.LOCK_EXCLUSIVE, Property.DATA_SHARED),
                        NamedSuite::producerConsumer),
                scenario("truncate-under-reader", "Shrinking a file-backed segment under a reader kills the reader with SIGBUS; a sealed memfd refuses",
                        List.of(Property.TRUNCATION_CRASHES, Property.MEMFD_SEALED),
                        c -> of("truncate-under-reader", c, "A", "B",
                                create("A", "k", 16384), write("A", 8192, "far-page"), attach("B", "k"), truncate("A", 4096),
                                read("B", 8192, 8), detach("A"))),
                scenario("other-user", "Objects are not accessible to another user (a worker running as nobody)",
                        List.of(Property.NOT_WORLD_ACCESSIBLE), NamedSuite::otherUser, c -> nobodyMissing()),
                scenario("sealed-memfd-lower-privileged-peer", "A sealed memfd handed over (SCM_RIGHTS) to a worker running as"
                        + " nobody: it can read and write it, and can neither shrink nor grow it (L5, L6)",
                        List.of(Property.MEMFD_SEALED, Property.DATA_SHARED, Property.NOT_WORLD_ACCESSIBLE),
                        NamedSuite::lowerPrivilegedPeer, NamedSuite::handOverMissing),
                scenario("memfd-inherited-by-child", "A memfd inherited by a child process the holder starts (L5: \"let a"
                        + " child process inherit it\"): the child reads and writes it, cannot shrink it, and keeps it after its"
                        + " parent is killed; its detach is the last", List.of(Property.DATA_SHARED, Property.MEMFD_SEALED),
                        NamedSuite::inheritedByChild, NamedSuite::inheritanceMissing),
                scenario("shm-size-exhausted", "A segment larger than the environment's /dev/shm: create fails with OutOfResources"
                        + " (or succeeds where the object does not live on /dev/shm), never a hang",
                        List.of(Property.OUT_OF_RESOURCES, Property.DATA_SHARED),
                        c -> of("shm-size-exhausted", c, "A", create("A", "k", 96L << 20), write("A", 90L << 20, "last-page"),
                                read("A", 90L << 20, 9), detach("A")), c -> null)
                        .placed(Scenario.Placement.EVERY_ENVIRONMENT),
                // Seeds M6, L1, L2, L4: where each backend's named objects live, and what that filesystem is.
                scenario("placement-dev-shm", "Where each backend puts its named objects, with each directory's filesystem type;"
                        + " /dev/shm must be a tmpfs (L2)", List.of(Property.DEV_SHM_TMPFS, Property.PLACEMENT, Property.DATA_SHARED),
                        c -> of("placement-dev-shm", c, "A", "B",
                                placement("A", PlacementDirectories.DEV_SHM), create("A", "k", 4096), write("A", 0, "placed"),
                                placement("A"), attach("B", "k"), read("B", 0, 6), detach("B"), detach("A")),
                        NamedSuite::placementNotReported).placed(Scenario.Placement.EVERY_ENVIRONMENT),
                scenario("placement-tmp", "What /tmp is here: often a tmpfs, but it need not be (L1, recorded)",
                        List.of(Property.TMP_NEED_NOT_BE_TMPFS), c -> of("placement-tmp", c, "A", placement("A", PlacementDirectories.TMP)),
                        NamedSuite::placementNotReported),
                placedFiles("placement-xdg-runtime", "A file-backed segment in the XDG runtime directory, a user-specific tmpfs"
                        + " under systemd (L4)", PlacementDirectories.XDG_RUNTIME, Property.XDG_RUNTIME_TMPFS),
                placedFiles("placement-disk-backed", "A file-backed segment on a disk-backed directory works, and the report says"
                        + " it is written back to storage (M6)", PlacementDirectories.DISK, Property.PLACEMENT),
                // Seed M3: QTemporaryFile as a segment's file: unique names, removed by its creator's detach, and
                // what a SIGKILLed creator leaves (the reaper removes it after the schedule).
                scenario("temp-file-cleanup", "Temporary-file segments (QTemporaryFile): two creators of one template get"
                        + " distinct files, the creator's detach removes its file, a killed creator's file is left behind",
                        List.of(Property.TEMP_FILE_CLEANUP, Property.DATA_SHARED),
                        c -> of("temp-file-cleanup", c, "A", "B", "C",
                                createTemp("A", "k", 4096), createTemp("B", "k", 4096), write("A", 0, "from-A"), write("B", 0, "from-B"),
                                read("A", 0, 6), tempFiles("C", "k"), attach("C", "k"), detach("A"), tempFiles("C", "k"),
                                kill("B"), tempFiles("C", "k")),
                        NamedSuite::temporaryFilesMissing),
                crossEnvironment("local", "ipcns"),
                crossEnvironment("ipcns", "ipcns+shm"),
                crossEnvironment("local", "docker-host"),
                crossEnvironment("docker-private", "docker-host"),
                crossEnvironment("docker-private", "local"),
                crossEnvironment("docker-shareable", "docker-shareable"),
                interop("interop-java-creates-qt-attaches", "A Java sysv worker creates, Qt attaches and reads; the last detach"
                        + " (Java's) removes the segment", List.of(Property.DATA_SHARED, Property.LAST_DETACH_DESTROYS), "sysv", "qt",
                        (a, b) -> List.of(create("A", "k", 64), write("A", 0, "from-java"), attach("B", "k"), read("B", 0, 9),
                                write("B", 16, "from-qt"), read("A", 16, 7), detach("B"), detach("A"), attach("B", "k"))),
                interop("interop-qt-creates-java-attaches", "Qt creates, a Java sysv worker attaches and reads; the last detach"
                        + " (Qt's) removes the segment", List.of(Property.DATA_SHARED, Property.LAST_DETACH_DESTROYS), "qt", "sysv",
                        (a, b) -> List.of(create("A", "k", 64), write("A", 0, "from-qt"), attach("B", "k"), read("B", 0, 7),
                                detach("B"), detach("A"), attach("B", "k"))),
                interop("interop-lock", "Qt's lock and the Java sysv lock are one lock: each blocks the other",
                        List.of(Property.LOCK_EXCLUSIVE), "qt", "sysv",
                        (a, b) -> List.of(create("A", "k", 64), attach("B", "k"), lock("A"), lock("B").async(), write("A", 0, "qt-held"),
                                unlock("A"), read("B", 0, 7), lock("A").async(), unlock("B"), read("A", 0, 7), unlock("A"), detach("B"),
                                detach("A"))),
                interop("interop-qt-creator-crashes", "A crashed Qt creator's segment is reattached by Java, whose detach removes it",
                        List.of(Property.CRASH_SURVIVES), "qt", "sysv",
                        (a, b) -> List.of(create("A", "k", 64), write("A", 0, "qt-was-here"), kill("A"), create("B", "k", 64),
                                attach("B", "k"), read("B", 0, 11), detach("B"), attach("B", "k"))),
                interop("interop-java-creator-crashes", "A crashed Java creator's segment is reattached by Qt, whose detach removes it",
                        List.of(Property.CRASH_SURVIVES), "sysv", "qt",
                        (a, b) -> List.of(create("A", "k", 64), write("A", 0, "java-was-here"), kill("A"), create("B", "k", 64),
                                attach("B", "k"), read("B", 0, 13), detach("B"), attach("B", "k"))),
                new Scenario("interop-different-tmpdir", "Java and Qt with different TMPDIRs never meet on a key (the key file is"
                        + " the identity)", List.of(Property.KEY_FILE_IN_TMPDIR), c -> new Schedule("interop-different-tmpdir", null,
                        List.of(WorkerSpec.local("A", "sysv"), WorkerSpec.local("B", "qt").withTmpdir("other")), List.of(
                                create("A", "k", 64), attach("B", "k"), create("B", "k", 64), detach("B"), detach("A"))),
                        c -> partnerMissing("sysv"), Scenario.Placement.LOCAL, QtReferenceWorker.IMPL::equals),
                // Qt 6.8 (issue 11): does an application built against 6.8 meet the Java backends and one built
                // against 6.4 on the same legacy key, both ways, and does the lock exclude across them?
                interop68("interop68-java-posix-creates", "A Java posix worker creates, Qt 6.8 (POSIX, legacy name) attaches:"
                        + " data both ways, and one lock", Qt68Columns.POSIX, "posix", Qt68Columns.POSIX),
                interop68("interop68-qt68-posix-creates", "Qt 6.8 (POSIX, legacy name) creates, a Java posix worker attaches:"
                        + " data both ways, and one lock", Qt68Columns.POSIX, Qt68Columns.POSIX, "posix"),
                interop68("interop68-java-sysv-creates", "A Java sysv worker creates, Qt 6.8 (System V, legacy key) attaches:"
                        + " data both ways, and one lock", Qt68Columns.SYSV, "sysv", Qt68Columns.SYSV),
                interop68("interop68-qt68-sysv-creates", "Qt 6.8 (System V, legacy key) creates, a Java sysv worker attaches:"
                        + " data both ways, and one lock", Qt68Columns.SYSV, Qt68Columns.SYSV, "sysv"),
                interop68("upgrade-qt64-creates-qt68-attaches", "The upgrade question: an application built against Qt 6.4 creates,"
                        + " one built against Qt 6.8 attaches on the same legacy key: data both ways, and the lock excludes across them",
                        Qt68Columns.SYSV, QtReferenceWorker.IMPL, Qt68Columns.SYSV),
                interop68("upgrade-qt68-creates-qt64-attaches", "The upgrade question, the other way: Qt 6.8 creates, Qt 6.4 attaches on"
                        + " the same legacy key: data both ways, and the lock excludes across them",
                        Qt68Columns.SYSV, Qt68Columns.SYSV, QtReferenceWorker.IMPL),
                // The platform notes' native keys: "when using native keys, shared memory is not protected against
                // multiple accesses (for example, unable to lock)". A Qt 6.8 application creates with platformSafeKey; another
                // meets it only through the native key ("/<key>", setNativeKey); whether the lock excludes is what happens.
                interop68("native-key-meets-platform-safe-key", "An application creates with platformSafeKey (POSIX); another meets it"
                        + " through setNativeKey(\"/<key>\"): data both ways, and whether native keys can lock",
                        Qt68Columns.POSIX_NATIVE, Qt68Columns.POSIX_SAFE, Qt68Columns.POSIX_NATIVE),
                // ---- Seeds N16-N18 (issue 12), the platform notes' warning on native keys: one block ----
                new Scenario("non-qt-meets-native-key", "A Qt 6.8 application creates with setNativeKey set to the name a non-Qt"
                        + " program uses (a Java backend, same low-level API), which attaches by its own key: data both ways; both lock",
                        List.of(Property.NATIVE_KEY_INTEROP, Property.NATIVE_KEY_UNPROTECTED, Property.DATA_SHARED, Property.KEY_CHANGED_BY_QT),
                        NamedSuite::nonQtMeetsNativeKey, c -> firstMissing(c, NON_QT_PARTNER.get(c).backend()), Scenario.Placement.LOCAL,
                        NON_QT_PARTNER::containsKey),
                new Scenario("key-changed-by-qt", "The kernel name each column makes of a plain key: changed in a Qt-specific way"
                        + " (the native-key column is told otherwise)", List.of(Property.KEY_CHANGED_BY_QT),
                        c -> of("key-changed-by-qt", c, "A", create("A", "k", 64), Step.of("A", "nativeKey"), detach("A")),
                        c -> null, Scenario.Placement.LOCAL, c -> !NON_QT_PARTNER.containsKey(c)),
                // ---- Seed M2 (issue 12): the memory-mapped file as the way to share with non-Qt programs ----
                new Scenario("qt-file-map-meets-mmapfile", "A Qt application maps a file with QFile::map (no MapPrivateOption);"
                        + " a non-Qt program (the Java mmapfile backend) maps the same file MAP_SHARED: data both ways,"
                        + " whatever backend QSharedMemory was built with", List.of(Property.DATA_SHARED),
                        NamedSuite::qtFileMapMeetsMmapfile, c -> partnerMissing(QtReferenceWorker.FILE_MAP_IMPL), Scenario.Placement.LOCAL,
                        FILE_MAP_COLUMN::equals));
    }

    /**
     * A creates, A2 (a second object in A's process) attaches, A locks and writes, A2's lock is issued without waiting
     * for its reply and must be seen blocked (not refused, not granted), then A is killed: both objects die, A2's lock
     * never granted.
     */
    private static Schedule secondObjectLockWaits(String column) {
        WorkerSpec a = WorkerSpec.local("A", column);
        return new Schedule("second-object-lock-waits", null, List.of(a, WorkerSpec.objectOf(a, "A2")), List.of(
                create("A", "k", 64), attach("A2", "k"), lock("A"), write("A", 0, "A-holds"), read("A2", 0, 7),
                lock("A2").async(), kill("A")));
    }

    /** The column whose files the Qt file-map worker meets: the Java backend of the platform notes' mapped file. */
    static final String FILE_MAP_COLUMN = "mmapfile";

    /**
     * Seed M2: the Qt file-map worker (A, {@link QtReferenceWorker#FILE_MAP_IMPL}) creates the very file the Java
     * mmapfile worker (B) uses for its key, by native name: QFile::open(NewOnly), resize, QFile::map. B attaches by
     * its own key and maps it MAP_SHARED; bytes each way, and B sees the size Qt gave the file. Qt detaches first (unmap
     * and close: the file stays, QFile has no last-detach rule), then B, whose last detach unlinks the file (Qt holds
     * none of the mmapfile backend's OFD locks, so B's detach is the last as that backend counts); Qt's attach after it
     * finds no file. No QSharedMemory is involved on either side: which IPC backend Qt was built with cannot matter.
     */
    private static Schedule qtFileMapMeetsMmapfile(String column) {
        String sameFile = NativeName.of(column, "k");
        // The column's worker first: a replay of the saved schedule is judged by its first worker's declaration.
        return new Schedule("qt-file-map-meets-mmapfile", null, List.of(WorkerSpec.local("B", column),
                WorkerSpec.local("A", QtReferenceWorker.FILE_MAP_IMPL)), List.of(create("A", sameFile, 64), write("A", 0, "from-qt"),
                        attach("B", "k"), size("B"), read("B", 0, 7), write("B", 16, "from-non-qt"), read("A", 16, 11),
                        detach("A"), read("B", 16, 11), detach("B"), attach("A", sameFile)));
    }

    /**
     * The Qt 6.8 columns that take native keys, each with the non-Qt program (a Java backend of the same
     * low-level API) whose names it can be given ({@link NativeName}: the key space is that backend's naming).
     */
    static final java.util.Map<String, NonQtPartner> NON_QT_PARTNER = java.util.Map.of(
            Qt68Columns.POSIX_NATIVE, new NonQtPartner("posix", "qt-posix"),
            Qt68Columns.SYSV_NATIVE, new NonQtPartner("sysv", "qt-sysv"));

    /** A non-Qt program: a Java backend, and the key space (naming scheme) it declares, whose names a Qt column is given. */
    record NonQtPartner(String backend, String keySpace) {
    }

    /**
     * Seeds N17/N18 as the platform notes tell it: Qt creates with setNativeKey(the non-Qt program's name), the
     * non-Qt program attaches by its own key; bytes each way; then Qt locks and the non-Qt program locks too and
     * writes while Qt holds its lock (the model says whether it may: the documentation says a native key cannot
     * lock, Qt 6.8 gives it a semaphore of its own name, the non-Qt program has its own). nativeKey() of both
     * is the evidence of one kernel name (N16: told otherwise, Qt keeps the name). No step after the last detach.
     */
    private static Schedule nonQtMeetsNativeKey(String column) {
        NonQtPartner partner = NON_QT_PARTNER.get(column);
        return new Schedule("non-qt-meets-native-key", null, List.of(WorkerSpec.local("A", column),
                WorkerSpec.local("B", partner.backend())), List.of(create("A", NativeName.of(partner.keySpace(), "k"), 64), Step.of("A", "nativeKey"), write("A", 0, "from-qt"),
                        attach("B", "k"), Step.of("B", "nativeKey"), read("B", 0, 7), write("B", 16, "from-non-qt"), read("A", 16, 11),
                        lock("A"), lock("B"), write("B", 0, "B-also"), read("A", 0, 6), unlock("B"), unlock("A"),
                        detach("B"), detach("A")));
    }

    /**
     * Two implementations on one key, shown in a Qt 6.8 column: A creates, B attaches; bytes each way; then
     * A locks, B's lock is issued and must wait until A unlocks, and the same the other way round. No step
     * after the last detach: which side's detach removes the object is each column's own declaration.
     */
    private static Scenario interop68(String id, String title, String column, String implA, String implB) {
        return new Scenario(id, title, List.of(Property.DATA_SHARED, Property.LOCK_EXCLUSIVE),
                c -> new Schedule(id, null, List.of(WorkerSpec.local("A", implA), WorkerSpec.local("B", implB)), List.of(
                        create("A", "k", 64), write("A", 0, "from-A"), attach("B", "k"), read("B", 0, 6), write("B", 16, "from-B"),
                        read("A", 16, 6), lock("A"), lock("B").async(), write("A", 0, "A-held"), unlock("A"), read("B", 0, 6),
                        lock("A").async(), write("B", 0, "B-held"), unlock("B"), read("A", 0, 6), unlock("A"), detach("B"), detach("A"))),
                c -> firstMissing(implA, implB), Scenario.Placement.LOCAL, column::equals);
    }

    /**
     * The first of {@code impls} missing here, or null; one whose probe did not finish is not missing: it is a worker of
     * the schedule, whose availability the runner then finds UNDECIDED (its cells UNKNOWN, never NOT_AVAILABLE).
     */
    private static String firstMissing(String... impls) {
        for (String impl : impls) {
            Availability a = Subjects.here().availability(impl);
            if (!a.available() && !a.undecided()) {
                return impl + ": " + a.reason();
            }
        }
        return null;
    }

    /**
     * A creator in one environment, a reader in another: whether the reader reaches the segment is
     * derived by the model from the two workers' namespace identities, never written per cell. Two
     * workers in docker-shareable share one group: separate containers, the second joined with
     * --ipc=container:&lt;holder&gt;.
     */
    private static Scenario crossEnvironment(String from, String to) {
        String id = "visible-" + from + "-to-" + to;
        boolean sameGroup = from.equals(to);
        return new Scenario(id, "A segment created in " + from + " is or is not reached from " + to + ", as the namespaces decide",
                List.of(Property.NAMESPACE_VISIBILITY, Property.ATTACH_EXISTING),
                c -> new Schedule(id, null, List.of(new WorkerSpec("A", c, from, "g1", null),
                        new WorkerSpec("B", c, to, sameGroup ? "g1" : "g2", null)), List.of(
                        create("A", "k", 64), write("A", 0, "from-" + from), attach("B", "k"), read("B", 0, 5), detach("B"),
                        detach("A"))),
                c -> null, Scenario.Placement.FIXED, c -> true);
    }

    /** A Java sysv worker and a Qt worker on one key: shown in the qt column. */
    private static Scenario interop(String id, String title, List<Property> properties, String implA, String implB,
                                    java.util.function.BiFunction<String, String, List<Step>> steps) {
        return new Scenario(id, title, properties,
                c -> new Schedule(id, null, List.of(WorkerSpec.local("A", implA), WorkerSpec.local("B", implB)), steps.apply(implA, implB)),
                c -> partnerMissing("sysv"), Scenario.Placement.LOCAL, QtReferenceWorker.IMPL::equals);
    }

    public static Optional<Scenario> named(String id) {
        return all().stream().filter(s -> s.id().equals(id)).findFirst();
    }

    private static Schedule backendsSeparate(String column) {
        String partner = partnerOf(column);
        List<WorkerSpec> workers = List.of(WorkerSpec.local("A", column), WorkerSpec.local("B", partner));
        return new Schedule("backends-separate", null, workers, List.of(
                create("A", "k", 64), attach("B", "k"), create("B", "k", 64), write("B", 0, "other"), read("A", 0, 5),
                detach("B"), detach("A")));
    }

    /** System V's key space (the sysv backend, Qt's System V build) is compared with POSIX; every other with System V. */
    static String partnerOf(String column) {
        return keySpace(column).equals(keySpace("sysv")) ? "posix" : "sysv";
    }

    private static String keySpace(String column) {
        return Subjects.here().named(column).map(Subject::declared).map(BackendSemantics::keySpace).orElse("");
    }

    /** As {@link #firstMissing}: a partner whose probe did not finish is left to the runner (UNDECIDED). */
    private static String partnerMissing(String partner) {
        Availability a = Subjects.here().availability(partner);
        return a.available() || a.undecided() ? null : "partner backend " + partner + ": " + a.reason();
    }

    /** Real key length = run prefix (about 13 letters) + the logical key; lengths chosen around the limits. */
    private static Schedule keyLengths(String column) {
        int[] logical = {1, 17, 18, 60, 180, 240, 300};
        List<WorkerSpec> workers = new ArrayList<>();
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < logical.length; i++) {
            String w = "K" + i;
            workers.add(WorkerSpec.local(w, column));
            String key = "x".repeat(logical[i]);
            steps.addAll(List.of(create(w, key, 64), detach(w)));
        }
        return new Schedule("key-length", null, workers, steps);
    }

    private static Schedule producerConsumer(String column) {
        List<Step> steps = new ArrayList<>(List.of(create("P", "k", 64), attach("C", "k")));
        for (int i = 0; i < PRODUCER_CONSUMER_ROUNDS; i++) {
            String item = String.format("item-%03d", i);
            String ack = String.format("ack--%03d", i);
            steps.addAll(List.of(lock("P"), lock("C").async(), write("P", 0, item), unlock("P"), read("C", 0, 8),
                    write("C", 0, ack), unlock("C"), lock("P"), read("P", 0, 8), unlock("P")));
        }
        steps.addAll(List.of(detach("C"), detach("P")));
        return new Schedule("producer-consumer", null, List.of(WorkerSpec.local("P", column), WorkerSpec.local("C", column)), steps);
    }

    private static Schedule otherUser(String column) {
        WorkerSpec nobody = new WorkerSpec("N", column, "local", "g", "nobody");
        return new Schedule("other-user", null, List.of(WorkerSpec.local("A", column), nobody), List.of(
                create("A", "k", 64), write("A", 0, "secret"), attach("N", "k"), read("N", 0, 6), detach("A")));
    }

    /**
     * Seed L6: the holder serves its sealed memfd to nobody, who cannot reach it by key (another user's
     * /proc/&lt;pid&gt;/fd), attaches through the descriptor, reads and writes, and whose truncate to 0
     * and to twice the size the seals refuse (EPERM).
     */
    private static Schedule lowerPrivilegedPeer(String column) {
        WorkerSpec nobody = new WorkerSpec("N", column, "local", "g", "nobody");
        return new Schedule("sealed-memfd-lower-privileged-peer", null, List.of(WorkerSpec.local("A", column), nobody), List.of(
                create("A", "k", 4096), write("A", 0, "from-root"), serveFd("A", "handover", "nobody"), attach("N", "k"),
                attachFd("N", "k", "handover"), read("N", 0, 9), write("N", 16, "from-nobody"), read("A", 16, 11),
                truncate("N", 0), truncate("N", 8192), size("N"), read("N", 4088, 8), detach("N"), detach("A")));
    }

    /**
     * Seed L5, the other way: A's own process starts C as its child, C inherits the memfd's descriptor
     * (not through /proc, not through a socket) and attaches through it; C sees A's bytes and A sees C's,
     * the seals refuse C's truncate, C keeps the segment after A is killed, and once C detached nobody can
     * attach the key any more.
     */
    private static Schedule inheritedByChild(String column) {
        WorkerSpec child = WorkerSpec.local("C", column);
        return new Schedule("memfd-inherited-by-child", null, List.of(WorkerSpec.local("A", column), child, WorkerSpec.local("B", column)),
                List.of(create("A", "k", 4096), write("A", 0, "from-parent"), spawnChild("A", "C"), read("C", 0, 11),
                        write("C", 16, "from-child"), read("A", 16, 10), truncate("C", 0), size("C"), kill("A"), read("C", 0, 11),
                        detach("C"), attach("B", "k")));
    }

    /** Why {@code column} cannot hand its segment to a child by inheritance here, or null. */
    private static String inheritanceMissing(String column) {
        boolean handsOver = Subjects.here().named(column).map(Subject::declared).map(BackendSemantics::handsOverDescriptor)
                .orElse(false);
        return handsOver ? null : "the " + column + " column cannot hand a segment over as a descriptor (spawnChild, seed L5:"
                + " its declaration says handsOverDescriptor=false): only memfd-fd declares it";
    }

    /**
     * Whether the last detach can run after a holder died with the lock: not where the lock is a
     * kernel object of its own that stays held (posix: Qt's detach takes that semaphore and waits
     * forever, which {@code lock-holder-killed} already shows), so no segment could be made again.
     */
    private static boolean lastDetachCanPassADeadHoldersLock(String column) {
        return Subjects.here().named(column).map(Subject::declared)
                .map(d -> d.lockLivesInSegment() || d.lockOnHolderDeath().releases()).orElse(false);
    }

    /** Why {@code column} cannot run the hand-over scenario here, or null. */
    private static String handOverMissing(String column) {
        boolean handsOver = Subjects.here().named(column).map(Subject::declared).map(BackendSemantics::handsOverDescriptor)
                .orElse(false);
        if (!handsOver) {
            return "the " + column + " column cannot hand a segment over as a descriptor (serveFd/attachFd, seed L5): only"
                    + " memfd-fd declares it";
        }
        return nobodyMissing();
    }

    private static String nobodyMissing() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "starting a worker as nobody needs root";
        }
        if (!org.shmconform.engine.Users.exists("nobody")) {
            return "there is no user nobody on this machine (as a root-owned id says)";
        }
        // The worker as nobody loads its classes from a copy in the share directory: a --state-dir inside a directory
        // closed to others (a 0700 temporary directory) gave a worker that could not start, an UNKNOWN for a cause known
        // before it ran.
        Path share = StateDirectory.shareRoot();
        Path closed = PrivateDirectory.firstClosedToOthers(share);
        return closed == null ? null : "a worker as nobody cannot reach the share directory " + share + ": " + closed
                + " lets no other user pass (no o+x); fix: a --state-dir whose parent directories others may pass through"
                + " (the default's, /run, do)";
    }

    /**
     * Seeds M6 and L4: creator and reader both told to put their files in the directory {@code dir}
     * ({@link PlacementDirectories}: a private directory of the run there); the segment must work as
     * anywhere else, and the placement step records what the directory is.
     */
    private static Scenario placedFiles(String id, String title, String dir, Property statement) {
        return scenario(id, title, List.of(statement, Property.DATA_SHARED, Property.LAST_DETACH_DESTROYS),
                c -> of(id, c, "A", "B",
                        placeIn("A", dir), placeIn("B", dir), create("A", "k", 4096), write("A", 0, "placed"), placement("A"),
                        attach("B", "k"), read("B", 0, 6), write("B", 8, "back"), read("A", 8, 4), detach("A"), detach("B"),
                        attach("B", "k")),
                c -> {
                    String notReported = placementNotReported(c);
                    if (notReported != null) {
                        return notReported;
                    }
                    if (!canBePlaced(c)) {
                        return "the " + c + " backend cannot be told where its objects go (only the mmapfile backends put"
                                + " files in a directory of the caller's choosing)";
                    }
                    return PlacementDirectories.missing(dir);
                });
    }

    /** Why {@code column} cannot make temporary-file segments (seed M3), or null. */
    private static String temporaryFilesMissing(String column) {
        String notJava = placementNotReported(column);
        if (notJava != null) {
            return notJava.replace("report where its objects live (placement", "make temporary-file segments (createTemp");
        }
        boolean can = Backends.named(column).map(b -> {
            try (org.shmconform.spi.SharedSegment probe = b.open("probe")) {
                return probe instanceof org.shmconform.spi.TemporaryFiles;
            } catch (RuntimeException e) {
                return false;
            }
        }).orElse(false);
        return can ? null : "the " + column + " segment is not a file that can be a QTemporaryFile (createTemp: only the"
                + " mmapfile backend's)";
    }

    /** Only a Java worker answers the placement op (the Qt workers do not know it). */
    private static String placementNotReported(String column) {
        boolean java = Subjects.here().jvmWorker(column, false);
        return java ? null : "the " + column + " worker does not report where its objects live (placement is an op of the"
                + " Java worker; Qt's own directory choice is QDir::tempPath, which the sysv column mirrors)";
    }

    private static boolean canBePlaced(String column) {
        return Backends.named(column).map(b -> {
            try {
                return b.placedIn(java.nio.file.Path.of("/")) != null;
            } catch (RuntimeException e) {
                return false;
            }
        }).orElse(false);
    }

    private static Schedule of(String name, String column, String w1, Step... steps) {
        return new Schedule(name, null, List.of(WorkerSpec.local(w1, column)), Arrays.asList(steps));
    }

    private static Schedule of(String name, String column, String w1, String w2, Step... steps) {
        return new Schedule(name, null, List.of(WorkerSpec.local(w1, column), WorkerSpec.local(w2, column)), Arrays.asList(steps));
    }

    private static Schedule of(String name, String column, String w1, String w2, String w3, Step... steps) {
        return new Schedule(name, null, List.of(WorkerSpec.local(w1, column), WorkerSpec.local(w2, column),
                WorkerSpec.local(w3, column)), Arrays.asList(steps));
    }

    private static Scenario scenario(String id, String title, List<Property> properties,
                                     java.util.function.Function<String, Schedule> build) {
        return new Scenario(id, title, properties, build, c -> null, Scenario.Placement.LOCAL, c -> true);
    }

    private static Scenario scenario(String id, String title, List<Property> properties,
                                     java.util.function.Function<String, Schedule> build,
                                     java.util.function.Function<String, String> requires) {
        return new Scenario(id, title, properties, build, requires, Scenario.Placement.LOCAL, c -> true);
    }
}
