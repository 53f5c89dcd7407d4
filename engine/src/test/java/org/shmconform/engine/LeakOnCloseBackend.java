package org.shmconform.engine;

import org.shmconform.spi.SharedSegment;

/**
 * Test-only: the tmpfs-file backend, except that dropping a segment object (the destructor, the
 * worker's reset) forgets it instead of detaching: its mapping and descriptor stay in the process.
 * A worker of this column that created a segment can never prove itself clean, which is how
 * {@link WorkerPoolTest} shows the pool's clean check failing.
 */
public final class LeakOnCloseBackend extends TmpfsFileTestBackend {
    public static final String NAME = "test-leak-on-close";

    public LeakOnCloseBackend() {
        super(NAME, "the destructor leaves the mapping");
    }

    @Override
    protected SharedSegment changed(SharedSegment real, String key) {
        return new Forwarding(real) {
            @Override
            public void close() {
                // the injected leak: nothing is detached or closed
            }
        };
    }
}
