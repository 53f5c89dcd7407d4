package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.linux.LibC;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * The attacks of issue 16, each done by the unprivileged user {@code nobody} (setpriv), against a
 * harness running as root: each is refused or harmless, and the test says which.
 */
@ExtendWith(TakesTheKeyFileTurn.class)
class AttacksAsNobodyTest {
    private static final LibC C = LibC.INSTANCE;
    private Path state;
    private Path scratch;
    private final List<Integer> segments = new ArrayList<>();

    @BeforeEach
    void privateState() throws Exception {
        String r = RunContext.letters(8);
        state = Path.of("/run/shmconform-test-" + r);
        System.setProperty(RunContext.STATE_DIR_PROPERTY, state.toString());
        scratch = PrivateDirectory.ensure(Path.of("/run/shmconform-victim-" + r), "rwxr-xr-x");
    }

    @AfterEach
    void cleanUp() throws Exception {
        segments.forEach(id -> C.shmctl(id, LibC.IPC_RMID, null));
        System.setProperty(RunContext.STATE_DIR_PROPERTY, state.toString());
        Reaper.reapDeadRuns();
        PrivateDirectory.deleteTree(state);
        PrivateDirectory.deleteTree(state.resolveSibling(state.getFileName() + "-share"));
        PrivateDirectory.deleteTree(scratch);
        asNobody("rm -rf /tmp/shmconform-attack-" + scratch.getFileName() + " /tmp/shmconform-attack-" + scratch.getFileName() + "-link");
        System.clearProperty(RunContext.STATE_DIR_PROPERTY);
    }

