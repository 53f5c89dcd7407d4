package org.shmconform.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.Backends;
import org.shmconform.spi.Args;
import org.shmconform.spi.Op;
import org.shmconform.worker.protocol.WorkerProtocol;
import org.shmconform.worker.protocol.WorkerProtocol.Reply;
import org.shmconform.worker.protocol.WorkerProtocol.Request;

/**
 * A reset that names a backend ("Between schedules: reset"): the worker's object of one backend is dropped as its
 * destructor drops it, and the next one is of the backend named, which its reply says. The WorkerPool hands a clean
 * Java worker of one column to the next column this way instead of starting another JVM.
 */
class SegmentCommandsResetTest {
    /** Letters only after the tests' prefix ({@code shmcftest}, as the backends' tests do): Qt's key mangling keeps them. */
    private final String key = "shmcftest" + new SecureRandom().ints(10, 'a', 'z' + 1)
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append);

    /** Nothing the test made is left on /dev/shm, where both backends' segments and the posix lock's semaphore live. */
    @AfterEach
    void nothingLeft() throws IOException {
        try (Stream<Path> shm = Files.list(Path.of("/dev/shm"))) {
            assertEquals(List.of(), shm.map(Path::toString).filter(n -> n.contains(key)).toList());
        }
    }

    @Test
    void aResetThatNamesABackendMakesTheNextObjectOfThatBackend() {
        SegmentCommands commands = new SegmentCommands(Backends.named("mmapfile").orElseThrow());
        try {
            assertTrue(commands.execute(new Request(1, Op.create, Args.NONE.withKey(key).withSize(64L))).ok());
            String mmapfileKey = nativeKey(commands, 2);
            assertTrue(Files.exists(Path.of(mmapfileKey)), mmapfileKey); // the mmapfile backend's file on /dev/shm

            WorkerProtocol.Released released = commands.reset(3, "posix").value(WorkerProtocol.Released.class);
            assertNotNull(released);
            assertEquals(0, released.objects());
            assertEquals("posix", released.backend());
            assertFalse(Files.exists(Path.of(mmapfileKey)), "the last detach of the dropped object removed " + mmapfileKey);

            assertTrue(commands.execute(new Request(4, Op.create, Args.NONE.withKey(key).withSize(64L))).ok());
            String posixKey = nativeKey(commands, 5);
            assertEquals(Backends.named("posix").orElseThrow().open(key).nativeKey(), posixKey);

            // A reset that names none keeps the backend served.
            assertEquals("posix", commands.reset(6, null).value(WorkerProtocol.Released.class).backend());
            assertEquals("", nativeKey(commands, 7));
            assertTrue(commands.execute(new Request(8, Op.attach, Args.NONE.withKey(key))).error().equals("NotFound"),
                    "the posix segment went with its last detach");
        } finally {
            commands.close();
        }
    }

    @Test
    void aBackendTheWorkerDoesNotHaveIsRefusedAndTheOneServedStays() {
        SegmentCommands commands = new SegmentCommands(Backends.named("mmapfile").orElseThrow());
        try {
            Reply refused = commands.reset(1, "no-such-backend");
            assertFalse(refused.ok());
            assertEquals("reset: no backend named no-such-backend", refused.protocolError());
            assertNull(refused.value(WorkerProtocol.Released.class));
            assertEquals("mmapfile", commands.reset(2, null).value(WorkerProtocol.Released.class).backend());
        } finally {
            commands.close();
        }
    }

    private static String nativeKey(SegmentCommands commands, long seq) {
        return commands.execute(new Request(seq, Op.nativeKey, Args.NONE)).value(WorkerProtocol.NativeKey.class).nativeKey();
    }
}
