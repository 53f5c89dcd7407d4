package org.shmconform.backends.testsupport;

import java.util.Set;
import org.shmconform.backends.host.HostIds;

/** The owners a test's reaper may remove names of (removeLeftovers' {@code owners}): this test's own user only. */
public final class OurUser {
    public static final Set<Integer> ONLY = Set.of(HostIds.uid());

    private OurUser() {
    }
}
