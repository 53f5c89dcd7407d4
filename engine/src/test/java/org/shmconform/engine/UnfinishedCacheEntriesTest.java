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
 * What a harness killed while it made a cache entry leaves (the host archive's worker-*.jsa.part, a Qt worker build's
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
        Path inUse = Files.writeString(cache.resolve("worker-6543210987654321.jsa"), "an archive in use");
        long twoHoursAgo = System.currentTimeMillis() - TimeUnit.HOURS.toMillis(2);
        for (Path p : List.of(partArchive, partBuild, script, inUse)) {
            Files.setLastModifiedTime(p, FileTime.fromMillis(twoHoursAgo));
        }
        WorkerClassDataSharing.forgetOldArchives(cache, List.of(inUse), System.currentTimeMillis());
        assertFalse(Files.exists(partArchive), partArchive + " stayed");
        assertFalse(Files.exists(partBuild), partBuild + " stayed");
        assertFalse(Files.exists(script), script + " stayed");
        assertTrue(Files.exists(inUse), "an archive in use went");
    }
}