    /** Runs {@code script} as nobody:nogroup with no supplementary groups; returns its exit status. */
    static int asNobody(String script) throws Exception {
        Process p = new ProcessBuilder("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "sh", "-c", script)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return p.exitValue();
    }

    private Path victimFile(String content) throws Exception {
        Path f = scratch.resolve("root-only-" + RunContext.letters(4));
        Files.writeString(f, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    @Test
    void aSymlinkOrAForeignDirectoryAsTheStateDirectoryIsRefused() throws Exception {
        Path victim = victimFile("root data");
        String attack = "/tmp/shmconform-attack-" + scratch.getFileName();
        assertEquals(0, asNobody("mkdir " + attack + " && ln -s " + scratch + " " + attack + "-link && mkdir " + attack + "/dir"));
        System.setProperty(RunContext.STATE_DIR_PROPERTY, attack + "-link"); // a symlink in /tmp, made by nobody
        var e = assertThrows(PrivateDirectory.UnsafeDirectoryException.class, RunContext::create);
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        System.setProperty(RunContext.STATE_DIR_PROPERTY, attack + "/dir/state");
        e = assertThrows(PrivateDirectory.UnsafeDirectoryException.class, RunContext::create);
        assertTrue(e.getMessage().contains("owned by uid"), e.getMessage());
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(scratch)), "the link's target keeps its mode");
        assertEquals("root data", Files.readString(victim), "and its file");
        assertFalse(Files.exists(Path.of(attack, "dir", "state")), "nothing is made in the attacker's directory");
    }

    @Test
    void nobodyCannotPlantInTheStateDirectoryNorReplaceTheCachedWorker() throws Exception {
        try (RunContext run = RunContext.create()) {
            Path cache = RunContext.cacheDir();
            Path runs = state.resolve("runs");
            assertNotEquals(0, asNobody("mkdir -p " + cache + "/qt-worker-x && cp /bin/sh " + cache + "/qt-worker-x/qt_shm_worker"),
                    "a binary planted in the cache");
            assertNotEquals(0, asNobody("ln -s /root " + runs + "/zzzzzz"), "a symlink as a run");
            assertNotEquals(0, asNobody("mkdir " + runs + "/a && mkdir " + runs + "/a/tmp"), "planted a/tmp directories");
            assertNotEquals(0, asNobody("ls " + runs), "listing the runs");
            assertNotEquals(0, asNobody("mv " + run.runDir() + " " + runs + "/swapped"), "swapping a live run's directory");
            assertNotEquals(0, asNobody("ln -s " + scratch + "/x " + run.logs() + "/A.stderr.log"), "a symlinked log name");
            assertNotEquals(0, asNobody("ln -s " + scratch + "/x " + run.workerTmp() + "/qipc_sharedmemory_x"), "a link in a TMPDIR");
            assertTrue(Files.isDirectory(run.runDir(), LinkOption.NOFOLLOW_LINKS));
        }
        // A binary that is not the one recorded is never executed: its hash is checked first.
        Path exe = Files.writeString(scratch.resolve("qt_shm_worker"), "#!/bin/sh\necho built\n");
        String hash = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(exe)));
        QtReferenceWorker.verify(exe, hash);
        Files.writeString(exe, "#!/bin/sh\ntouch /tmp/owned\n");
        var e = assertThrows(PrivateDirectory.UnsafeDirectoryException.class, () -> QtReferenceWorker.verify(exe, hash));
        assertTrue(e.getMessage().contains("not executed"), e.getMessage());
    }

    @Test
    void aKeyFileSymlinkPlantedInANobodyTmpdirDestroysNothing() throws Exception {
        // A root application's segment, keyed by a root file, with content.
        Path appKeyFile = victimFile("");
        int appKey = C.ftok(appKeyFile.toString(), 'Q');
        int app = C.shmget(appKey, 4096, 0600 | LibC.IPC_CREAT | LibC.IPC_EXCL);
        assertTrue(app >= 0, "shmget errno " + LibC.errno());
        segments.add(app);
        Pointer p = C.shmat(app, null, 0);
        p.setString(0, "application data");
        C.shmdt(p);
        try (RunContext run = RunContext.create()) {
            String prefix = run.nextExecutionPrefix();
            Path nobodyTmp = run.workerTmp("n", "nobody");
            assertEquals(65534, PrivateDirectory.uidOf(nobodyTmp));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(nobodyTmp)));
            Path link = QtKeys.systemVKeyFile(nobodyTmp, prefix + "k", QtKeys.SHARED_MEMORY_PREFIX);
            Path hardLink = QtKeys.systemVKeyFile(nobodyTmp, prefix + "h", QtKeys.SHARED_MEMORY_PREFIX);
            assertEquals(0, asNobody("ln -s " + appKeyFile + " " + link));
            assertNotEquals(0, asNobody("ln " + appKeyFile + " " + hardLink), "no hard link to a root file (protected_hardlinks)");
            run.ledger().observe(prefix, run.workerTmps());
            List<String> notes = new ArrayList<>();
            Reaper.afterExecution(run, prefix, notes);
            Pointer q = C.shmat(app, null, 0);
            assertNotEquals(-1L, Pointer.nativeValue(q), "the application's segment is still there: " + notes);
            assertEquals("application data", q.getString(0));
            C.shmdt(q);
            assertTrue(Files.exists(appKeyFile), "and its key file");
            assertFalse(Files.exists(link, LinkOption.NOFOLLOW_LINKS), "the planted link is gone");
        }
    }

    /**
     * A root application's key file that anyone may write (made under umask 0) can be hard-linked by nobody into its
     * TMPDIR under a run's key name, protected_hardlinks or not: the link has the application's owner, birth time and
     * ftok value, so the application's segment made during the run passed for the run's and was reaped (it was, before
     * a key file with two names stopped being one of ours: QtKeyFile). No reaper takes a System V object for a key file's
     * ftok value now, after a schedule or at a dead run's reaping.
     */
    @Test
    void aHardLinkToAnApplicationsKeyFilePlantedInANobodyTmpdirDestroysNothing() throws Exception {
        Path appKeyFile = victimFile("");
        Files.setPosixFilePermissions(appKeyFile, PosixFilePermissions.fromString("rw-rw-rw-"));
        try (RunContext run = RunContext.create()) {
            String prefix = run.nextExecutionPrefix();
            Path nobodyTmp = run.workerTmp("n", "nobody");
            Path hardLink = QtKeys.systemVKeyFile(nobodyTmp, prefix + "h", QtKeys.SHARED_MEMORY_PREFIX);
            assertEquals(0, asNobody("ln " + appKeyFile + " " + hardLink), "a file anyone may write can be hard-linked");
            // The application makes its segment now, during the run, after the link.
            int app = C.shmget(C.ftok(appKeyFile.toString(), 'Q'), 4096, 0600 | LibC.IPC_CREAT | LibC.IPC_EXCL);
            assertTrue(app >= 0, "shmget errno " + LibC.errno());
            segments.add(app);
            run.ledger().observe(prefix, run.workerTmps());
            List<String> notes = new ArrayList<>();
            Reaper.afterExecution(run, prefix, notes);
            Pointer q = C.shmat(app, null, 0);
            assertNotEquals(-1L, Pointer.nativeValue(q), "the application's segment is still there: " + notes);
            C.shmdt(q);
            assertTrue(Files.exists(appKeyFile), "and its key file");
            // Planted again, for the reaping of the run as a dead one (what the next run does once its harness is
            // killed): no System V object goes for a key file's ftok value there either, and a file with two names keys
            // nothing of ours, so not even a line names the application's segment as one the run may have left.
            assertEquals(0, asNobody("ln " + appKeyFile + " " + hardLink));
            List<String> lines = Reaper.reapRun(run.runId(), run.runDir());
            assertTrue(C.shmctl(app, LibC.IPC_STAT, new com.sun.jna.Memory(LibC.SHMID_DS_SIZE)) == 0,
                    "the application's segment survives a dead run's reaping: " + lines);
            assertTrue(lines.stream().noneMatch(l -> l.contains("id " + app + " ")), lines.toString());
            assertTrue(Files.exists(appKeyFile), "and its key file");
        }
    }

    @Test
    void aLiveRunsObjectsSurviveAnotherRunsStartUpReaper() throws Exception {
        try (RunContext live = RunContext.create()) {
            String prefix = live.nextExecutionPrefix();
            Path object = Path.of("/dev/shm", QtKeys.platformSafeName(prefix + "p", QtKeys.SHARED_MEMORY_PREFIX));
            Files.write(object, "live".getBytes(StandardCharsets.UTF_8));
            // What the old reaper took for dead runs: a/tmp ... z/tmp, and a run-like name without a lock.
            // Only root can make them here now; even so they are not runs this reaper can prove dead.
            Path runs = state.resolve("runs");
            for (char c = 'a'; c <= 'z'; c++) {
                Files.createDirectories(runs.resolve(c + "/tmp"));
            }
            Files.createDirectories(runs.resolve("abcdef/tmp"));
            try {
                try (RunContext other = RunContext.create()) {
                    assertNotEquals(live.runId(), other.runId());
                }
                assertEquals("live", Files.readString(object));
                assertTrue(Files.isDirectory(runs.resolve("a/tmp")) && Files.isDirectory(runs.resolve("abcdef/tmp")),
                        "directories that are not provably dead runs are left as they are");
            } finally {
                Files.deleteIfExists(object);
            }
        }
    }
}
