package org.shmconform.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A campaign's throughput series stays small and evenly spread, from its start to its latest sample. */
class ThroughputSeriesTest {
    private static FuzzResult.Sample sample(int i) {
        return new FuzzResult.Sample(i * 10L, i * 9L, i, i * 20L);
    }

    @Test
    void aShortCampaignKeepsEverySample() {
        ThroughputSeries s = new ThroughputSeries();
        for (int i = 0; i <= 50; i++) {
            s.add(sample(i));
        }
        assertEquals(51, s.samples().size());
        assertEquals(sample(50), s.samples().get(50));
    }

    @Test
    void aLongCampaignIsThinnedEvenlyAndEndsWithItsLatestSample() {
        ThroughputSeries s = new ThroughputSeries();
        for (int i = 0; i <= 5000; i++) {
            s.add(sample(i));
        }
        List<FuzzResult.Sample> kept = s.samples();
        assertTrue(kept.size() <= ThroughputSeries.MAX_POINTS + 1 && kept.size() > ThroughputSeries.MAX_POINTS / 2, "size " + kept.size());
        assertEquals(sample(0), kept.get(0));
        assertEquals(sample(5000), kept.get(kept.size() - 1));
        // Evenly spread: one stride between every two kept samples but the latest.
        int stride = kept.get(1).schedules() - kept.get(0).schedules();
        for (int i = 1; i < kept.size() - 1; i++) {
            assertEquals(stride, kept.get(i).schedules() - kept.get(i - 1).schedules(), "at " + i);
        }
        assertTrue(stride > 1);
    }
}
