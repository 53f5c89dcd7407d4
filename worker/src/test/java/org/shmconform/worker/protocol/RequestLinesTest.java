package org.shmconform.worker.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.shmconform.worker.protocol.WorkerProtocol.BadRequest;
import org.shmconform.worker.protocol.WorkerProtocol.RequestLines;

/**
 * The Java worker's stdin as "Malformed requests" cuts it: at LF only, at most MAX_LINE_BYTES, strict UTF-8; a line
 * that cannot be read costs that line (seq 0), and the next one is read as usual. (ProtocolConformanceTest and
 * RequestFuzzTest check the same on real worker processes of both kinds.)
 */
class RequestLinesTest {
    @Test
    void aLineEndsAtItsLfOnlyAndTheLastMayLackIt() throws IOException {
        RequestLines in = lines("a\r\nb\rc\n\nlast".getBytes(StandardCharsets.UTF_8));
        assertEquals("a\r", in.next());
        assertEquals("b\rc", in.next());
        assertEquals("", in.next());
        assertEquals("last", in.next());
        assertNull(in.next());
    }

    @Test
    void aLineTooLongOrNotUtf8IsRefusedAndTheNextIsRead() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("x".repeat(WorkerProtocol.MAX_LINE_BYTES + 1).getBytes(StandardCharsets.US_ASCII));
        b.writeBytes("\n{\"k\":\"".getBytes(StandardCharsets.US_ASCII));
        b.write(0xff);
        b.writeBytes("\"}\nok\n".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes("y".repeat(WorkerProtocol.MAX_LINE_BYTES).getBytes(StandardCharsets.US_ASCII)); // just fits
        RequestLines in = lines(b.toByteArray());
        assertEquals(0, assertThrows(BadRequest.class, in::next).seq());
        assertEquals(0, assertThrows(BadRequest.class, in::next).seq());
        assertEquals("ok", in.next());
        assertEquals(WorkerProtocol.MAX_LINE_BYTES, in.next().length());
        assertNull(in.next());
    }

    @Test
    void theLinesOwnSeqIsKeptWhereOnlyAFieldIsWrong() {
        assertEquals(5, assertThrows(BadRequest.class,
                () -> WorkerProtocol.decodeLine("{\"seq\":5,\"op\":\"read\",\"offset\":0,\"length\":99999999999999999999}")).seq());
        assertEquals(0, assertThrows(BadRequest.class, () -> WorkerProtocol.decodeLine("{\"seq\":5.5,\"op\":\"size\"}")).seq());
        assertEquals(0, assertThrows(BadRequest.class, () -> WorkerProtocol.decodeLine("{\"seq\":5,\"op\":\"size\"} {}")).seq());
        assertEquals(6, assertThrows(BadRequest.class, () -> WorkerProtocol.decodeLine("{\"seq\":6,\"op\":\"create\",\"key\":\"k\"}")).seq());
    }

    private static RequestLines lines(byte[] bytes) {
        return new RequestLines(new ByteArrayInputStream(bytes));
    }
}
