package org.shmconform.fuzz.faults;

import org.shmconform.spi.AccessMode;
import org.shmconform.spi.SegmentError;
import org.shmconform.spi.SharedSegment;
import org.shmconform.backends.sysv.SysVBackend;

/** System V, but attach() to a missing key reports KeyError where Qt reports NotFound. */
public final class WrongErrorBackend extends FaultBackend {
    public WrongErrorBackend() {
        super("fault-wrongerror", new SysVBackend(), "NotFound reported as KeyError");
    }

    @Override
    SharedSegment inject(SharedSegment segment) {
        return new DelegatingSegment(segment) {
            private boolean misreport;

            @Override
            public boolean create(long size, AccessMode mode) {
                misreport = false;
                return real.create(size, mode);
            }

            @Override
            public boolean attach(AccessMode mode) {
                boolean ok = real.attach(mode);
                misreport = !ok && real.error() == SegmentError.NotFound;
                return ok;
            }

            @Override
            public SegmentError error() {
                return misreport ? SegmentError.KeyError : real.error();
            }

            @Override
            public String errorString() {
                return misreport ? "QSharedMemory::attach: key error" : real.errorString();
            }
        };
    }
}
