package org.shmconform.worker.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.shmconform.spi.Args;
import org.shmconform.spi.Op;

/**
 * The worker wire protocol: the one place that defines what the engine and a worker say to each
 * other. A worker in any language (the Java {@code WorkerMain}, the Qt reference worker) is
 * written from this comment alone.
 *
 * <h2>Transport</h2>
 * A worker is a process that holds segment objects (each one {@code QSharedMemory}): object 0, made at its start, and
 * up to {@link #MAX_OBJECTS} - 1 more, each made (fresh: no key, ReadWrite) by the first request that names it in
 * {@code obj} (see Requests). It reads
 * requests from <b>stdin</b> and writes replies to <b>stdout</b>, one JSON object per line (UTF-8,
 * '\n'-terminated, no pretty printing). Logs and warnings go to <b>stderr</b> only, never stdout.
 * Requests are handled strictly one at a time, in order: a request that blocks (a {@code lock}
 * while another process holds the lock) delays every later reply. The engine relies on that.
 *
 * <h2>Start-up</h2>
 * Before reading anything the worker writes a hello reply:
 * {@code {"seq":0,"ok":true,"value":{"protocol":1,"pid":1234,"tid":1234,"impl":"java","backend":"sysv"}}}
 * (a child started by spawnChild adds {@code "inherited":{"ok":true,"error":"NoError","errorString":""}}).
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
 * op's arguments ({@link Args}, written flat; its {@code dataHex} is the field {@code hex}), absent
 * when unused ({@link Request}). {@code obj} (a number, 0 to {@link #MAX_OBJECTS} - 1; absent or null: 0) names the
 * object of the process the op is done on: a second object of one process is what Qt's per-object bookkeeping (its lock
 * flag, its attachment) and the kernel's per-process one (a System V semaphore's undo, fcntl locks) tell apart. Ops
 * are still done one at a time: an op of one object that blocks (its lock, while the other object holds it) delays every
 * later request, of every object. Ops:
 * <ul>
 * <li>{@code create} key, size, mode — {@code setKey(key)} if the key differs, then {@code create(size, mode)}</li>
 * <li>{@code attach} key, mode ({@code "ReadOnly"} or {@code "ReadWrite"}) — setKey as above, then {@code attach(mode)}</li>
 * <li>{@code detach}, {@code lock}, {@code unlock} — the QSharedMemory calls of the same name</li>
 * <li>{@code read} offset, length — copies bytes out of {@code data()}; value {@code {"hex":"..."}}</li>
 * <li>{@code write} offset, hex — copies bytes into {@code data()}, refused on a read-only attach</li>
 * <li>read and write are the harness's calls, not Qt's: when not attached (NotFound, {@code "read: not attached"}),
 *     outside the segment (InvalidSize, {@code "read: range [60, 68) is outside the segment of 64 bytes"}) or
 *     (write) read-only (PermissionDenied, {@code "write: segment is attached read-only"}) they are refused in
 *     the reply only: the object's {@code error()} is left as it was</li>
 * <li>{@code rawWrite} offset, hex — stores into the mapping without any check (a read-only
 *     mapping kills the worker with SIGSEGV: that is the point)</li>
 * <li>{@code truncate} length — shrinks the object under the segment, as an untrusted peer could</li>
 * <li>{@code size} (value: number), {@code isAttached} (value: boolean), {@code nativeKey} (value: string),
 *     {@code error} (value: {@code {"error":"NotFound","errorString":"..."}})</li>
 * <li>{@code sleep} ms — replies after sleeping</li>
 * <li>{@code exit} — destroys the segment object (as the QSharedMemory destructor does), replies, exits 0</li>
 * <li>{@code serveFd} path, peerUid — the attached segment's descriptor is served (SCM_RIGHTS) on a Unix
 *     socket made at {@code path} (a directory the engine owns) to processes of uid {@code peerUid} or of the
 *     worker's own uid, until detach; {@code attachFd} key, path, mode — setKey as above, then attach through
 *     the descriptor received from {@code path} (seed L5). A worker whose segment cannot hand descriptors over
 *     answers both false with UnknownError; one that does not know them (the Qt worker) with a protocolError</li>
 * <li>{@code placement} [path] — every directory the backend puts named objects in (or the directory {@code path}),
 *     with statfs's filesystem type (value: a string, {@code spi.Placement.Measured#encode}); {@code placeIn} path —
 *     the backend puts its files in that directory from now on (false with UnknownError when it cannot be told);
 *     {@code createTemp} key, size, mode — a segment on a QTemporaryFile-style file of the key's template (value: the
 *     file's name); {@code tempFiles} key — the template's temporary files now there (value: names, space-separated).
 *     Seeds M6, L1, L2, L4 and M3; the Qt workers do not know them (protocolError)</li>
 * <li>{@code spawnChild} path — the worker itself starts a child process (seed L5, "let a child process inherit
 *     it"): the same worker program with the same arguments, plus {@code --inherited 3 <key> <mode>} (the object's
 *     key and the mode it attached with), whose stdin, stdout and stderr are the FIFOs {@code <path>.stdin},
 *     {@code <path>.stdout} and {@code <path>.stderr} the engine made (opened in the child before exec), and which
 *     inherits the attached segment's descriptor at number 3 (posix_spawn, no other descriptor). The worker reaps
 *     the child when it exits, and never signals it. Value {@code {"child":<pid>}} ({@link Spawned}) once a child
 *     was started; ok true when it got the descriptor, false when it was started without one: NotFound when the
 *     object is not attached, UnknownError when its segment cannot hand a descriptor over (the child then takes
 *     no {@code --inherited}). A child that could not be started: false, no value. The child is a worker like
 *     any other: it says hello on its stdout and takes requests on its stdin, from the engine; a child started
 *     with {@code --inherited} first attaches through that descriptor (without the segment lock: the descriptor
 *     keeps the segment alive) and says in its hello's {@code inherited} how that went ({@link Inherited})</li>
 * <li>{@code lock}'s value (optional): {@code {"ownerDied":true}} when the lock was taken over from a holder
 *     that died holding it (a robust mutex's EOWNERDEAD), {@code {"ownerDied":false}} otherwise; a worker that
 *     cannot tell sends no value</li>
 * </ul>
 *
 * <h2>Replies</h2>
 * {@code {"seq":7,"ok":true,"value":...,"error":"NoError","errorCode":0,"errorString":""}} ({@link Reply}).
 * {@code value} is one of the {@link Value} records, told apart by its JSON shape alone: the hello's
 * object ({@link Hello}), a read's {@code {"hex":...}} ({@link ReadData}), a lock's {@code {"ownerDied":...}} ({@link LockTaken}), a number ({@link Size}), a
 * boolean ({@link Attached}), a string ({@link NativeKey}) or {@code {"error":...,"errorString":...}}
 * ({@link ErrorState}); absent for every other op and for a failed call.
 * {@code ok} is the boolean the call returned (true for ops that return no boolean); {@code error},
 * {@code errorCode} and {@code errorString} are the object's {@code error()} (Qt's enum name and
 * value, NoError=0 ... UnknownError=8) and {@code errorString()} after the call. A request the
 * worker cannot parse or does not know gets {@code ok:false}, {@code error:"UnknownError"} and
 * {@code "protocolError":"<why>"}, with the request's {@code seq} when the line is a JSON object that
 * has one (0 otherwise); the worker keeps running.
 *
 * <h2>Malformed requests</h2>
 * Every worker answers every line the same well-defined way: exactly one reply, never a crash, a hang or a guess. A line
 * is a protocol error (the reply above; nothing else happens: no setKey, no detach, no call) when:
 * <ul>
 * <li>with seq 0, the line cannot be read: it is not UTF-8, it is longer than {@link #MAX_LINE_BYTES} (the rest of it, up
 *     to its LF, is read and dropped), it is not one JSON object (RFC 8259: a raw control character U+0000-U+001F inside a
 *     string, a byte order mark, anything but whitespace after the object, nesting deeper than {@link #MAX_DEPTH}), or its {@code seq} is
 *     not an integer as below;</li>
 * <li>with the line's seq: {@code op} is missing, not a string or unknown; a field this protocol names ({@code key},
 *     {@code mode}, {@code hex}, {@code path}, {@code backend} strings; {@code size}, {@code offset}, {@code length},
 *     {@code ms}, {@code peerUid}, {@code obj} numbers) has another type, wherever it appears (null counts as absent); a number is not an
 *     integer written plainly, in the signed 64-bit range (1.0, 1e2, 1.5, 2^63 and 1e300 are not), or {@code length} or
 *     {@code peerUid} is outside the signed 32-bit range, or {@code ms} is negative, or {@code obj} is outside 0 to
 *     {@link #MAX_OBJECTS} - 1; {@code mode} is neither
 *     {@code "ReadOnly"} nor {@code "ReadWrite"}; {@code hex} is not an even-length string of hex digits; an argument the
 *     op needs is absent ({@link #NEEDS}); or a read asks for more than {@link #MAX_READ_BYTES}.</li>
 * </ul>
 * A line ends at its LF, and only there: a CR is JSON whitespace like a space (a CRLF line is one request). Of a field
 * given twice, the last counts (as Qt's QJsonObject keeps it). An absent {@code key} is no setKey: the object keeps the
 * key it has (a fresh object's is empty). A read, write or rawWrite whose range {@code [offset, offset + length)} is not
 * inside the segment is refused (InvalidSize, in the reply only, the end written as the exact sum even past 2^63),
 * rawWrite too: it skips the read-only check only. A truncate's refusal is the backend's: a Java backend keeps it in
 * {@code error()} as any failed call does, the Qt worker says it in the reply only; the model judges the reply of each op
 * and never the {@code error} op's value (SegmentModel: "sleep, error" change nothing), so both are judged alike.
 *
 * <h2>The fork server</h2>
 * A native worker started with {@link ForkServer#ARGUMENT} is no worker itself: it loads its program, then serves
 * plain text lines on stdin, one answer line each on stdout ({@link ForkServer}): {@code fork} forks a fresh worker
 * whose stdin, stdout and stderr are new pipes (answer {@code forked <pid> <in> <out> <err>}: the server's own
 * descriptors of the other ends, which the engine opens through {@code /proc/<server>/fd/}); {@code release <pid>}
 * closes the server's copies of those ends (answer {@code released <pid>}); the child says hello and speaks this
 * protocol on its pipes. {@code reap <pid>} waits for a child of the server that has exited (answer
 * {@code reaped <pid> <status>}, 128+N for a death by signal N, or {@code running <pid>}); a request it cannot do gets
 * {@code error <why>}. A child is reaped only when asked, so its pid is not reused until the engine is done with it.
 *
 * <h2>Between schedules: reset</h2>
 * {@code {"seq":9,"op":"reset"}} is the harness's own request, never a schedule step (so not an {@link Op}):
 * a worker the engine wants to reuse for another schedule must first drop its segment object exactly as
 * {@code exit} does (the QSharedMemory destructor: detach, the last one out removes the segment, release
 * the lock it holds), every object it holds, start over with a fresh object 0 (no key, ReadWrite; any other object is
 * made afresh by its next request, {@code obj} of a reset is ignored) and reply
 * {@code {"seq":9,"ok":true,"value":{"objects":0,"pid":1234}}} ({@link Released}): how many segment objects
 * it still holds (0, or the engine replaces it) and its pid. The reply is only the worker's word: the engine
 * checks the rest from outside ({@code /proc/<pid>/maps}, {@code fd}, {@code fdinfo}) before it reuses
 * the process. A worker that does not know it answers with a protocolError and is simply never reused.
 * {@code {"seq":9,"op":"reset","backend":"posix"}} asks a Java worker, which can serve every backend on its class path,
 * to serve that one from then on (the engine's pool hands a clean worker of one Java column to the next column instead
 * of starting another JVM): its fresh object is of that backend, and its reply names it,
 * {@code {"objects":0,"pid":1234,"backend":"posix"}}; a backend it does not have is refused with a protocolError. A
 * worker that serves one program only (the Qt workers) is never asked.
 *
 * <h2>Conformance</h2>
 * {@code protocol-conformance.jsonl}, beside this class, is this protocol as a script of requests
 * and expected replies; every worker must pass it (the engine's ProtocolConformanceTest runs it).
 */
