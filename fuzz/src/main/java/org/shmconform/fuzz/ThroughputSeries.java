package org.shmconform.fuzz;

import java.util.ArrayList;
import java.util.List;

/**
 * A campaign's progress samples, kept small whatever the campaign's length: once more than
 * {@value #MAX_POINTS} are kept, every other one is dropped and only every second later sample is
 * offered a place, so the kept samples stay evenly spread over the campaign. The latest sample is
 * always part of the series.
 */
final class ThroughputSeries {
    /** At most this many samples (plus the latest) reach results.json: a chart needs no more. */
    static final int MAX_POINTS = 200;

    private final List<FuzzResult.Sample> kept = new ArrayList<>();
    private long offered;
    private long stride = 1;
    private FuzzResult.Sample latest;

    void add(FuzzResult.Sample s) {
        latest = s;
        if (offered++ % stride != 0) {
            return;
        }
        kept.add(s);
        if (kept.size() > MAX_POINTS) {
            List<FuzzResult.Sample> thinned = new ArrayList<>();
            for (int i = 0; i < kept.size(); i += 2) {
                thinned.add(kept.get(i));
            }
            kept.clear();
            kept.addAll(thinned);
            stride *= 2;
        }
    }

    List<FuzzResult.Sample> samples() {
        List<FuzzResult.Sample> out = new ArrayList<>(kept);
        if (latest != null && (out.isEmpty() || out.get(out.size() - 1) != latest)) {
            out.add(latest);
        }
        return List.copyOf(out);
    }
}
