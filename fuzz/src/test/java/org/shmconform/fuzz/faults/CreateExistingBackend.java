package org.shmconform.fuzz.faults;

import org.shmconform.spi.AccessMode;
import org.shmconform.spi.SegmentError;
import org.shmconform.spi.SharedSegment;
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