public final class WorkerProtocol {
    public static final int VERSION = 1;
    /** How many segment objects one worker process may hold ({@code obj} 0 to MAX_OBJECTS - 1). */
    public static final int MAX_OBJECTS = 4;
    /**
     * The longest request line a worker reads, without its LF: room for a write of the largest transfer a schedule may
     * make (ScheduleValidation.MAX_TRANSFER, 1 MiB, so 2 MiB of hex) and its other fields; a longer line is dropped unread.
     */
    public static final int MAX_LINE_BYTES = 4 << 20;
    /**
     * The most bytes one read may ask for (ScheduleValidation.MAX_TRANSFER): its reply carries them as hex on one line, and
     * a read of 2^31 - 1 bytes of a large segment would cost either worker several GB (a crash for want of memory).
     */
    public static final int MAX_READ_BYTES = 1 << 20;
    /** The deepest nesting of a request line: Qt's QJsonDocument refuses a document nested deeper than 1024 (DeepNesting). */
    public static final int MAX_DEPTH = 1024;
    /** The arguments each op cannot do without (the others may be absent); a request without one is a protocol error. */
    public static final java.util.Map<Op, List<String>> NEEDS = needs();

    private static java.util.Map<Op, List<String>> needs() {
        java.util.Map<Op, List<String>> m = new java.util.EnumMap<>(Op.class);
        for (Op op : Op.values()) {
            m.put(op, switch (op) {
                case create, createTemp -> List.of("size");
                case read -> List.of("offset", "length");
                case write, rawWrite -> List.of("offset", "hex");
                case truncate -> List.of("length");
                case sleep -> List.of("ms");
                case serveFd -> List.of("path", "peerUid");
                case attachFd, placeIn, spawnChild -> List.of("path");
                default -> List.of();
            });
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** One request line: {@code seq}, {@code op}, then the op's {@link Args} flat, unused ones left out. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"seq", "op", "key", "size", "mode", "offset", "length", "hex", "ms", "path", "peerUid", "obj"})
    public record Request(long seq, Op op, @JsonIgnore Args args, Integer peerUid, Integer obj) {
        public Request {
            args = args == null ? Args.NONE : args;
            obj = obj == null || obj == 0 ? null : obj; // absent is object 0, and object 0 is written absent
        }

        /** A request of every op but serveFd (no peer uid). */
        public Request(long seq, Op op, Args args) {
            this(seq, op, args, null, null);
        }

        /** A request to the process's object 0. */
        public Request(long seq, Op op, Args args, Integer peerUid) {
            this(seq, op, args, peerUid, null);
        }

        /** The same request to the process's object {@code n}. */
        public Request toObject(int n) {
            return new Request(seq, op, args, peerUid, n);
        }

        /** The object it is for: 0 when the line names none. */
        public int object() {
            return obj == null ? 0 : obj;
        }

        @JsonCreator
        public static Request fromJson(@JsonProperty("seq") long seq, @JsonProperty("op") Op op,
                                       @JsonProperty("key") String key, @JsonProperty("size") Long size,
                                       @JsonProperty("mode") String mode, @JsonProperty("offset") Long offset,
                                       @JsonProperty("length") Integer length, @JsonProperty("hex") String hex,
                                       @JsonProperty("ms") Long ms, @JsonProperty("path") String path,
                                       @JsonProperty("peerUid") Integer peerUid, @JsonProperty("obj") Integer obj) {
            return new Request(seq, op, new Args(key, size, mode, offset, length, hex, ms, path, null), peerUid, obj);
        }

        @JsonProperty("key")
        public String key() {
            return args.key();
        }

        @JsonProperty("size")
        public Long size() {
            return args.size();
        }

        @JsonProperty("mode")
        public String mode() {
            return args.mode();
        }

        @JsonProperty("offset")
        public Long offset() {
            return args.offset();
        }

        @JsonProperty("length")
        public Integer length() {
            return args.length();
        }

        /** The bytes to write, in hex ({@link Args#dataHex()}). */
        @JsonProperty("hex")
        public String hex() {
            return args.dataHex();
        }

        @JsonProperty("ms")
        public Long ms() {
            return args.ms();
        }

        /** serveFd, attachFd: the socket's absolute path. */
        @JsonProperty("path")
        public String path() {
            return args.path();
        }
    }

    /** One reply line. {@code value} is the op's result ({@link Value}), null for none. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Reply(long seq, boolean ok, Value value, String error, Integer errorCode, String errorString,
                        String protocolError) {
        /** The value if it is a {@code type}, else null. */
        public <T extends Value> T value(Class<T> type) {
            return type.isInstance(value) ? type.cast(value) : null;
        }
    }

    /** What an op returns in a reply's {@code value}; each kind has a JSON shape of its own. */
    @JsonDeserialize(using = ValueShape.class)
    public sealed interface Value permits Hello, ReadData, Size, Attached, NativeKey, ErrorState, LockTaken, Spawned, Released {
    }

    /**
     * The hello's value: the protocol version, the worker's pid and op-thread tid (in its own pid
     * namespace), what it is ({@code "java"}, {@code "qt-6.4.2"}), its backend, and for a Qt 6.8 worker
     * the key mode it was started in ({@code "legacy-sysv"}, ...; absent otherwise).
     */
    @JsonDeserialize(using = JsonDeserializer.None.class) // not Value's: that would call itself
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Hello(int protocol, long pid, long tid, String impl, String backend, String keyMode, Inherited inherited)
            implements Value {
        public Hello(int protocol, long pid, long tid, String impl, String backend) {
            this(protocol, pid, tid, impl, backend, null, null);
        }

        public Hello(int protocol, long pid, long tid, String impl, String backend, String keyMode) {
            this(protocol, pid, tid, impl, backend, keyMode, null);
        }
    }

    /**
     * In the hello of a worker started by spawnChild with a descriptor: whether its object attached through
     * the inherited descriptor, and its error() and errorString() after that.
     */
    public record Inherited(boolean ok, String error, String errorString) {
    }

    /** spawnChild: the pid of the child the worker started (in the worker's pid namespace). */
    @JsonDeserialize(using = JsonDeserializer.None.class) // not Value's: that would call itself
    public record Spawned(long child) implements Value {
    }

    /** read: the bytes, in hex. */
    @JsonDeserialize(using = JsonDeserializer.None.class) // not Value's: that would call itself
    public record ReadData(String hex) implements Value {
    }

    /** size(): a bare number. */
    public record Size(@JsonValue long bytes) implements Value {
    }

    /** isAttached(): a bare boolean. */
    public record Attached(@JsonValue boolean attached) implements Value {
    }

    /** nativeKey(): a bare string. */
    public record NativeKey(@JsonValue String nativeKey) implements Value {
    }

    /** error: the object's error() name and errorString(). */
    @JsonDeserialize(using = JsonDeserializer.None.class) // not Value's: that would call itself
    public record ErrorState(String error, String errorString) implements Value {
    }

    /** lock(): whether it took the lock over from a holder that had died ({@code {"ownerDied":true}}). */
    @JsonDeserialize(using = JsonDeserializer.None.class) // not Value's: that would call itself
    public record LockTaken(boolean ownerDied) implements Value {
    }

    /**
     * reset: the segment objects the worker still holds after dropping them (0 when clean), its pid, and the backend its
     * fresh object is of (a Java worker's; absent from a worker that names none).
     */
    @JsonDeserialize(using = JsonDeserializer.None.class) // not Value's: that would call itself
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Released(int objects, long pid, String backend) implements Value {
        public Released(int objects, long pid) {
            this(objects, pid, null);
        }
    }

    /**
     * The harness's request between schedules ("Between schedules: reset"): not an {@link Op}, never in a schedule.
     * {@code backend}: the backend the worker serves from then on, or null for the one it serves.
     */
    @JsonPropertyOrder({"seq", "op", "backend"})
    public record Reset(long seq, String backend) {
        public static final String OP = "reset";

        public Reset(long seq) {
            this(seq, null);
        }

        @JsonProperty("op")
        public String op() {
            return OP;
        }
    }

    /** Tells a {@link Value} by its shape; any other shape is not this protocol. */
    static final class ValueShape extends StdDeserializer<Value> {
        ValueShape() {
            super(Value.class);
        }

        @Override
        public Value deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode v = p.readValueAsTree();
            if (v.isIntegralNumber()) {
                return new Size(v.asLong());
            }
            if (v.isBoolean()) {
                return new Attached(v.asBoolean());
            }
            if (v.isTextual()) {
                return new NativeKey(v.asText());
            }
            if (v.isObject() && v.has("protocol")) {
                return ctxt.readTreeAsValue(v, Hello.class);
            }
            if (v.isObject() && v.has("hex")) {
                return ctxt.readTreeAsValue(v, ReadData.class);
            }
            if (v.isObject() && v.has("child")) {
                return ctxt.readTreeAsValue(v, Spawned.class);
            }
            if (v.isObject() && v.has("ownerDied")) {
                return ctxt.readTreeAsValue(v, LockTaken.class);
            }
            if (v.isObject() && v.has("objects")) {
                return ctxt.readTreeAsValue(v, Released.class);
            }
            if (v.isObject() && v.has("error")) {
                return ctxt.readTreeAsValue(v, ErrorState.class);
            }
            return (Value) ctxt.handleUnexpectedToken(Value.class, v.asToken(), p, "not a value of the worker protocol: %s", v);
        }
    }

