package org.shmconform.fuzz.faults;

import org.shmconform.spi.SharedSegment;
import org.shmconform.backends.sysv.SysVBackend;

/** System V, but size() reports the kernel's page-rounded size instead of the size created. */
public final class PageRoundBackend extends FaultBackend {
    private static final long PAGE = 4096;

    public PageRoundBackend() {
        super("fault-pageround", new SysVBackend(), "size() rounded up to a page");
    }

    @Override
    SharedSegment inject(SharedSegment segment) {
        return new DelegatingSegment(segment) {
            @Override
            public long size() {
                long s = real.size();
                return (s + PAGE - 1) / PAGE * PAGE;
            }
        };
    }
}
