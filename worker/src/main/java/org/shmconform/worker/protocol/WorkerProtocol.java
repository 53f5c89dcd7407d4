package org.shmconform.worker.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.shmconform.spi.Op;

/**
 * The worker wire protocol: the one place that defines what the engine and a worker say to each
 * other. A worker in any language (the Java {@code WorkerMain}, the Qt reference worker) is
 * written from this comment alone.
 *
 * <h2>Transport</h2>
 * A worker is a process that holds exactly one segment object (one {@code QSharedMemory}). It reads
 * requests from <b>stdin</b> and writes replies to <b>stdout</b>, one JSON object per line (UTF-8,
 * '\n'-terminated, no pretty printing). Logs and warnings go to <b>stderr</b> only, never stdout.
 * Requests are handled strictly one at a time, in order: a request that blocks (a {@code lock}
 * while another process holds the lock) delays every later reply. The engine relies on that.
 *
 * <h2>Start-up</h2>
 * Before reading anything the worker writes a hello reply:
 * {@code {"seq":0,"ok":true,"value":{"protocol":1,"pid":1234,"tid":1234,"impl":"java","backend":"sysv"}}}.
 * {@code pid} is the worker's own process id as the worker sees it (in a container: the
 * container's pid namespace). {@code tid} is the kernel thread id ({@code gettid()}, same pid
 * namespace) of the thread that executes every request: the engine reads that thread's
 * {@code /proc/<pid>/task/<tid>/stat} and {@code syscall} to confirm that an op is blocked in a lock
 * wait rather than merely slow. A worker must therefore run all ops on the thread that wrote the
 * hello. The TMPDIR of the environment is the directory Qt-style key files live in.
 *
 * <h2>Requests</h2>
 * {@code {"seq":7,"op":"write","offset":0,"hex":"68656c6c6f"}}: {@code seq} is a positive number
 * the worker copies into the reply; {@code op} is one of {@link Op}; the other fields are the
 * op's arguments, absent when unused:
 * <ul>
 * <li>{@code create} key, size, mode — {@code setKey(key)} if the key differs, then {@code create(size, mode)}</li>
 * <li>{@code attach} key, mode ({@code "ReadOnly"} or {@code "ReadWrite"}) — setKey as above, then {@code attach(mode)}</li>
 * <li>{@code detach}, {@code lock}, {@code unlock} — the QSharedMemory calls of the same name</li>
 * <li>{@code read} offset, length — copies bytes out of {@code data()}; value {@code {"hex":"..."}}</li>
 * <li>{@code write} offset, hex — copies bytes into {@code data()}, refused on a read-only attach</li>
 * <li>{@code rawWrite} offset, hex — stores into the mapping without any check (a read-only
 *     mapping kills the worker with SIGSEGV: that is the point)</li>
 * <li>{@code truncate} length — shrinks the object under the segment, as an untrusted peer could</li>
 * <li>{@code size} (value: number), {@code isAttached} (value: boolean), {@code nativeKey} (value: string),
 *     {@code error} (value: {@code {"error":"NotFound","errorString":"..."}})</li>
 * <li>{@code sleep} ms — replies after sleeping</li>
 * <li>{@code exit} — destroys the segment object (as the QSharedMemory destructor does), replies, exits 0</li>
 * </ul>
 *
 * <h2>Replies</h2>
 * {@code {"seq":7,"ok":true,"value":...,"error":"NoError","errorCode":0,"errorString":""}}.
 * {@code ok} is the boolean the call returned (true for ops that return no boolean); {@code error},
 * {@code errorCode} and {@code errorString} are the object's {@code error()} (Qt's enum name and
 * value, NoError=0 ... UnknownError=8) and {@code errorString()} after the call. A request the
 * worker cannot parse or does not know gets {@code ok:false}, {@code error:"UnknownError"} and
 * {@code "protocolError":"<why>"}; the worker keeps running.
 */
public final class WorkerProtocol {
    public static final int VERSION = 1;

    /** One request line. Unused fields are null and left out of the JSON. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Request(long seq, Op op, String key, Long size, String mode, Long offset, Integer length,
                          String hex, Long ms) {
    }

    /** One reply line. {@code value} is whatever JSON the op returns (null for none). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Reply(long seq, boolean ok, JsonNode value, String error, Integer errorCode, String errorString,
                        String protocolError) {
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private WorkerProtocol() {
    }

    public static ObjectMapper json() {
        return JSON;
    }

    public static String encode(Object message) {
        try {
            return JSON.writeValueAsString(message);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Request decodeRequest(String line) throws IOException {
        return JSON.readValue(line, Request.class);
    }

    public static Reply decodeReply(String line) throws IOException {
        return JSON.readValue(line, Reply.class);
    }
}
