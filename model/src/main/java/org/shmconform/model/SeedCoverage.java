package org.shmconform.model;

import static org.shmconform.model.Property.ATTACH_EXISTING;
import static org.shmconform.model.Property.XDG_RUNTIME_TMPFS;
import static org.shmconform.model.Property.DEV_SHM_TMPFS;
import static org.shmconform.model.Property.TMP_NEED_NOT_BE_TMPFS;
import static org.shmconform.model.Property.PLACEMENT;
import static org.shmconform.model.Property.TEMP_FILE_CLEANUP;
import static org.shmconform.model.Property.BACKENDS_SEPARATE;
import static org.shmconform.model.Property.CRASH_SURVIVES;
import static org.shmconform.model.Property.CREATE_EXISTS_FALLBACK;
import static org.shmconform.model.Property.CREATE_SIZE;
import static org.shmconform.model.Property.DATA_SHARED;
import static org.shmconform.model.Property.KEY_FILE_IN_TMPDIR;
import static org.shmconform.model.Property.KEY_CHANGED_BY_QT;
import static org.shmconform.model.Property.LAST_DETACH_DESTROYS;
import static org.shmconform.model.Property.LOCK_EXCLUSIVE;
import static org.shmconform.model.Property.LOCK_HOLDER_DEATH;
import static org.shmconform.model.Property.MEMFD_SEALED;
import static org.shmconform.model.Property.NAMESPACE_VISIBILITY;
import static org.shmconform.model.Property.NATIVE_KEY_INTEROP;
import static org.shmconform.model.Property.NATIVE_KEY_UNPROTECTED;
import static org.shmconform.model.Property.NOT_WORLD_ACCESSIBLE;
import static org.shmconform.model.Property.TRUNCATION_CRASHES;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The coverage of the seed statements (docs/seed-sentences.md): for every id, the properties whose scenarios put the
 * statement to the test, or why it cannot be tested on Linux, or what would test it here. The one owner of that mapping:
 * the reports and {@code shmconform list} ask it, {@code SeedCoverageTest} holds it to the ids of the document, and the
 * scenarios module's test to the named suite (every property named here is checked by a scenario, within the
 * scenarios and columns a row names).
 */
public final class SeedCoverage {
    /** Column names of the Qt 6.8 platformSafeKey columns and of the lock-in-segment backends (engine names them; model cannot see engine). */
    private static final List<String> SAFE_KEY_COLUMNS = List.of("qt68-sysv-safe", "qt68-posix-safe");
    private static final List<String> MAPPED_FILE_COLUMNS = List.of("mmapfile", "mmapfile-atomic", "mmapfile-robust");
    private static final List<String> INTEROP_SCENARIOS = List.of("interop-java-creates-qt-attaches", "interop-qt-creates-java-attaches",
            "interop-lock", "interop-qt-creator-crashes", "interop-java-creator-crashes", "interop68-java-posix-creates",
            "interop68-qt68-posix-creates", "interop68-java-sysv-creates", "interop68-qt68-sysv-creates",
            "upgrade-qt64-creates-qt68-attaches", "upgrade-qt68-creates-qt64-attaches");

    /** What a row says about its statement. */
    public enum Status {
        /** Properties whose scenarios put the statement to the test on this machine. */
        TESTED,
        /** The statement is about another platform, or about how Qt was built: nothing a run on Linux can observe. */
        NOT_TESTABLE_ON_LINUX,
        /** Testable on Linux, but no scenario puts it to the test yet; the reason says what would. */
        NOT_YET_TESTED
    }

    /** Why a statement cannot be tested on Linux, grouped for the closing figures. */
    public enum Elsewhere {
        WINDOWS("Windows"),
        APPLE("Apple sandbox/macOS/iOS"),
        ANDROID("Android"),
        FREEBSD("FreeBSD"),
        BUILD_TIME("Qt build configuration");

        private final String label;

