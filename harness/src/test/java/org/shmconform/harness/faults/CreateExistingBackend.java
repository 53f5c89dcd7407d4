package org.shmconform.harness.faults;

import org.shmconform.backends.AccessMode;
import org.shmconform.backends.SegmentError;
import org.shmconform.backends.SharedSegment;
import org.shmconform.backends.sysv.SysVBackend;

/** System V, but create() on an existing key quietly attaches to it instead of failing with AlreadyExists. */
public final class CreateExistingBackend extends FaultBackend {
    public CreateExistingBackend() {
        super("fault-createexisting", new SysVBackend(), "create on an existing key attaches");
    }

    @Override
    SharedSegment inject(SharedSegment segment) {
        return new DelegatingSegment(segment) {
            @Override
            public boolean create(long size, AccessMode mode) {
                boolean ok = real.create(size, mode);
                if (!ok && real.error() == SegmentError.AlreadyExists) {
                    return real.attach(mode);
                }
                return ok;
            }
        };
    }
}
