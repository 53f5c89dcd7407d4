package org.shmconform.engine;

import org.shmconform.engine.launch.WorkerCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.shmconform.engine.Qt68Root.KeyMode;

/**
 * A Qt 6.8 column's worker: the Qt 6.8 build of qt_shm_worker.cpp in its Debian 13 root, in one key
 * mode ({@link Qt68Root}). Its command is the root's launcher (run as root: it needs unshare and
 * chroot); a worker of another user is started with {@code --userspec=UID:GID}, so the launcher, not
 * setpriv before it, drops root. Besides the run's TMPDIR it gets its own XDG_RUNTIME_DIR
 * ({@link RunContext#workerRuntimeDir}), where {@code platformSafeKey(key, SystemV)} makes its key file.
 */
public final class Qt68Worker implements Subject.Launch {
    public static final String XDG_RUNTIME_DIR = "XDG_RUNTIME_DIR";
    private static final Map<String, String> USERSPECS = new ConcurrentHashMap<>();
    private final KeyMode mode;

    public Qt68Worker(KeyMode mode) {
        this.mode = mode;
    }

    public KeyMode mode() {
        return mode;
    }

    @Override
    public WorkerCommand command(RunContext run, Map<String, String> environment, String tmpdirSlot, String user) {
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.put(XDG_RUNTIME_DIR, run.workerRuntimeDir(tmpdirSlot, user).toString());
        return Qt68Root.command(mode, env, user == null ? null : userspec(user));
    }

    @Override
    public String provenance() {
        if (!Qt68Root.availability().available()) {
            return "not built: " + Qt68Root.availability().reason();
        }
        Qt68Root.Located at = Qt68Root.located();
        Path compiled = Qt68Launcher.compiled();
        return "built by qt-worker/build-qt68-root.sh (debootstrap --variant=minbase trixie from deb.debian.org, then"
                + " apt-get install qt6-base-dev g++ pkg-config in it; qt_shm_worker.cpp compiled there against "
                + qtLibrary(at.root()) + "); root " + at.root() + ", worker /opt/shmconform/qt_shm_worker (sha256 "
                + at.workerSha256().substring(0, Math.min(12, at.workerSha256().length())) + "...), started by "
                + (compiled != null ? compiled + " (qt-worker/qt68_launch.c compiled with cc: "
                        : at.launcher() + " (" + (Qt68Launcher.whyNot() == null ? "" : Qt68Launcher.whyNot() + "; "))
                + "unshare --mount, binds, chroot), key mode " + mode.label();
    }

    /** The root's Qt Core library file name ("libQt6Core.so.6.8.2"), the version the worker links. */
    static String qtLibrary(Path root) {
        Path lib = root.resolve("usr/lib/x86_64-linux-gnu");
        try (DirectoryStream<Path> files = Files.newDirectoryStream(lib, "libQt6Core.so.6.*.*")) {
            for (Path f : files) {
                return f.getFileName().toString();
            }
        } catch (IOException e) {
            // fall through
        }
        return "the root's Qt 6.8";
    }

    /** "UID:GID" of {@code user}, as {@code id} says (chroot --userspec takes numbers, never a name to look up in the root). */
    static String userspec(String user) {
        return USERSPECS.computeIfAbsent(user, u -> {
            try {
                return Users.uid(u) + ":" + Users.gid(u);
            } catch (IOException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        });
    }
}