    /** A request line that could not be read; {@code seq} is the line's own when it had one, else 0. */
    public static final class BadRequest extends IOException {
        private final long seq;

        BadRequest(long seq, String why) {
            super(why);
            this.seq = seq;
        }

        public long seq() {
            return seq;
        }
    }

    /**
     * What a worker reads and writes goes through jackson-core's streaming parser and generator ({@link Lines}), never
     * databind: databind's first use costs a cold worker JVM about 0.3 s (measured: a C1-only JVM that encodes a hello
     * and decodes one request took 0.46 s with databind, 0.19 s with the streaming API) and its records cost a young
     * worker 100-150 µs per line under C1, more than the pipe round trip itself. The harness, warm and long-lived,
     * still reads replies with databind ({@link #decodeReply}), so every line a worker writes is read by the other codec:
     * StreamingWireTest checks both agree on every shape.
     */
    private static final JsonFactory LINES = JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH).maxNumberLength(MAX_LINE_BYTES).maxStringLength(MAX_LINE_BYTES).build())
            .build();

    /** Databind, only for the harness: initialised at its first use, which a worker never makes. */
    private static final class Databind {
        static final ObjectMapper JSON = new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    private WorkerProtocol() {
    }

    public static ObjectMapper json() {
        return Databind.JSON;
    }

    /** One line (without its newline): a {@link Request}, {@link Reply} or {@link Reset} as the sections above say. */
    public static String encode(Object message) {
        try {
            if (message instanceof Reply r) {
                return Lines.write(g -> Lines.reply(g, r));
            }
            if (message instanceof Request r) {
                return Lines.write(g -> Lines.request(g, r));
            }
            if (message instanceof Reset r) {
                return Lines.write(g -> {
                    g.writeNumberField("seq", r.seq());
                    g.writeStringField("op", Reset.OP);
                    Lines.string(g, "backend", r.backend());
                });
            }
            return Databind.JSON.writeValueAsString(message);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one request line; what cannot be read is a {@link BadRequest} carrying the line's seq if it has one. */
    public static Request decodeRequest(String line) throws BadRequest {
        Record read = Lines.read(line);
        if (read instanceof Reset reset) {
            throw new BadRequest(reset.seq(), "unknown op \"" + Reset.OP + "\"");
        }
        return (Request) read;
    }

    /**
     * Reads one line as the worker does: a {@link Reset} for the harness's reset between schedules, else
     * the segment {@link Request} ({@link #decodeRequest}).
     */
    public static Record decodeLine(String line) throws BadRequest {
        return Lines.read(line);
    }

    public static Reply decodeReply(String line) throws IOException {
        return Databind.JSON.readValue(line, Reply.class);
    }

    private static String firstLine(IOException e) {
        String m = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        return m == null ? e.toString() : m.lines().findFirst().orElse(m);
    }

    /** The worker's side of the wire, on jackson-core's streaming API: flat request fields in, replies out. */
    private static final class Lines {
        private Lines() {
        }

        interface Fields {
            void write(JsonGenerator g) throws IOException;
        }

        /** One JSON object on one line. */
        static String write(Fields fields) throws IOException {
            java.io.StringWriter out = new java.io.StringWriter(96);
            try (JsonGenerator g = LINES.createGenerator(out)) {
                g.writeStartObject();
                fields.write(g);
                g.writeEndObject();
            }
            return out.toString();
        }

        static void request(JsonGenerator g, Request r) throws IOException {
            g.writeNumberField("seq", r.seq());
            g.writeStringField("op", r.op().name());
            string(g, "key", r.key());
            number(g, "size", r.size());
            string(g, "mode", r.mode());
            number(g, "offset", r.offset());
            number(g, "length", r.length() == null ? null : r.length().longValue());
            string(g, "hex", r.hex());
            number(g, "ms", r.ms());
            string(g, "path", r.path());
            number(g, "peerUid", r.peerUid() == null ? null : r.peerUid().longValue());
            number(g, "obj", r.obj() == null ? null : r.obj().longValue());
        }

        static void reply(JsonGenerator g, Reply r) throws IOException {
            g.writeNumberField("seq", r.seq());
            g.writeBooleanField("ok", r.ok());
            if (r.value() != null) {
                g.writeFieldName("value");
                value(g, r.value());
            }
            string(g, "error", r.error());
            number(g, "errorCode", r.errorCode() == null ? null : r.errorCode().longValue());
            string(g, "errorString", r.errorString());
            string(g, "protocolError", r.protocolError());
        }

        /** Each {@link Value} in its shape; the records without NON_NULL write their nulls, as databind did. */
        private static void value(JsonGenerator g, Value v) throws IOException {
            if (v instanceof Size s) {
                g.writeNumber(s.bytes());
            } else if (v instanceof Attached a) {
                g.writeBoolean(a.attached());
            } else if (v instanceof NativeKey k) {
                g.writeString(k.nativeKey());
            } else {
                g.writeStartObject();
                if (v instanceof Hello h) {
                    g.writeNumberField("protocol", h.protocol());
                    g.writeNumberField("pid", h.pid());
                    g.writeNumberField("tid", h.tid());
                    string(g, "impl", h.impl());
                    string(g, "backend", h.backend());
                    string(g, "keyMode", h.keyMode());
                    if (h.inherited() != null) {
                        g.writeObjectFieldStart("inherited");
                        g.writeBooleanField("ok", h.inherited().ok());
                        g.writeStringField("error", h.inherited().error());
                        g.writeStringField("errorString", h.inherited().errorString());
                        g.writeEndObject();
                    }
                } else if (v instanceof ReadData d) {
                    g.writeStringField("hex", d.hex());
                } else if (v instanceof ErrorState e) {
                    g.writeStringField("error", e.error());
                    g.writeStringField("errorString", e.errorString());
                } else if (v instanceof LockTaken l) {
                    g.writeBooleanField("ownerDied", l.ownerDied());
                } else if (v instanceof Spawned c) {
                    g.writeNumberField("child", c.child());
                } else if (v instanceof Released r) {
                    g.writeNumberField("objects", r.objects());
                    g.writeNumberField("pid", r.pid());
                    string(g, "backend", r.backend());
                }
                g.writeEndObject();
            }
        }

        private static void string(JsonGenerator g, String name, String value) throws IOException {
            if (value != null) {
                g.writeStringField(name, value);
            }
        }

        private static void number(JsonGenerator g, String name, Long value) throws IOException {
            if (value != null) {
                g.writeNumberField(name, value.longValue());
            }
        }

        /** A named field's value that is not of its type: why, in the words of the protocol error. */
        private record Wrong(String why) {
        }

        private static final List<String> STRINGS = List.of("key", "mode", "hex", "path", "backend");

        /**
         * A request line's fields, in any order, the last of a name counting; unknown ones are skipped, a null is an absent
         * field. What "Malformed requests" above refuses is a {@link BadRequest}: with seq 0 when the line cannot be read
         * or its seq is no integer, else with the line's seq.
         */
        static Record read(String line) throws BadRequest {
            java.util.Map<String, Object> fields = new java.util.HashMap<>();
            String op = null;
            boolean opNotText = false;
            try (JsonParser p = LINES.createParser(line)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new BadRequest(0, "the request is not a JSON object");
                }
                for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                    String name = p.currentName();
                    JsonToken v = p.nextToken();
                    switch (name) {
                        case "op" -> {
                            op = v == JsonToken.VALUE_STRING ? p.getText() : null;
                            opNotText = v != JsonToken.VALUE_STRING && v != JsonToken.VALUE_NULL;
                        }
                        case "key", "mode", "hex", "path", "backend" -> fields.put(name, v == JsonToken.VALUE_STRING ? p.getText()
                                : v == JsonToken.VALUE_NULL ? null : new Wrong("\"" + name + "\" is not a string"));
                        case "seq", "size", "offset", "length", "ms", "peerUid", "obj" -> fields.put(name, integer(p, v, name));
                        default -> { } // not this protocol's: ignored, as a newer harness may send more
                    }
                    if (v.isStructStart()) {
                        p.skipChildren();
                    }
                }
                if (p.nextToken() != null) {
                    throw new BadRequest(0, "unparsable request: more than one JSON value on the line");
                }
            } catch (BadRequest e) {
                throw e;
            } catch (IOException e) {
                throw new BadRequest(0, "unparsable request: " + firstLine(e));
            }
            if (fields.get("seq") instanceof Wrong w) {
                throw new BadRequest(0, "bad request: " + w.why());
            }
            long seq = fields.get("seq") == null ? 0 : (Long) fields.get("seq");
            if (op == null || opNotText) {
                throw new BadRequest(seq, "missing or non-string \"op\"");
            }
            if (!Reset.OP.equals(op) && Op.named(op) == null) {
                throw new BadRequest(seq, "unknown op \"" + op + "\"");
            }
            String bad = checked(fields);
            if (bad != null) {
                throw new BadRequest(seq, "bad request: " + bad);
            }
            if (Reset.OP.equals(op)) {
                return new Reset(seq, (String) fields.get("backend"));
            }
            for (String needed : NEEDS.get(Op.named(op))) {
                if (fields.get(needed) == null) {
                    throw new BadRequest(seq, "bad request: " + op + " needs \"" + needed + "\"");
                }
            }
            Long length = (Long) fields.get("length");
            Long peerUid = (Long) fields.get("peerUid");
            if (Op.named(op) == Op.read && length > MAX_READ_BYTES) {
                throw new BadRequest(seq, "bad request: a read of more than " + MAX_READ_BYTES + " bytes");
            }
            return Request.fromJson(seq, Op.named(op), (String) fields.get("key"), (Long) fields.get("size"), (String) fields.get("mode"),
                    (Long) fields.get("offset"), length == null ? null : length.intValue(), (String) fields.get("hex"),
                    (Long) fields.get("ms"), (String) fields.get("path"), peerUid == null ? null : peerUid.intValue(),
                    fields.get("obj") == null ? null : ((Long) fields.get("obj")).intValue());
        }

        /**
         * A number field's value: a Long when it is written as a plain integer (no fraction, no exponent) of the signed
         * 64-bit range, else why not; null for a JSON null. Not "any integral value": Qt's QJsonValue reads a literal it
         * cannot hold as a qint64 through a double (1234567890123456789.0 becomes 1234567890123456768), so only the
         * literal's form gives both workers the same number.
         */
        private static Object integer(JsonParser p, JsonToken v, String name) throws IOException {
            if (v == JsonToken.VALUE_NULL) {
                return null;
            }
            if (v == JsonToken.VALUE_NUMBER_INT) {
                return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? new Wrong("\"" + name + "\" is out of range")
                        : (Object) p.getLongValue();
            }
            return new Wrong("\"" + name + "\" is " + (v == JsonToken.VALUE_NUMBER_FLOAT ? "not a plain integer" : "not a number"));
        }

        /** The first field (in the protocol's order) whose value breaks its rule, as the protocol error says it; null if none. */
        private static String checked(java.util.Map<String, Object> fields) {
            for (String name : List.of("key", "size", "mode", "offset", "length", "hex", "ms", "path", "peerUid", "obj", "backend")) {
                Object v = fields.get(name);
                if (v instanceof Wrong w) {
                    return w.why();
                }
                if (v instanceof Long n && (name.equals("length") || name.equals("peerUid")) && n != n.intValue()) {
                    return "\"" + name + "\" is out of range";
                }
                if (v instanceof Long n && name.equals("obj") && (n < 0 || n >= MAX_OBJECTS)) {
                    return "\"obj\" is out of range";
                }
                if (v instanceof Long n && name.equals("ms") && n < 0) {
                    return "\"ms\" is negative";
                }
                if (v instanceof String m && name.equals("mode") && !m.equals("ReadOnly") && !m.equals("ReadWrite")) {
                    return "bad \"mode\" (ReadOnly or ReadWrite)";
                }
                if (v instanceof String h && name.equals("hex") && !isHex(h)) {
                    return "\"hex\" is not an even-length hex string";
                }
            }
            return null;
        }

        private static boolean isHex(String h) {
            if (h.length() % 2 != 0) {
                return false;
            }
            for (int i = 0; i < h.length(); i++) {
                if (Character.digit(h.charAt(i), 16) < 0 || h.charAt(i) > 'f') {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * The request lines of a worker's stdin as "Malformed requests" says: a line ends at its LF only (a CR is part of the
     * line, JSON whitespace), is at most {@link #MAX_LINE_BYTES} long and is UTF-8; a line that is not is a
     * {@link BadRequest} with seq 0, and the next line is read as usual. The last line may lack its LF.
     */
    public static final class RequestLines {
        private final java.io.InputStream in;
        private final byte[] buffer = new byte[64 * 1024];
        /** Strict: REPLACE (InputStreamReader's way) would turn bytes that are not UTF-8 into U+FFFD and run the request. */
        private final java.nio.charset.CharsetDecoder utf8 = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        private int start;
        private int end;
        private boolean ended;

        public RequestLines(java.io.InputStream in) {
            this.in = in;
        }

        /** The next line without its LF, null at the end of input; a line that cannot be read is a {@link BadRequest}. */
        public String next() throws IOException {
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
            boolean tooLong = false;
            while (true) {
                if (start == end) {
                    if (ended || !fill()) {
                        ended = true;
                        if (line.size() == 0 && !tooLong) {
                            return null;
                        }
                        break;
                    }
                }
                int lf = start;
                while (lf < end && buffer[lf] != '\n') {
                    lf++;
                }
                int take = lf - start;
                if (!tooLong && line.size() + take > MAX_LINE_BYTES) {
                    tooLong = true;
                    line = new java.io.ByteArrayOutputStream(); // its bytes are dropped, not kept
                }
                if (!tooLong) {
                    line.write(buffer, start, take);
                }
                start = lf;
                if (lf < end) {
                    start++; // past the LF
                    break;
                }
            }
            if (tooLong) {
                throw new BadRequest(0, "unparsable request: the line is longer than " + MAX_LINE_BYTES + " bytes");
            }
            try {
                return utf8.decode(java.nio.ByteBuffer.wrap(line.toByteArray())).toString(); // decode() resets it first
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new BadRequest(0, "unparsable request: the line is not UTF-8");
            }
        }

        private boolean fill() throws IOException {
            int n = in.read(buffer);
            if (n <= 0) {
                return false;
            }
            start = 0;
            end = n;
            return true;
        }
    }

    /**
     * The fork server's lines (see "The fork server" above): made and read here only, so that this file stays the one
     * owner of what the engine and a worker program say to each other.
     */
    public static final class ForkServer {
        /** The argument that makes a worker program a fork server (qt_shm_worker knows it). */
        public static final String ARGUMENT = "--fork-server";

        private ForkServer() {
        }

        /** The request for a fresh worker. */
        public static String fork() {
            return "fork";
        }

        /** The request to close the server's ends of the worker's pipes, once the engine opened its own. */
        public static String release(long pid) {
            return "release " + pid;
        }

        /** The request to reap the exited child {@code pid}. */
        public static String reap(long pid) {
            return "reap " + pid;
        }

        /**
         * One answer: {@code forked} (pid; numbers: the three descriptors), {@code released} (pid), {@code reaped}
         * (pid; numbers: the status), {@code running} (pid) or {@code error} (why: also a line of no known shape).
         */
        public record Answer(String kind, long pid, List<Integer> numbers, String why) {
            public static Answer parse(String line) {
                String[] f = line == null ? new String[0] : line.split(" ");
                int expected = f.length == 0 ? -1 : switch (f[0]) {
                    case "forked" -> 5;
                    case "reaped" -> 3;
                    case "released", "running" -> 2;
                    default -> -1;
                };
                if (f.length == expected) {
                    try {
                        List<Integer> numbers = new java.util.ArrayList<>();
                        for (int i = 2; i < f.length; i++) {
                            numbers.add(Integer.parseInt(f[i]));
                        }
                        return new Answer(f[0], Long.parseLong(f[1]), List.copyOf(numbers), null);
                    } catch (NumberFormatException e) {
                        // not a known shape: below
                    }
                }
                return new Answer("error", -1, List.of(), line == null ? "no answer"
                        : line.startsWith("error ") ? line.substring(6) : "unexpected answer \"" + line + "\"");
            }

            public boolean is(String k) {
                return kind.equals(k);
            }
        }
    }
}
