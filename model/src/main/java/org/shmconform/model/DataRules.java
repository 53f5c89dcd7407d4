package org.shmconform.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.shmconform.model.ModelOp.Outcome;
import org.shmconform.model.ModelState.Segment;
import org.shmconform.model.ModelState.Worker;
import org.shmconform.model.SegmentModel.Step;
import org.shmconform.spi.BackendSemantics.Resize;

/**
 * The bytes: read, write and rawWrite, size(), and a peer's truncate. Bounds are the length each
 * worker's object mapped when it attached, whatever a peer's ftruncate did to the object since.
 */
final class DataRules {
    private static final int PAGE = 4096;
    private static final HexFormat HEX = HexFormat.of();

    private DataRules() {
    }

    /** The length this object mapped: a peer's later ftruncate does not change it, an attach after one maps the new length. */
    static Step size(ModelState s, ModelOp op, Worker w) {
        return Expect.value(s, op, Long.toString(w.attached() ? w.mapped() : 0), Property.CREATE_SIZE);
    }

    /**
     * read, write and rawWrite: the bytes, the read-only rule and truncation. Bounds are the length this
     * object mapped; a peer's ftruncate since then moves the object's end, and a touch of a whole page
     * past that end is SIGBUS.
     */
    static Step access(ModelState s, ModelOp op, Worker w) {
        boolean raw = op.f().equals("rawWrite");
        if (!w.attached()) {
            return Expect.fail(s, op, null, Property.API_CONTRACT, op.f() + " when not attached");
        }
        Segment seg = s.segments().get(w.key());
        long offset = op.offset() == null ? 0 : op.offset();
        long len = op.f().equals("read") ? (op.length() == null ? 0 : op.length()) : op.dataHex().length() / 2;
        boolean writes = !op.f().equals("read");
        if (offset < 0 || offset + len > w.mapped()) {
            if (raw) {
                // A raw store past the mapping: unchecked memory. It may fault, or land in the mapping's last page.
                return Step.to(s, s.withSegment(w.key(), seg.write(offset, HEX.parseHex(op.dataHex()))));
            }
            return Expect.fail(s, op, "InvalidSize", Property.API_CONTRACT, op.f() + " outside the segment");
        }
        if (writes && w.readOnly()) {
            if (raw) {
                return op.outcome() == Outcome.CRASH ? Expect.crashed(s, op)
                        : Step.violates(Property.READ_ONLY, "a raw store into a read-only mapping did not crash the writer ("
                        + Expect.describe(op) + ")");
            }
            return Expect.fail(s, op, "PermissionDenied", Property.READ_ONLY, "write through a read-only attach");
        }
        if (len > 0 && offset + len > seg.size()) {
            Step pastTheEnd = pastTruncatedEnd(s, op, w, seg, offset, len, writes);
            if (pastTheEnd != null) {
                return pastTheEnd;
            }
        }
        if (op.outcome() == Outcome.CRASH) {
            return Step.violates(Property.DATA_SHARED, op.f() + " crashed the worker (" + op.value() + ")");
        }
        if (op.outcome() != Outcome.OK) {
            return Step.violates(Property.DATA_SHARED, op.f() + " within the segment returned " + Expect.describe(op));
        }
        if (writes) {
            return Step.to(s.withSegment(w.key(), seg.write(offset, HEX.parseHex(op.dataHex()))));
        }
        if (op.dataHex() == null) {
            return Step.to(s); // a read that never replied (its worker was killed): it saw nothing and changed nothing
        }
        String expected = HEX.formatHex(seg.read(offset, (int) len));
        if (!expected.equals(op.dataHex())) {
            return Step.violates(Property.DATA_SHARED,
                    "read " + SegmentModel.text(op.dataHex()) + " where the last write left " + SegmentModel.text(expected));
        }
        return Step.to(s);
    }

    /**
     * An access within the mapping that reaches past the object's (truncated) end: a touch of a whole
     * page past it must crash; the partial last page may or may not. Null: judged as any access.
     */
    private static Step pastTruncatedEnd(ModelState s, ModelOp op, Worker w, Segment seg, long offset, long len, boolean writes) {
        long firstPageBeyond = (seg.size() + PAGE - 1) / PAGE * PAGE;
        boolean mustCrash = offset + len > firstPageBeyond;
        if (op.outcome() == Outcome.CRASH) {
            ModelState crashed = s.observe("access past a truncated end: SIGBUS");
            if (writes && offset < firstPageBeyond) {
                // The copy stored what lay before the first missing page, or (copied backwards) nothing.
                byte[] data = HEX.parseHex(op.dataHex());
                byte[] stored = Arrays.copyOf(data, (int) (firstPageBeyond - offset));
                return Step.to(crashed.observe(op.f() + " crashed the worker as expected"),
                        crashed.withSegment(w.key(), seg.write(offset, stored)).observe(op.f() + " crashed the worker as expected"));
            }
            return Expect.crashed(crashed, op);
        }
        if (mustCrash) {
            return Step.violates(Property.TRUNCATION_CRASHES,
                    op.f() + " of whole pages past the truncated end (" + seg.size() + ") did not crash: " + Expect.describe(op));
        }
        return null;
    }

    /**
     * ftruncate by a peer, as an untrusted process could do: shrinks or grows the object; the
     * mappings keep their length. What may happen is what the profile promises of resizing.
     */
    static Step truncate(Profile profile, ModelState s, ModelOp op, Worker w) {
        if (!w.attached()) {
            return Expect.fail(s, op, null, Property.API_CONTRACT, "truncate when not attached");
        }
        Segment seg = s.segments().get(w.key());
        List<ModelState> next = new ArrayList<>();
        long to = op.length() == null ? -1 : op.length();
        if (op.outcome() == Outcome.OK && Promises.truncateMaySucceed(profile, to)) {
            String what = "truncate: the object was " + (to < seg.size() ? "shrunk" : to > seg.size() ? "grown" : "left at its length");
            next.add(s.withSegment(w.key(), to > seg.size() ? seg.grow(to) : seg.truncate(to)).observe(what));
            if (to > seg.size() && !seg.written().tailMap(seg.size()).isEmpty()) {
                // Bytes a mapping stored past the old end (in its last page) may be zeroed by the growth or kept.
                next.add(s.withSegment(w.key(), seg.dropTail(seg.size()).truncate(to)).observe(what));
            }
        }
        if (op.outcome() == Outcome.FAIL && Promises.truncateMayBeRefused(profile, to, w.readOnly())) {
            Resize r = profile.resize();
            next.add(s.observe(r == Resize.SEALED || r == null
                    ? "truncate: refused (" + op.error() + ")" : "truncate: not resizable"));
        }
        if (next.isEmpty()) {
            return Step.violates(Promises.truncateProperty(profile),
                    "truncate(" + to + ") returned " + Expect.describe(op) + " where the backend promises " + profile.resize());
        }
        return Step.to(next);
    }
}
