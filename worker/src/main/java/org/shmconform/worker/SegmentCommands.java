package org.shmconform.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.shmconform.backends.host.InheritingChild;
import java.util.HexFormat;
import java.util.List;
import org.shmconform.backends.host.FileSystems;
import org.shmconform.backends.Backends;
import org.shmconform.spi.Placement;
import org.shmconform.spi.TemporaryFiles;
import java.util.Objects;
import org.shmconform.spi.AccessMode;
import org.shmconform.spi.DescriptorHandOver;
import org.shmconform.spi.OwnerDeathNotice;
import org.shmconform.spi.SegmentError;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.spi.SharedSegment;
import org.shmconform.worker.protocol.WorkerProtocol;
import org.shmconform.worker.protocol.WorkerProtocol.Attached;
import org.shmconform.worker.protocol.WorkerProtocol.ErrorState;
import org.shmconform.worker.protocol.WorkerProtocol.Hello;
import org.shmconform.worker.protocol.WorkerProtocol.Inherited;
import org.shmconform.worker.protocol.WorkerProtocol.Spawned;
import org.shmconform.worker.protocol.WorkerProtocol.LockTaken;
import org.shmconform.worker.protocol.WorkerProtocol.NativeKey;
import org.shmconform.worker.protocol.WorkerProtocol.ReadData;
import org.shmconform.worker.protocol.WorkerProtocol.Reply;
import org.shmconform.worker.protocol.WorkerProtocol.Request;
import org.shmconform.worker.protocol.WorkerProtocol.Size;
import org.shmconform.worker.protocol.WorkerProtocol.Value;

/** Executes protocol requests on the worker's one segment object, the way a Qt program would. */
final class SegmentCommands implements AutoCloseable {
    private static final HexFormat HEX = HexFormat.of();
    /** Where a spawned child finds the inherited descriptor: the first number after stdin, stdout and stderr. */
    static final int INHERITED_NUMBER = 3;
    /**
     * The backend the worker serves between resets: the one it was started with, or the one the last reset named. A
     * reset goes back to it (a placeIn may have moved it).
     */
    private SharedMemoryBackend started;
    private SharedMemoryBackend backend;
    private SharedSegment segment;
    /** The mode of the last successful create or attach: write must refuse a read-only one, as the Qt worker does. */
    private AccessMode attachedMode = AccessMode.ReadWrite;

    SegmentCommands(SharedMemoryBackend backend) {
        this.started = backend;
        this.backend = backend;
    }

    /** A fresh object of the same process, of the backend this one serves between resets (WorkerProtocol, "obj"). */
    SegmentCommands another() {
        return new SegmentCommands(started);
    }

    /** Called on the thread that then executes every request: its tid is the one the engine watches. */
    Reply hello() {
        return hello(null);
    }

    /** The hello of a worker that attached through an inherited descriptor first ({@code inherited}; null: none). */
    Reply hello(Inherited inherited) {
        Hello value = new Hello(WorkerProtocol.VERSION, ProcessHandle.current().pid(), gettid(), "java", backend.name(), null,
                inherited);
        return new Reply(0, true, value, SegmentError.NoError.name(), 0, "", null);
    }

    /**
     * A child started by spawnChild: the object takes {@code key} and attaches through the descriptor
     * the parent left at {@code descriptor}, before the hello that reports it.
     */
    Inherited inherit(int descriptor, String key, String mode) {
        SharedSegment keyed = keyed(key);
        if (!(keyed instanceof DescriptorHandOver h)) {
            return new Inherited(false, SegmentError.UnknownError.name(), "the " + backend.name() + " segment cannot inherit a descriptor");
        }
        boolean ok;
        try {
            ok = h.attachInherited(descriptor, mode(mode));
        } catch (RuntimeException e) {
            return new Inherited(false, SegmentError.UnknownError.name(), "attachInherited: " + e);
        }
        if (ok) {
            attachedMode = mode(mode);
        }
        return new Inherited(ok, error().name(), errorString());
    }

    /** The kernel's id of the calling thread (glibc 2.30+), as this worker's pid namespace numbers it. */
    private static long gettid() {
        return org.shmconform.backends.host.HostIds.threadId();
    }

    static Reply protocolError(long seq, String why) {
        return new Reply(seq, false, null, SegmentError.UnknownError.name(), SegmentError.UnknownError.qtValue(), "", why);
    }

