package org.shmconform.model;

import java.nio.file.Path;
import java.util.List;
import org.shmconform.model.ModelOp.Outcome;
import org.shmconform.model.ModelState.Worker;
import org.shmconform.model.SegmentModel.Step;
import org.shmconform.spi.Placement;

/**
 * Where a backend's named objects live (seeds M6, L1, L2, L4), judged from what the worker measured with
 * statfs ({@code placement}'s value, {@link Placement.Measured}): /dev/shm must be a tmpfs (L2: its f_type must be
 * TMPFS_MAGIC, ramfs is not enough; anything else is a broken environment, a violation of DEV-SHM-TMPFS), and so
 * must a directory in the XDG runtime directory /run/user/&lt;uid&gt; (L4); every other directory is legal wherever
 * it is, and what it is gets recorded: RAM-backed, or disk-backed and so written back to storage (M6), /tmp either
 * way (L1).
 */
public final class PlacementRules {
    static final Path DEV_SHM = Path.of("/dev/shm");
    /** Where systemd makes each user's XDG runtime directory, /run/user/&lt;uid&gt;. */
    static final Path XDG_RUNTIME_ROOT = Path.of("/run/user");
    /** Every observation of this rule starts so ("placement of segment files: RAM-backed (tmpfs)"): the reports list them. */
    public static final String PREFIX = "placement of ";

    private PlacementRules() {
    }

    static Step placement(ModelState s, ModelOp op) {
        if (op.outcome() == Outcome.CRASH) {
            return Expect.crashed(s, op);
        }
        if (op.outcome() != Outcome.OK) {
            return Step.to(s.observe(PREFIX + "objects: not reported (" + Expect.describe(op) + ")"));
        }
        List<Placement.Measured> measured;
        try {
            measured = Placement.Measured.decode(op.value());
        } catch (IllegalArgumentException e) {
            return Step.violates(Property.API_CONTRACT, "placement's value is not a list of measured directories: " + e.getMessage());
        }
        if (measured.isEmpty()) {
            return Step.to(s.observe(PREFIX + "named objects: none, in no directory (anonymous)"));
        }
        ModelState next = s;
        for (Placement.Measured m : measured) {
            String what = m.placement().what();
            if (m.fileSystem() == null) {
                next = next.observe(PREFIX + what + ": filesystem not measured (" + m.why() + ")");
                continue;
            }
            boolean tmpfs = Boolean.TRUE.equals(m.ramBacked()) && "tmpfs".equals(m.fileSystem());
            if (m.placement().directory().equals(DEV_SHM) && !tmpfs) {
                return Step.violates(Property.DEV_SHM_TMPFS, DEV_SHM + " is " + m.fileSystem() + ", not a tmpfs: Linux requires it"
                        + " to be one (the environment is broken)");
            }
            if (m.placement().directory().startsWith(XDG_RUNTIME_ROOT) && !tmpfs) {
                return Step.violates(Property.XDG_RUNTIME_TMPFS, m.placement().directory() + " is " + m.fileSystem()
                        + ", but an XDG runtime directory is a user-specific tmpfs");
            }
            next = next.observe(Boolean.TRUE.equals(m.ramBacked())
                    ? PREFIX + what + ": RAM-backed (" + m.fileSystem() + ")"
                    : PREFIX + what + ": disk-backed (" + m.fileSystem() + "): written back to storage");
        }
        return Step.to(next);
    }

    /** A fresh object told where its files go; a backend that cannot be told says so (recorded, not judged). */
    static Step placeIn(ModelState s, ModelOp op, Worker w) {
        if (op.outcome() == Outcome.CRASH) {
            return Expect.crashed(s, op);
        }
        if (w.key() != null) {
            return Step.violates(Property.API_CONTRACT, "placeIn on an object that already has a key: only a fresh object is placed");
        }
        return op.outcome() == Outcome.OK ? Step.to(s) : Step.to(s.observe(PREFIX + "objects: the backend cannot be told where they go"));
    }
}
