package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.spi.Availability;
import org.shmconform.worker.protocol.WorkerProtocol;
import org.shmconform.worker.protocol.WorkerProtocol.ErrorState;
import org.shmconform.worker.protocol.WorkerProtocol.NativeKey;
import org.shmconform.worker.protocol.WorkerProtocol.Reply;

/**
 * A pooled Qt worker in file-map mode ({@code qt-filemap}) answers the next schedule as a fresh one after its reset: its
 * QFile's name, its error and its key were the last schedule's before (the outside clean check cannot see them, since
 * nothing is mapped or open), so the next schedule's {@code error} said NotFound and its {@code nativeKey} named the last
 * schedule's file.
 */
class QtFileMapResetTest {
    /** A guard against a hung worker, not a verdict. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(60);

    @Test
    void aResetLeavesNothingOfTheLastSchedulesFile() throws Exception {
        Availability here = Subjects.here().availability(QtReferenceWorker.IMPL);
        if (!here.available()) {
            Assumptions.abort("the Qt 6.4 worker cannot run here: " + here.reason());
        }
        try (RunContext run = RunContext.create()) {
            String prefix = run.nextExecutionPrefix();
            Path absent = run.workerTmp().resolve(prefix + "absent");
            WorkerProcess wp = new WorkerProcess("A", new LocalEnvironment().start(
                    new WorkerCommands(run).command(QtReferenceWorker.FILE_MAP_IMPL, null, null), "g"),
                    run.logs().resolve(prefix + "-A.stderr.log"));
            try {
                assertNotNull(wp.awaitHello(HANG_GUARD), "hello");
                Reply attach = ask(wp, "{\"seq\":1,\"op\":\"attach\",\"key\":\"" + absent + "\",\"mode\":\"ReadWrite\"}");
                assertEquals("NotFound", attach.error());
                assertEquals("NotFound", ask(wp, "{\"seq\":2,\"op\":\"error\"}").value(ErrorState.class).error());

                assertNull(wp.reset(3, HANG_GUARD), "a clean reset");

                Reply error = ask(wp, "{\"seq\":4,\"op\":\"error\"}");
                assertEquals("NoError", error.value(ErrorState.class).error(), "the last schedule's error");
                assertEquals("", ask(wp, "{\"seq\":5,\"op\":\"nativeKey\"}").value(NativeKey.class).nativeKey(),
                        "the last schedule's file");
            } finally {
                wp.shutdown(HANG_GUARD);
            }
        }
    }

    private static Reply ask(WorkerProcess wp, String line) throws Exception {
        WorkerProtocol.Request request = WorkerProtocol.decodeRequest(line);
        wp.send(request);
        WorkerProcess.Received r = wp.poll(HANG_GUARD);
        assertNotNull(r, "no reply to " + line);
        assertNotNull(r.reply(), "no reply to " + line + " (the worker ended)");
        assertEquals(request.seq(), r.reply().seq());
        return r.reply();
    }
}