    Reply execute(Request r) {
        try {
            return switch (r.op()) {
                case create -> attached(r, keyed(r.key()).create(r.size(), mode(r.mode())));
                case attach -> attached(r, keyed(r.key()).attach(mode(r.mode())));
                case detach -> segment == null ? done(r, false, null) : done(r, segment.detach(), null);
                case lock -> segment == null
                        ? convention(r, SegmentError.LockError, "QSharedMemory::lock: unable to lock (no key)")
                        : locked(r, segment.lock());
                case unlock -> segment == null ? done(r, false, null) : done(r, segment.unlock(), null);
                case read -> read(r);
                case write -> write(r);
                case rawWrite -> rawWrite(r);
                case truncate -> segment == null
                        ? convention(r, SegmentError.NotFound, "truncate: not attached")
                        : done(r, segment.truncateBacking(r.length()), null);
                case size -> done(r, true, new Size(segment == null ? 0 : segment.size()));
                case isAttached -> done(r, true, new Attached(segment != null && segment.isAttached()));
                case nativeKey -> done(r, true, new NativeKey(segment == null ? "" : segment.nativeKey()));
                case error -> done(r, true, new ErrorState(error().name(), errorString()));
                case sleep -> {
                    Thread.sleep(r.ms());
                    yield done(r, true, null);
                }
                case serveFd -> serveFd(r);
                case attachFd -> attachFd(r);
                case placement -> placement(r);
                case placeIn -> placeIn(r);
                case createTemp -> createTemp(r);
                case tempFiles -> tempFiles(r);
                case spawnChild -> spawnChild(r);
                case exit -> {
                    close();
                    yield done(r, true, null);
                }
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return protocolError(r.seq(), "interrupted");
        } catch (RuntimeException e) {
            return protocolError(r.seq(), r.op() + ": " + e);
        }
    }

    /**
     * The harness's reset between schedules: drops the segment object as the destructor does (detach,
     * release the lock, the last one out removes the segment), so the next request starts from a fresh
     * object, and says how many objects remain (none: the engine checks the rest from outside). The fresh object and
     * every one after are of the backend named {@code serve} (null: the one served); a name no backend on the class path
     * has is refused, after the object was dropped.
     */
    Reply reset(long seq, String serve) {
        try {
            close();
        } catch (RuntimeException e) {
            return protocolError(seq, "reset: " + e);
        }
        attachedMode = AccessMode.ReadWrite;
        if (serve != null) {
            SharedMemoryBackend named = Backends.named(serve).orElse(null);
            if (named == null) {
                return protocolError(seq, "reset: no backend named " + serve);
            }
            started = named;
        }
        backend = started; // a placeIn of the last schedule does not carry into the next
        WorkerProtocol.Released value = new WorkerProtocol.Released(segment == null ? 0 : 1, ProcessHandle.current().pid(),
                backend.name());
        return new Reply(seq, true, value, SegmentError.NoError.name(), 0, "", null);
    }

    /** A lock's reply says whether it took the lock over from a dead holder (false where the lock cannot tell). */
    private Reply locked(Request r, boolean ok) {
        boolean ownerDied = ok && segment instanceof OwnerDeathNotice n && n.lockTookOverFromDeadOwner();
        return done(r, ok, ok ? new LockTaken(ownerDied) : null);
    }

    private Reply serveFd(Request r) {
        if (!(segment instanceof DescriptorHandOver h)) {
            return convention(r, SegmentError.UnknownError, segment == null ? "serveFd: no key"
                    : "serveFd: the " + backend.name() + " segment cannot hand its descriptor over");
        }
        return done(r, h.serve(Path.of(Objects.requireNonNull(r.path(), "serveFd needs a path")),
                Objects.requireNonNull(r.peerUid(), "serveFd needs a peerUid")), null);
    }

    private Reply attachFd(Request r) {
        SharedSegment keyed = keyed(r.key());
        if (!(keyed instanceof DescriptorHandOver h)) {
            return convention(r, SegmentError.UnknownError, "attachFd: the " + backend.name() + " segment cannot receive a descriptor");
        }
        return attached(r, h.attachReceived(Path.of(Objects.requireNonNull(r.path(), "attachFd needs a path")), mode(r.mode())));
    }

    /**
     * Seeds M6, L1, L2, L4: every directory the backend puts named objects in (or the one the request names),
     * with statfs's filesystem type here, in this worker's mount namespace; the value is {@link Placement.Measured#encode}'s.
     */
    private Reply placement(Request r) {
        List<Placement> where = r.path() == null ? backend.placements()
                : List.of(new Placement(r.path(), Path.of(r.path())));
        List<Placement.Measured> measured = where.stream().map(FileSystems::measure).toList();
        return done(r, true, new NativeKey(Placement.Measured.encode(measured)));
    }

    /** The backend with its files in the directory the request names; the object is dropped first, as by a new key. */
    private Reply placeIn(Request r) {
        SharedMemoryBackend placed = backend.placedIn(Path.of(Objects.requireNonNull(r.path(), "placeIn needs a path")));
        if (placed == null) {
            return convention(r, SegmentError.UnknownError, "placeIn: the " + backend.name() + " backend cannot be told where its objects go");
        }
        close();
        backend = placed;
        return done(r, true, null);
    }

    /** Seed M3: a segment on a QTemporaryFile-style file of the key's template; the value is the file's unique name. */
    private Reply createTemp(Request r) {
        SharedSegment keyed = keyed(r.key());
        if (!(keyed instanceof TemporaryFiles t)) {
            return convention(r, SegmentError.UnknownError, "createTemp: the " + backend.name() + " segment cannot be a temporary file");
        }
        boolean ok = t.createTemporary(r.size(), mode(r.mode()));
        if (ok) {
            attachedMode = mode(r.mode());
        }
        return done(r, ok, ok ? new NativeKey(t.temporaryName()) : null);
    }

    /** Seed M3: the temporary files of the key's template now in the directory, by name, space-separated. */
    private Reply tempFiles(Request r) {
        SharedSegment keyed = segment != null && segment.key().equals(r.key()) ? segment : backend.open(r.key() == null ? "" : r.key());
        try {
            if (!(keyed instanceof TemporaryFiles t)) {
                return convention(r, SegmentError.UnknownError, "tempFiles: the " + backend.name() + " segment has no temporary files");
            }
            return done(r, true, new NativeKey(String.join(" ", t.temporaryFiles())));
        } finally {
            if (keyed != segment) {
                keyed.close(); // a look with an object of its own: this worker's object stays as it was
            }
        }
    }

    /**
     * Starts a child worker (this program, these arguments) that inherits the attached segment's descriptor
     * at number 3, with the engine's FIFOs as its stdin, stdout and stderr ({@link WorkerProtocol}, spawnChild).
     */
    private Reply spawnChild(Request r) {
        String base = Objects.requireNonNull(r.path(), "spawnChild needs a path");
        int descriptor = -1;
        SegmentError refused = null;
        String why = null;
        if (segment == null || !segment.isAttached()) {
            refused = SegmentError.NotFound;
            why = "spawnChild: not attached, so there is no descriptor to inherit (the child starts without one)";
        } else if (!(segment instanceof DescriptorHandOver h)) {
            refused = SegmentError.UnknownError;
            why = "spawnChild: the " + backend.name() + " segment cannot hand its descriptor over (the child starts without one)";
        } else {
            descriptor = h.descriptorForChild();
        }
        List<String> argv = new ArrayList<>(ownCommand());
        argv.add(started.name()); // the backend it serves now: a reset may have named another than its command line's
        if (descriptor >= 0) {
            argv.addAll(List.of(WorkerMain.INHERITED, Integer.toString(INHERITED_NUMBER), segment.key(), attachedMode.name()));
        }
        long pid;
        try {
            pid = InheritingChild.start(argv, System.getenv(), descriptor, INHERITED_NUMBER, Path.of(base + ".stdin"),
                    Path.of(base + ".stdout"), Path.of(base + ".stderr"));
        } catch (IOException e) {
            return convention(r, SegmentError.UnknownError, "spawnChild: " + e.getMessage());
        }
        Spawned value = new Spawned(pid);
        if (refused != null) {
            return new Reply(r.seq(), false, value, refused.name(), refused.qtValue(), why, null);
        }
        return done(r, true, value);
    }

    /** This worker's own command line up to its main class (without its backend and a parent's --inherited): what a child runs. */
    private static List<String> ownCommand() {
        List<String> cmd;
        try {
            cmd = List.of(new String(Files.readAllBytes(Path.of("/proc/self/cmdline")), StandardCharsets.UTF_8).split("\0"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/cmdline", e);
        }
        int main = cmd.indexOf(WorkerMain.class.getName());
        if (main < 0 || main + 1 >= cmd.size()) {
            throw new IllegalStateException("this worker's command line does not name " + WorkerMain.class.getName() + ": " + cmd);
        }
        return cmd.subList(0, main + 1);
    }

    private Reply attached(Request r, boolean ok) {
        if (ok) {
            attachedMode = mode(r.mode()); // a successful create is create + attach(mode)
        }
        return done(r, ok, null);
    }

    private Reply read(Request r) {
        int length = r.length();
        Reply refused = refusal(r, "read", r.offset(), length);
        if (refused != null) {
            return refused;
        }
        byte[] data = segment.read(r.offset(), length);
        return data == null ? done(r, false, null) : done(r, true, new ReadData(HEX.formatHex(data)));
    }

    /**
     * No read-only check, on purpose: a store into a read-only mapping must kill the worker with SIGSEGV. Outside the
     * segment it is refused as write is: a store at an offset near 2^63 would land anywhere in this process.
     */
    private Reply rawWrite(Request r) {
        byte[] data = HEX.parseHex(r.hex());
        Reply refused = refusal(r, "rawWrite", r.offset(), data.length);
        if (refused != null) {
            return refused;
        }
        segment.rawWrite(r.offset(), data);
        return done(r, true, null);
    }

    private Reply write(Request r) {
        byte[] data = HEX.parseHex(r.hex());
        Reply refused = refusal(r, "write", r.offset(), data.length);
        if (refused != null) {
            return refused;
        }
        if (attachedMode == AccessMode.ReadOnly) {
            return convention(r, SegmentError.PermissionDenied, "write: segment is attached read-only");
        }
        return done(r, segment.write(r.offset(), data), null);
    }

    /**
     * The harness's own refusals of read and write (Qt has no such calls), made here as the Qt worker
     * makes them: in the reply only, leaving the object's error() as it was, in the same words as
     * the backends' own checks.
     */
    private Reply refusal(Request r, String function, long offset, long length) {
        if (segment == null || !segment.isAttached()) {
            return convention(r, SegmentError.NotFound, function + ": not attached");
        }
        long size = segment.size();
        // Not offset + length > size: that sum overflows for an offset near 2^63 and lets the range through.
        if (offset < 0 || length < 0 || offset > size || length > size - offset) {
            String end = java.math.BigInteger.valueOf(offset).add(java.math.BigInteger.valueOf(length)).toString(); // exact
            return convention(r, SegmentError.InvalidSize,
                    function + ": range [" + offset + ", " + end + ") is outside the segment of " + size + " bytes");
        }
        return null;
    }

    /**
     * Like QSharedMemory::setKey: a different key detaches and rebinds the object. No key (null) is no setKey: the
     * object keeps its key, and a fresh one has the empty key (WorkerProtocol, "Malformed requests").
     */
    private SharedSegment keyed(String key) {
        if (key == null && segment != null) {
            return segment;
        }
        String wanted = key == null ? "" : key;
        if (segment == null || !segment.key().equals(wanted)) {
            if (segment != null) {
                segment.close();
            }
            segment = backend.open(wanted);
        }
        return segment;
    }

    /** The call's boolean and the object's error state after it. */
    private Reply done(Request r, boolean ok, Value value) {
        SegmentError e = error();
        return new Reply(r.seq(), ok, value, e.name(), e.qtValue(), errorString(), null);
    }

    /** A failure the harness defines (no Qt call behind it): reported without touching the object's error. */
    private Reply convention(Request r, SegmentError e, String message) {
        return new Reply(r.seq(), false, null, e.name(), e.qtValue(), message, null);
    }

    private SegmentError error() {
        return segment == null ? SegmentError.NoError : segment.error();
    }

    private String errorString() {
        return segment == null ? "" : segment.errorString();
    }

    private static AccessMode mode(String mode) {
        return "ReadOnly".equals(mode) ? AccessMode.ReadOnly : AccessMode.ReadWrite;
    }

    @Override
    public void close() {
        if (segment != null) {
            segment.close();
            segment = null;
        }
    }
}
