package org.shmconform.model;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.shmconform.model.ModelOp.Outcome;
import org.shmconform.model.ModelState.Segment;
import org.shmconform.model.ModelState.Worker;
import org.shmconform.model.SegmentModel.Step;

/**
 * Seed M3, QTemporaryFile as the file of a segment: {@code createTemp} makes a segment of its own on a file named
 * from the key as template (its value is the name), which must be a name no other live temporary file has (unique
 * segments); it is not reached through the key (attach finds nothing); its creator's detach removes it and a
 * creator's death leaves it as a crash leaves any segment (clean-up semantics); {@code tempFiles} lists the
 * template's files now in the directory, which must be exactly the live ones. A temporary segment is kept in the
 * model as the segment {@code space|key#<name>}.
 */
public final class TemporaryFileRules {
    /** Observations of these rules start so: the reports list them with what happened where the documentation is silent. */
    public static final String PREFIX = "temporary file";

    private TemporaryFileRules() {
    }

    static Step create(ModelState s, ModelOp op, Worker w) {
        if (op.outcome() == Outcome.CRASH) {
            return Expect.crashed(s, op);
        }
        if (op.key() == null || op.key().isEmpty()) {
            return Expect.fail(s, op, "KeyError", Property.API_CONTRACT, "createTemp with an empty key");
        }
        if (w.attached()) {
            return Expect.fail(s, op, null, Property.API_CONTRACT, "createTemp on an attached object");
        }
        if (op.size() == null || op.size() <= 0) {
            return Expect.fail(s, op, "InvalidSize", Property.CREATE_SIZE, "createTemp(" + op.size() + ")");
        }
        if (op.outcome() == Outcome.FAIL && "OutOfResources".equals(op.error())) {
            return Step.to(s.observe(PREFIX + " of " + op.size() + " bytes: OutOfResources"));
        }
        if (op.outcome() != Outcome.OK) {
            return Step.violates(Property.TEMP_FILE_CLEANUP, "createTemp(" + op.size() + ") returned " + Expect.describe(op));
        }
        if (op.value() == null || op.value().isBlank() || op.value().contains(" ")) {
            return Step.violates(Property.API_CONTRACT, "createTemp returned no file name (" + op.value() + ")");
        }
        String key = KeySpaceRules.modelKey(op) + "#" + op.value();
        if (s.segments().containsKey(key)) {
            return Step.violates(Property.TEMP_FILE_CLEANUP, "two live temporary files got one name: " + op.value());
        }
        Segment seg = new Segment(op.size(), new TreeMap<>(), Map.of(op.process(), op.readOnly()), op.user());
        return Step.to(s.withSegment(key, seg).because(key, Property.TEMP_FILE_CLEANUP)
                .with(op.process(), new Worker(key, true, op.readOnly(), w.locked(), false, op.size())));
    }

    static Step list(ModelState s, ModelOp op) {
        if (op.outcome() == Outcome.CRASH) {
            return Expect.crashed(s, op);
        }
        if (op.outcome() != Outcome.OK) {
            return Step.violates(Property.TEMP_FILE_CLEANUP, "tempFiles returned " + Expect.describe(op));
        }
        String base = KeySpaceRules.modelKey(op) + "#";
        Set<String> live = new TreeSet<>();
        Set<String> orphaned = new TreeSet<>();
        s.segments().forEach((key, seg) -> {
            if (key.startsWith(base)) {
                live.add(key.substring(base.length()));
                if (seg.attached().isEmpty()) {
                    orphaned.add(key.substring(base.length()));
                }
            }
        });
        Set<String> listed = new TreeSet<>(Arrays.asList(op.value() == null || op.value().isBlank() ? new String[0]
                : op.value().trim().split(" +")));
        if (!listed.equals(live)) {
            Set<String> extra = new TreeSet<>(listed);
            extra.removeAll(live);
            Set<String> gone = new TreeSet<>(live);
            gone.removeAll(listed);
            String why = (extra.isEmpty() ? "" : "still there although its creator's object detached: " + extra)
                    + (extra.isEmpty() || gone.isEmpty() ? "" : "; ")
                    + (gone.isEmpty() ? "" : "gone although its object never detached: " + gone);
            Property blame = gone.isEmpty() ? Property.TEMP_FILE_CLEANUP : s.blame(base + gone.iterator().next(), Property.TEMP_FILE_CLEANUP);
            return Step.violates(blame, "temporary files of the key: " + why);
        }
        ModelState next = s;
        if (!orphaned.isEmpty()) {
            next = next.observe(PREFIX + " of a killed creator: left behind under its name (the harness removes it)");
        }
        if (live.size() > 1) {
            next = next.observe(PREFIX + "s of one template: " + live.size() + " live at once, each under its own name");
        }
        return Step.to(next);
    }
}
