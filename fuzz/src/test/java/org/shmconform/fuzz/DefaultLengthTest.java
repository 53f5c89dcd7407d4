package org.shmconform.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * A campaign asked for no length runs the column's ({@link FuzzCampaign#defaultLength}): 64 steps where a schedule's own
 * costs are most of its time and the model follows what the steps reach, 16 on a Java column and on the Qt 6.8 System V
 * columns whose lock shares the segment's key file; an asked length is kept.
 */
class DefaultLengthTest {
    @Test
    void eachColumnGetsItsOwnLengthUnlessOneIsAsked() {
        for (String native64 : new String[] {"qt", "qt68-sysv", "qt68-posix", "qt68-posix-safe", "qt68-posix-native"}) {
            assertEquals(64, FuzzCampaign.settled(FuzzCampaign.Options.of(native64)).length(), native64);
        }
        for (String short16 : new String[] {"mmapfile", "sysv", "memfd-fd", "qt68-sysv-safe", "qt68-sysv-native"}) {
            assertEquals(16, FuzzCampaign.settled(FuzzCampaign.Options.of(short16)).length(), short16);
        }
        assertEquals(24, FuzzCampaign.settled(FuzzCampaign.Options.of("qt").length(24)).length());
    }
}
