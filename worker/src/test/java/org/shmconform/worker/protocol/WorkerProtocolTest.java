package org.shmconform.worker.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmconform.spi.Args;
import org.shmconform.spi.Op;
import org.shmconform.worker.protocol.WorkerProtocol.Attached;
import org.shmconform.worker.protocol.WorkerProtocol.BadRequest;
import org.shmconform.worker.protocol.WorkerProtocol.ErrorState;
import org.shmconform.worker.protocol.WorkerProtocol.Hello;
import org.shmconform.worker.protocol.WorkerProtocol.NativeKey;
import org.shmconform.worker.protocol.WorkerProtocol.ReadData;
import org.shmconform.worker.protocol.WorkerProtocol.Reply;
import org.shmconform.worker.protocol.WorkerProtocol.Request;
import org.shmconform.worker.protocol.WorkerProtocol.Size;

/**
 * The typed records speak the wire format of before: golden/wire-before-args.jsonl holds requests
 * and replies encoded by the code that had flat request fields and JsonNode values (the format the
 * Qt worker speaks); each line decodes to the expected record and encodes back byte for byte.
 */
class WorkerProtocolTest {
    private static List<String> golden() throws IOException {
        return new String(WorkerProtocolTest.class.getResourceAsStream("/golden/wire-before-args.jsonl").readAllBytes(),
                StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void requestsKeepTheirWireShape() throws IOException {
        List<String> lines = golden().subList(0, 5);
        List<Request> expected = List.of(
                new Request(1, Op.create, new Args("shmcfABCDEFk", 64L, "ReadWrite", null, null, null, null)),
                new Request(2, Op.write, Args.NONE.withOffset(0L).withDataHex("6869")),
                new Request(3, Op.read, Args.NONE.withOffset(0L).withLength(2)),
                new Request(4, Op.sleep, Args.NONE.withMs(5L)),
                new Request(5, Op.attach, Args.NONE.withKey("").withMode("ReadOnly")));
        for (int i = 0; i < lines.size(); i++) {
            assertEquals(expected.get(i), WorkerProtocol.decodeRequest(lines.get(i)));
            assertEquals(lines.get(i), WorkerProtocol.encode(expected.get(i)));
        }
    }

    /**
     * A request names the object of the process it is for in {@code obj} (a second object in the same process): object 0 is
     * written without it, as before, so the Qt worker and an older line read the same; out of range is a protocol error.
     */
    @Test
    void theObjectARequestNamesIsOnTheLineAndObjectZeroIsNot() throws IOException {
        Request lock = new Request(7, Op.lock, Args.NONE);
        assertEquals("{\"seq\":7,\"op\":\"lock\"}", WorkerProtocol.encode(lock));
        assertEquals("{\"seq\":7,\"op\":\"lock\",\"obj\":1}", WorkerProtocol.encode(lock.toObject(1)));
        assertEquals(lock, lock.toObject(0));
        assertEquals(1, WorkerProtocol.decodeRequest("{\"seq\":7,\"op\":\"lock\",\"obj\":1}").object());
        assertEquals(0, WorkerProtocol.decodeRequest("{\"seq\":7,\"op\":\"lock\",\"obj\":null}").object());
        for (String bad : List.of("4", "-1", "\"1\"", "1.0", "true")) {
            BadRequest e = assertThrows(BadRequest.class,
                    () -> WorkerProtocol.decodeRequest("{\"seq\":8,\"op\":\"lock\",\"obj\":" + bad + "}"), bad);
            assertEquals(8, e.seq(), bad);
        }
        // The harness reads a request back with databind (a history's evidence, ScheduleAttempt's toRequest in tests).
        assertEquals(lock.toObject(2), WorkerProtocol.json().readValue("{\"seq\":7,\"op\":\"lock\",\"obj\":2}", Request.class));
    }

    @Test
    void replyValuesAreTypedByTheirShape() throws IOException {
        List<String> lines = golden().subList(5, 12);
        List<Class<?>> types = java.util.Arrays.asList(Hello.class, ReadData.class, Size.class, Attached.class,
                NativeKey.class, ErrorState.class, null);
        for (int i = 0; i < lines.size(); i++) {
            Reply r = WorkerProtocol.decodeReply(lines.get(i));
            if (types.get(i) == null) {
                assertNull(r.value());
            } else {
                assertInstanceOf(types.get(i), r.value(), lines.get(i));
            }
            assertEquals(lines.get(i), WorkerProtocol.encode(r));
        }
        assertEquals(new Hello(1, 12, 13, "java", "sysv"), WorkerProtocol.decodeReply(lines.get(0)).value(Hello.class));
        assertEquals(new Size(64), WorkerProtocol.decodeReply(lines.get(2)).value());
        assertEquals(new ErrorState("NotFound", "gone"), WorkerProtocol.decodeReply(lines.get(5)).value());
        assertNull(WorkerProtocol.decodeReply(lines.get(2)).value(Hello.class));
    }

    @Test
    void handOverRequestsAndALocksOwnerDeathHaveAWireShape() throws IOException {
        Request serve = new Request(6, Op.serveFd, Args.NONE.withPath("/run/x/fd-abc"), 65534);
        String line = "{\"seq\":6,\"op\":\"serveFd\",\"path\":\"/run/x/fd-abc\",\"peerUid\":65534}";
        assertEquals(line, WorkerProtocol.encode(serve));
        assertEquals(serve, WorkerProtocol.decodeRequest(line));
        Request receive = new Request(7, Op.attachFd, Args.NONE.withKey("k").withPath("/run/x/fd-abc").withMode("ReadWrite"));
        assertEquals(receive, WorkerProtocol.decodeRequest(WorkerProtocol.encode(receive)));
        Reply died = WorkerProtocol.decodeReply("{\"seq\":8,\"ok\":true,\"value\":{\"ownerDied\":true},\"error\":\"NoError\"}");
        assertEquals(new WorkerProtocol.LockTaken(true), died.value());
        assertEquals("{\"seq\":8,\"ok\":true,\"value\":{\"ownerDied\":true},\"error\":\"NoError\"}", WorkerProtocol.encode(died));
        // A lock reply without a value (the Qt worker's) still reads: the worker did not say.
        assertNull(WorkerProtocol.decodeReply("{\"seq\":9,\"ok\":true,\"error\":\"NoError\"}").value());
    }

    @Test
    void aSpawnedChildAndItsInheritedAttachHaveAWireShape() throws IOException {
        Request spawn = new Request(10, Op.spawnChild, Args.NONE.withPath("/run/x/tmp-abc/child-C").withChild("C"));
        String line = "{\"seq\":10,\"op\":\"spawnChild\",\"path\":\"/run/x/tmp-abc/child-C\"}";
        assertEquals(line, WorkerProtocol.encode(spawn), "the schedule's child id stays with the engine");
        assertEquals(Op.spawnChild, WorkerProtocol.decodeRequest(line).op());
        String spawned = "{\"seq\":10,\"ok\":false,\"value\":{\"child\":4321},\"error\":\"NotFound\"}";
        assertEquals(new WorkerProtocol.Spawned(4321), WorkerProtocol.decodeReply(spawned).value());
        assertEquals(spawned, WorkerProtocol.encode(WorkerProtocol.decodeReply(spawned)));
        String hello = "{\"seq\":0,\"ok\":true,\"value\":{\"protocol\":1,\"pid\":5,\"tid\":5,\"impl\":\"java\","
                + "\"backend\":\"memfd-fd\",\"inherited\":{\"ok\":true,\"error\":\"NoError\",\"errorString\":\"\"}}}";
        Hello h = WorkerProtocol.decodeReply(hello).value(Hello.class);
        assertEquals(new WorkerProtocol.Inherited(true, "NoError", ""), h.inherited());
        assertEquals(hello, WorkerProtocol.encode(WorkerProtocol.decodeReply(hello)));
    }

    @Test
    void aValueOfNoKnownShapeIsNotThisProtocol() {
        assertThrows(IOException.class, () -> WorkerProtocol.decodeReply("{\"seq\":1,\"ok\":true,\"value\":[1]}"));
        assertThrows(IOException.class, () -> WorkerProtocol.decodeReply("{\"seq\":1,\"ok\":true,\"value\":{\"x\":1}}"));
    }

    @Test
    void aBadRequestKeepsItsSeqWhenItHasOne() {
        assertEquals(7, assertThrows(BadRequest.class, () -> WorkerProtocol.decodeRequest("{\"seq\":7,\"op\":\"explode\"}")).seq());
        assertEquals(8, assertThrows(BadRequest.class, () -> WorkerProtocol.decodeRequest("{\"seq\":8}")).seq());
        assertEquals(9, assertThrows(BadRequest.class,
                () -> WorkerProtocol.decodeRequest("{\"seq\":9,\"op\":\"read\",\"offset\":\"x\"}")).seq());
        assertEquals(0, assertThrows(BadRequest.class, () -> WorkerProtocol.decodeRequest("not json")).seq());
        assertEquals(0, assertThrows(BadRequest.class, () -> WorkerProtocol.decodeRequest("[1,2]")).seq());
    }
}
