package org.shmconform.worker.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmconform.worker.protocol.WorkerProtocol.ForkServer.Answer;

/** The fork server's lines as the engine reads them: each answer by its shape, anything else an error that says why. */
class ForkServerLinesTest {
    @Test
    void answersAreReadByTheirShape() {
        assertEquals(new Answer("forked", 12, List.of(4, 5, 7), null), Answer.parse("forked 12 4 5 7"));
        assertEquals(new Answer("released", 12, List.of(), null), Answer.parse("released 12"));
        assertEquals(new Answer("reaped", 12, List.of(137), null), Answer.parse("reaped 12 137"));
        assertEquals(new Answer("running", 12, List.of(), null), Answer.parse("running 12"));
    }

    @Test
    void anythingElseIsAnErrorThatSaysWhy() {
        assertEquals("fork: Resource temporarily unavailable", Answer.parse("error fork: Resource temporarily unavailable").why());
        assertTrue(Answer.parse("forked 12 4").is("error"), "three descriptors or none");
        assertTrue(Answer.parse("reaped twelve 0").is("error"));
        assertEquals("unexpected answer \"hello\"", Answer.parse("hello").why());
        assertEquals("no answer", Answer.parse(null).why());
    }

    @Test
    void requestsAreOneLine() {
        assertEquals("fork", WorkerProtocol.ForkServer.fork());
        assertEquals("release 12", WorkerProtocol.ForkServer.release(12));
        assertEquals("reap 12", WorkerProtocol.ForkServer.reap(12));
    }
}
