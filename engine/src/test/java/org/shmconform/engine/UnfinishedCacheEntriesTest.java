package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a harness killed while it made a cache entry leaves (the host archive's worker-*.jsa.part and its dump's segment
 * directory worker-dump-*, a Qt worker build's
 * qt-worker-*.part-* directory, the worker image's build script copied for docker build) goes with the old archives once an hour old; a finished entry of the same age that is
 * in use stays. Before, worker-*.jsa.part matched none of the clean-up's names and stayed in the cache for good.
 */
class UnfinishedCacheEntriesTest {
    private Path state;

    @BeforeEach
    void freshState() {
        state = PrivateState.use();
    }

    @AfterEach
    void removeState() {
        PrivateState.remove(state);
    }

    @Test
    void aKilledHarnesssUnfinishedEntriesGoAfterAnHour() throws Exception {
        Path cache = RunContext.cacheDir();
        Path partArchive = Files.writeString(cache.resolve("worker-1234567890123456.jsa.part"), "half an archive");
        Path partBuild = Files.createDirectory(cache.resolve("qt-worker-0123456789abcdef" + QtReferenceWorker.PARTIAL + "42"));
        Files.writeString(partBuild.resolve("qt_shm_worker"), "half a binary");
        Path script = Files.writeString(cache.resolve("shmconform-123-" + org.shmconform.engine.env.WorkerImage.SCRIPT), "a copy");
        Path dumpSegments = Files.createDirectory(cache.resolve(WorkerClassDataSharing.DUMP_SCRATCH_PREFIX + "1234567890"));
        Files.writeString(dumpSegments.resolve("segment"), "a dump's segment file");
        Path inUse = Files.writeString(cache.resolve("worker-6543210987654321.jsa"), "an archive in use");
        long twoHoursAgo = System.currentTimeMillis() - TimeUnit.HOURS.toMillis(2);
        for (Path p : List.of(partArchive, partBuild, script, dumpSegments, inUse)) {
            Files.setLastModifiedTime(p, FileTime.fromMillis(twoHoursAgo));
        }
        WorkerClassDataSharing.forgetOldArchives(cache, List.of(inUse), System.currentTimeMillis());
        assertFalse(Files.exists(partArchive), partArchive + " stayed");
        assertFalse(Files.exists(partBuild), partBuild + " stayed");
        assertFalse(Files.exists(script), script + " stayed");
        assertFalse(Files.exists(dumpSegments), dumpSegments + " stayed");
        assertTrue(Files.exists(inUse), "an archive in use went");
    }

    @Test
    void aKilledQt68LauncherBuildsPartsGoAfterAnHourAndNothingElse() throws Exception {
        // A harness killed while Qt68Launcher compiled left its fresh names in the build directory: the source copy, the
        // compiler's output and the hash, each renamed or removed only at the build's end. Before, nothing removed them.
        Path cache = RunContext.cacheDir();
        Path dir = Files.createDirectory(cache.resolve("qt68-launch-0123456789abcdef"));
        Path source = Files.writeString(dir.resolve("qt68_launch-4711.c"), "int main;");
        Path output = Files.writeString(dir.resolve("qt68-launch-abcdefgh.part"), "half a binary");
        Path hash = Files.writeString(dir.resolve("qt68-launch0815.sha256.part"), "half a hash");
        Path building = Files.writeString(dir.resolve("qt68-launch-ijklmnop.part"), "another harness's build at work");
        Path binary = Files.writeString(dir.resolve("qt68-launch"), "the finished launcher");
        Path hashFile = Files.writeString(dir.resolve("qt68-launch.sha256"), "its hash");
        Path notOurs = Files.writeString(dir.resolve("notes.part"), "no name of a build's");
        Path target = Files.writeString(cache.resolve("kept-target"), "what a link names");
        Path link = Files.createSymbolicLink(dir.resolve("qt68-launch-qrstuvwx.part"), target);
        Path elsewhere = Files.createDirectory(cache.resolve("elsewhere"));
        Path elsewherePart = Files.writeString(elsewhere.resolve("qt68-launch-yzabcdef.part"), "behind a link");
        Path linkedDir = Files.createSymbolicLink(cache.resolve("qt68-launch-fedcba9876543210"), elsewhere);
        long twoHoursAgo = System.currentTimeMillis() - TimeUnit.HOURS.toMillis(2);
        for (Path p : List.of(source, output, hash, binary, hashFile, notOurs, target, elsewherePart)) {
            Files.setLastModifiedTime(p, FileTime.fromMillis(twoHoursAgo));
        }
        WorkerClassDataSharing.forgetOldArchives(cache, List.of(), System.currentTimeMillis());
        for (Path gone : List.of(source, output, hash)) {
            assertFalse(Files.exists(gone, java.nio.file.LinkOption.NOFOLLOW_LINKS), gone + " stayed");
        }
        for (Path kept : List.of(building, binary, hashFile, notOurs, target, link, elsewherePart, linkedDir)) {
            assertTrue(Files.exists(kept, java.nio.file.LinkOption.NOFOLLOW_LINKS), kept + " went");
        }
    }
}
