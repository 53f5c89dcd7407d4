package org.shmconform.engine.state;

import java.nio.file.Path;

/**
 * Where the harness keeps its state, every directory lstat-checked by {@link PrivateDirectory}:
 * the state directory ({@value #PROPERTY} if set, else /run/shmconform for root, else
 * $XDG_RUNTIME_DIR/shmconform), {@code runs/} (one private directory per run, named by its id),
 * {@code cache/} (what outlives runs on purpose) and, beside it, {@code <state>-share/} (what
 * workers of other users must reach).
 */
public final class StateDirectory {
    public static final String PROPERTY = "shmconform.state.dir";
    /** A run id: exactly this many lowercase letters, so no run's prefix is a prefix of another's. */
    public static final int RUN_ID_LENGTH = 6;

    private StateDirectory() {
    }

    /** The state directory (checked and made 0700 if missing). */
    public static Path root() {
        String set = System.getProperty(PROPERTY);
        return checked(set != null && !set.isBlank() ? Path.of(set) : defaultRoot());
    }

    /**
     * The state directory every run of this user shares unless given another: /run/shmconform for root, else
     * $XDG_RUNTIME_DIR/shmconform (checked and made 0700 if missing). What must be one for every run of the user on the
     * machine, whatever state directory each was given, lives here (the System V key files' turn); where there is no
     * such directory (no XDG_RUNTIME_DIR, or one that fails the checks), the run's own state directory.
     */
    public static Path machineWide() {
        try {
            return checked(defaultRoot());
        } catch (PrivateDirectory.UnsafeDirectoryException e) {
            return root();
        }
    }

    private static Path defaultRoot() {
        if (PrivateDirectory.myUid() == 0) {
            return Path.of("/run/shmconform");
        }
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        if (xdg == null || xdg.isBlank()) {
            throw new PrivateDirectory.UnsafeDirectoryException(Path.of("$XDG_RUNTIME_DIR"),
                    "not set; give a private state directory with -D" + PROPERTY + "=<dir> (or --state-dir)");
        }
        return Path.of(xdg, "shmconform");
    }

    private static Path checked(Path dir) {
        if (!dir.isAbsolute() || dir.toString().matches(".*\\s.*")) {
            throw new PrivateDirectory.UnsafeDirectoryException(dir, "the state directory must be an absolute path without blanks");
        }
        return PrivateDirectory.ensure(dir, "rwx------");
    }

    /** Every run's private directory is in here, named by the run's id. */
    public static Path runs() {
        return PrivateDirectory.ensure(root().resolve("runs"), "rwx------");
    }

    /** What outlives runs on purpose (the compiled Qt worker, class-data archives, class jars): root only. */
    public static Path cache() {
        return PrivateDirectory.ensure(root().resolve("cache"), "rwx------");
    }

    /** Where other users' workers find their TMPDIR and class path: traversable, not listable, not writable. */
    public static Path shareRoot() {
        Path state = root();
        return PrivateDirectory.ensure(state.resolveSibling(state.getFileName() + "-share"), "rwx--x--x");
    }

    /** Whether {@code name} has the form of a run id (and so may name a run's directory). */
    public static boolean isRunId(String name) {
        return name.matches("[a-z]{" + RUN_ID_LENGTH + "}");
    }
}
