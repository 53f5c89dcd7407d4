package org.shmconform.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * A round trip measured several times, each time just after the JVM pipe floor in the same placement, for
 * {@code bench}. On this shared machine a whole measurement of a round trip sometimes comes out about twice its usual
 * while the floor measured just before it does not (docs/fuzz-notes.md, "Round trips next to their floor": 4 of 28
 * measurements of 1,000 round trips), so one pair can put a column over the goal by chance. The line gives the pair
 * whose ratio is the middle one, with every pair's ratio beside it, so a doubled measurement is shown and does not
 * decide the figure.
 */
record FloorPairs(List<Pair> pairs) {

    /** One floor and the round trip measured just after it, in microseconds. */
    record Pair(double floorUs, double tripUs) {
        double ratio() {
            return tripUs / floorUs;
        }
    }

    FloorPairs {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no pair measured");
        }
        pairs = List.copyOf(pairs);
    }

    /** {@code n} pairs, each the floor and then the round trip: never all the floors first, which would part them in time. */
    static FloorPairs measure(int n, Callable<Double> floorUs, Callable<Double> tripUs) throws Exception {
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double f = floorUs.call();
            pairs.add(new Pair(f, tripUs.call()));
        }
        return new FloorPairs(pairs);
    }

    /** The pair with the middle ratio (the upper of the two middle ones for an even count): its trip, floor and ratio belong together. */
    Pair middle() {
        List<Pair> byRatio = new ArrayList<>(pairs);
        byRatio.sort(Comparator.comparingDouble(Pair::ratio));
        return byRatio.get(byRatio.size() / 2);
    }

    /**
     * "T us (Rx the JVM pipe there, F us just before" and {@link #others}, the middle pair's figures as a bench line gives
     * them for a placement, left open for the caller to add to before its closing parenthesis.
     */
    String middleFigures() {
        Pair mid = middle();
        return String.format(Locale.ROOT, "%.1f us (%.2fx the JVM pipe there, %.1f us just before%s", mid.tripUs(), mid.ratio(),
                mid.floorUs(), others());
    }

    /** Empty for one pair, else "; the middle of N such pairs, whose ratios were a, b, c" in the order measured. */
    String others() {
        if (pairs.size() == 1) {
            return "";
        }
        return "; the middle of " + pairs.size() + " such pairs, whose ratios were "
                + pairs.stream().map(p -> String.format(Locale.ROOT, "%.2fx", p.ratio())).collect(Collectors.joining(", "));
    }
}
