package org.shmconform.worker;

import java.nio.file.Path;
import java.util.HexFormat;
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
    private final SharedMemoryBackend backend;
    private SharedSegment segment;
    /** The mode of the last successful create or attach: write must refuse a read-only one, as the Qt worker does. */
    private AccessMode attachedMode = AccessMode.ReadWrite;

    SegmentCommands(SharedMemoryBackend backend) {
        this.backend = backend;
    }

    /** Called on the thread that then executes every request: its tid is the one the engine watches. */
    Reply hello() {
        Hello value = new Hello(WorkerProtocol.VERSION, ProcessHandle.current().pid(), gettid(), "java", backend.name());
        return new Reply(0, true, value, SegmentError.NoError.name(), 0, "", null);
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
                case rawWrite -> {
                    Objects.requireNonNull(segment, "rawWrite before any create/attach").rawWrite(r.offset(), HEX.parseHex(r.hex()));
                    yield done(r, true, null);
                }
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
     * object, and says how many objects remain (none: the engine checks the rest from outside).
     */
    Reply reset(long seq) {
        try {
            close();
        } catch (RuntimeException e) {
            return protocolError(seq, "reset: " + e);
        }
        attachedMode = AccessMode.ReadWrite;
        WorkerProtocol.Released value = new WorkerProtocol.Released(segment == null ? 0 : 1, ProcessHandle.current().pid());
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
        if (offset < 0 || length < 0 || offset + length > size) {
            return convention(r, SegmentError.InvalidSize,
                    function + ": range [" + offset + ", " + (offset + length) + ") is outside the segment of " + size + " bytes");
        }
        return null;
    }

    /** Like QSharedMemory::setKey: a different key detaches and rebinds the object. */
    private SharedSegment keyed(String key) {
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