        Elsewhere(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * One seed statement and its coverage.
     *
     * @param properties the properties that put it to the test (TESTED only; empty otherwise)
     * @param scenarios  only these scenarios' verdicts of those properties count; empty: every scenario that checks them
     * @param columns    only these columns' verdicts count; empty: every column
     * @param note       for a TESTED row, what part of the statement is and is not put to the test, or null
     * @param elsewhere  for a NOT_TESTABLE_ON_LINUX row, the platform or build step it is about; null otherwise
     * @param reason     for a row that is not TESTED: why, never blank; null for a TESTED row
     */
    public record Row(String id, String statement, String section, Status status, List<Property> properties, List<String> scenarios,
                      List<String> columns, String note, Elsewhere elsewhere, String reason) {
        public Row {
            properties = List.copyOf(properties);
            scenarios = List.copyOf(scenarios);
            columns = List.copyOf(columns);
        }

        /** The property ids, as the reports write them. */
        public List<String> propertyIds() {
            return properties.stream().map(Property::id).toList();
        }

        /** Whether a scenario run's verdicts of this row's properties count for it. */
        public boolean appliesTo(String scenario, String column) {
            return (scenarios.isEmpty() || scenarios.contains(scenario)) && (columns.isEmpty() || columns.contains(column));
        }

        /** One line for people: the properties (and where they count), or the status and its reason. */
        public String coverageText() {
            return switch (status) {
                case TESTED -> String.join(", ", propertyIds())
                        + (scenarios.isEmpty() ? "" : " in " + String.join(", ", scenarios))
                        + (columns.isEmpty() ? "" : " on " + String.join(", ", columns))
                        + (note == null ? "" : " — " + note);
                case NOT_TESTABLE_ON_LINUX -> "not testable on Linux (" + elsewhere.label() + "): " + reason;
                case NOT_YET_TESTED -> "not yet tested: " + reason;
            };
        }

        Row withStatement(String statement, String section) {
            return new Row(id, statement, section, status, properties, scenarios, columns, note, elsewhere, reason);
        }
    }

    private static final List<Row> MAPPING = List.of(
            tested("B1", List.of(DATA_SHARED), "by processes; threads of one process are not exercised, since a thread never stands in for a process here"),
            tested("B2", List.of(NAMESPACE_VISIBILITY, KEY_FILE_IN_TMPDIR), "a key reaches the segment made under it, and only where the kernel"
                    + " lets it: namespaces, the TMPDIR of the key file; the Qt 6.8 columns make their keys as QNativeIpcKey"),
            tested("B3", List.of(DATA_SHARED, ATTACH_EXISTING), List.of(), SAFE_KEY_COLUMNS, "the whole suite runs on keys Qt 6.8's"
                    + " platformSafeKey() made, on Linux; that the same call is portable to other systems cannot be seen here"),
            tested("B4", List.of(CREATE_SIZE), null),
            tested("B5", List.of(ATTACH_EXISTING), null),
            tested("B6", List.of(DATA_SHARED), null),
            tested("B7", List.of(LOCK_EXCLUSIVE, LOCK_HOLDER_DEATH), null),
            tested("B8", List.of(LAST_DETACH_DESTROYS), null),
            tested("B9", List.of(DATA_SHARED, LOCK_EXCLUSIVE, LAST_DETACH_DESTROYS, CRASH_SURVIVES), INTEROP_SCENARIOS, List.of(),
                    "interoperability with an older Qt (6.4 and 6.8 on one legacy key) and with non-Qt programs (the Java backends);"
                    + " the key types and their limits are rows N10, N11 and N16 to N18"),
            tested("N1", List.of(LOCK_EXCLUSIVE), null),
            elsewhere("N2", Elsewhere.WINDOWS, "how the Windows kernel releases a segment; no Windows kernel runs here"),
            tested("N3", List.of(LAST_DETACH_DESTROYS), null),
            tested("N4", List.of(CRASH_SURVIVES), null),
            elsewhere("N5", Elsewhere.BUILD_TIME, "which backend Qt uses is chosen when Qt is built; a running system sees only the one its"
                    + " build chose (Debian's Qt 6.4: System V, met by the Java sysv backend in the interop scenarios), never the"
                    + " choice or the default rule"),
            tested("N6", List.of(BACKENDS_SEPARATE), null),
            elsewhere("N7", Elsewhere.BUILD_TIME, "-feature-ipc_posix and the QT_POSIX_IPC macro exist only while Qt is configured and"
                    + " compiled; nothing in a running process shows them"),
            elsewhere("N8", Elsewhere.APPLE, "the App Sandbox of Apple platforms; Linux has no such sandbox"),
            elsewhere("N9", Elsewhere.APPLE, "how Qt for iOS and for macOS are built; neither runs here"),
            elsewhere("N10", Elsewhere.APPLE, "the key form an Apple sandbox with application groups requires"),
            elsewhere("N11", Elsewhere.APPLE, "the 30-character limit is the Apple sandbox's; on Linux KEY-LENGTH-30 only records which"
                    + " lengths each column accepts, an observation that says nothing of this limit"),
            tested("N12", List.of(CREATE_EXISTS_FALLBACK), "the sandbox's left-over entries are Apple's; the recipe, create() failing with"
                    + " AlreadyExists and attach() succeeding, is put to the test on Linux where an entry outlives its creator"),
            elsewhere("N13", Elsewhere.ANDROID, "a statement about Android; no Android runs here"),
            tested("N14", List.of(LOCK_EXCLUSIVE, LOCK_HOLDER_DEATH), null),
            tested("N15", List.of(LAST_DETACH_DESTROYS), null),
            tested("N16", List.of(KEY_CHANGED_BY_QT), List.of("key-changed-by-qt"), List.of(), "each column's nativeKey() of a"
                    + " plain key is recorded and judged: Qt derives /qipc_sharedmemory_<letters><sha1> or a key file of that name"
                    + " unless the key is native (the native columns, where the scenario does not apply)"),
            tested("N17", List.of(NATIVE_KEY_INTEROP, DATA_SHARED), List.of("non-qt-meets-native-key"), List.of(), "a Qt 6.8 object"
                    + " given a native key creates; a Java (non-Qt) worker on the same low-level API, System V or POSIX, meets the"
                    + " same kernel object by that name; bytes both ways"),
            tested("N18", List.of(NATIVE_KEY_UNPROTECTED), List.of("non-qt-meets-native-key"), List.of(), "the documentation says a"
                    + " native key's memory cannot be locked; judged only for objects given a native name in that scenario"),
            tested("M1", List.of(DATA_SHARED), List.of(), MAPPED_FILE_COLUMNS, "the Java backends map the same file with MAP_SHARED,"
                    + " as QFile::map without MapPrivateOption does; a Qt worker that does map with QFile::map is seed M2's"
                    + " (qt-file-map-meets-mmapfile)"),
            tested("M2", List.of(DATA_SHARED), List.of("qt-file-map-meets-mmapfile"), List.of("mmapfile"), "a Qt 6.4 worker"
                    + " opens the Java mmapfile backend's file with QFile and maps it with QFile::map (no MapPrivateOption), the"
                    + " Java (non-Qt) worker maps it MAP_SHARED: bytes both ways, no QSharedMemory on either side (the Qt column"
                    + " is System V, which the meeting never touches); \"simpler\" itself is a judgement, not something a run observes"),
            tested("M3", List.of(TEMP_FILE_CLEANUP), List.of("temp-file-cleanup"), List.of(), "QTemporaryFile-style files"
                    + " (O_CREAT|O_EXCL, 0600, the key's name as template): two creators get distinct files, the creator's detach"
                    + " removes its file, a SIGKILLed creator's file is left behind (recorded; the harness removes it); plain"
                    + " mmapfile only"),
            tested("M4", List.of(LOCK_EXCLUSIVE, LOCK_HOLDER_DEATH), List.of(), List.of("mmapfile-atomic"), "the atomic flag at offset 0"
                    + " of the segment's header page, waiters in FUTEX_WAIT on the shared mapping"),
            tested("M5", List.of(LOCK_EXCLUSIVE, LOCK_HOLDER_DEATH), List.of(), List.of("mmapfile-robust"), "a process-shared, robust"
                    + " pthread mutex in the segment's header page"),
            tested("M6", List.of(PLACEMENT), List.of("placement-dev-shm", "placement-disk-backed"), List.of(), "statfs's"
                    + " filesystem type of every directory a backend puts named objects in, and a file-backed segment on a"
                    + " disk-backed directory reported as written back to storage"),
            tested("M7", List.of(TRUNCATION_CRASHES), null),
            tested("L1", List.of(TMP_NEED_NOT_BE_TMPFS), List.of("placement-tmp"), List.of(), "/tmp's filesystem type,"
                    + " recorded: either is legal"),
            tested("L2", List.of(DEV_SHM_TMPFS), List.of("placement-dev-shm"), List.of(), "statfs f_type of /dev/shm in each"
                    + " worker's mount namespace must be tmpfs's (ramfs is not enough)"),
            tested("L3", List.of(NOT_WORLD_ACCESSIBLE), List.of("other-user"), List.of(), "a worker running as nobody tries to attach to"
                    + " what each backend made in /dev/shm, the temporary directory or the kernel"),
            tested("L4", List.of(XDG_RUNTIME_TMPFS), List.of("placement-xdg-runtime"), List.of(), "a file-backed segment in"
                    + " /run/user/<uid>; NOT_AVAILABLE with the reason where that directory does not exist (no systemd login"
                    + " session)"),
            tested("L5", List.of(DATA_SHARED, NOT_WORLD_ACCESSIBLE), List.of("sealed-memfd-lower-privileged-peer",
                    "memfd-inherited-by-child"), List.of(), "the descriptor passed over a Unix socket (SCM_RIGHTS) to a peer that"
                    + " cannot reach it by key, and inherited by a child worker the holder itself starts (spawnChild)"),
            tested("L6", List.of(MEMFD_SEALED), "a shrink of a sealed memfd is refused to its creator under a reader"
                    + " (truncate-under-reader), a shrink or a grow to a peer running as nobody (sealed-memfd-lower-privileged-peer)"),
            elsewhere("F1", Elsewhere.FREEBSD, "a statement about FreeBSD's memfd_create and descriptor passing; no FreeBSD kernel runs here"),
            elsewhere("F2", Elsewhere.FREEBSD, "a statement about FreeBSD's default mounts"),
            elsewhere("W1", Elsewhere.WINDOWS, "Win32 and C runtime flags (FILE_ATTRIBUTE_TEMPORARY, _O_SHORT_LIVED, \"T\")"),
            elsewhere("W2", Elsewhere.WINDOWS, "Windows delete-on-close and sharing violations"));

    private static final List<Row> ROWS = complete(SeedStatements.all());

    private SeedCoverage() {
    }

    /** One row per statement of docs/seed-sentences.md, in its order. */
    public static List<Row> rows() {
        return ROWS;
    }

    public static Optional<Row> byId(String id) {
        return ROWS.stream().filter(r -> r.id().equals(id)).findFirst();
    }

    /**
     * The closing figures: rows per status, and the not-testable ones per platform, e.g. {@code TESTED=23,
     * NOT_TESTABLE_ON_LINUX=12, Windows=3, ..., NOT_YET_TESTED=9}.
     */
    public static Map<String, Integer> figures() {
        Map<String, Integer> f = new LinkedHashMap<>();
        for (Status s : Status.values()) {
            f.put(s.name(), (int) ROWS.stream().filter(r -> r.status() == s).count());
        }
        for (Elsewhere e : Elsewhere.values()) {
            f.put(e.label(), (int) ROWS.stream().filter(r -> r.elsewhere() == e).count());
        }
        return f;
    }

    /**
     * The closing figures in words: "44 seed statements: 23 tested here, 12 not testable on Linux (Windows 3, ...), 9 not yet
     * tested."
     */
    public static String summary() {
        Map<String, Integer> f = figures();
        StringBuilder where = new StringBuilder();
        for (Elsewhere e : Elsewhere.values()) {
            where.append(where.length() == 0 ? "" : ", ").append(e.label()).append(' ').append(f.get(e.label()));
        }
        return ROWS.size() + " seed statements: " + f.get(Status.TESTED.name()) + " tested here, " + f.get(Status.NOT_TESTABLE_ON_LINUX.name())
                + " not testable on Linux (" + where + "), " + f.get(Status.NOT_YET_TESTED.name()) + " not yet tested.";
    }

    /**
     * What is wrong with the mapping against the ids of a seed-sentences.md: an id without a row, a row for an id the
     * document does not have, a row twice, a row with neither properties nor a reason, or one with both. Empty when right.
     */
    public static List<String> problems(List<String> documentIds) {
        return problems(MAPPING, documentIds);
    }

    static List<String> problems(List<Row> mapping, List<String> documentIds) {
        List<String> problems = new ArrayList<>();
        Set<String> mapped = new HashSet<>();
        for (Row r : mapping) {
            if (!mapped.add(r.id())) {
                problems.add(r.id() + ": mapped twice");
            }
            if (!documentIds.contains(r.id())) {
                problems.add(r.id() + ": mapped, but docs/seed-sentences.md has no such id");
            }
            boolean reasoned = r.reason() != null && !r.reason().isBlank();
            switch (r.status()) {
                case TESTED -> {
                    if (r.properties().isEmpty()) {
                        problems.add(r.id() + ": TESTED without a property");
                    }
                    if (r.reason() != null) {
                        problems.add(r.id() + ": TESTED with a reason for not testing it");
                    }
                }
                case NOT_TESTABLE_ON_LINUX, NOT_YET_TESTED -> {
                    if (!reasoned) {
                        problems.add(r.id() + ": " + r.status() + " without a reason");
                    }
                    if (!r.properties().isEmpty()) {
                        problems.add(r.id() + ": " + r.status() + " names properties " + r.propertyIds());
                    }
                    if ((r.status() == Status.NOT_TESTABLE_ON_LINUX) != (r.elsewhere() != null)) {
                        problems.add(r.id() + ": a platform is named exactly when the statement is not testable on Linux");
                    }
                }
            }
        }
        for (String id : documentIds) {
            if (!mapped.contains(id)) {
                problems.add(id + ": in docs/seed-sentences.md, but not mapped");
            }
        }
        return problems;
    }

    /** The mapping in the document's order with the document's wording; an id the mapping lacks is NOT_YET_TESTED, never blank. */
    static List<Row> complete(List<SeedStatements.SeedStatement> statements) {
        List<Row> rows = new ArrayList<>();
        for (SeedStatements.SeedStatement s : statements) {
            Row r = MAPPING.stream().filter(m -> m.id().equals(s.id())).findFirst()
                    .orElse(notYet(s.id(), "the coverage mapping (model SeedCoverage) has no row for this id"));
            rows.add(r.withStatement(s.statement(), s.section()));
        }
        return List.copyOf(rows);
    }

    private static Row tested(String id, List<Property> properties, String note) {
        return tested(id, properties, List.of(), List.of(), note);
    }

    private static Row tested(String id, List<Property> properties, List<String> scenarios, List<String> columns, String note) {
        return new Row(id, null, null, Status.TESTED, properties, scenarios, columns, note, null, null);
    }

    private static Row elsewhere(String id, Elsewhere where, String reason) {
        return new Row(id, null, null, Status.NOT_TESTABLE_ON_LINUX, List.of(), List.of(), List.of(), null, where, reason);
    }

    private static Row notYet(String id, String reason) {
        return new Row(id, null, null, Status.NOT_YET_TESTED, List.of(), List.of(), List.of(), null, null, reason);
    }
}
