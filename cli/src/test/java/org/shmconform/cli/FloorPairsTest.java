package org.shmconform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class FloorPairsTest {

    @Test
    void aDoubledMeasurementIsShownButDoesNotDecideTheFigure() throws Exception {
        // Floors 16, 17, 16 us; the second round trip doubled (as docs/fuzz-notes.md, "Round trips next to their
        // floor", saw).
        Iterator<Double> floors = List.of(16.0, 17.0, 16.0).iterator();
        Iterator<Double> trips = List.of(28.0, 57.8, 27.2).iterator();
        FloorPairs p = FloorPairs.measure(3, floors::next, trips::next);
        assertEquals(new FloorPairs.Pair(16.0, 28.0), p.middle(), "ratios 1.75, 3.40, 1.70: the middle is 1.75");
        assertEquals("; the middle of 3 such pairs, whose ratios were 1.75x, 3.40x, 1.70x", p.others(), "in the order measured");
        assertEquals("28.0 us (1.75x the JVM pipe there, 16.0 us just before; the middle of 3 such pairs, whose ratios were 1.75x,"
                + " 3.40x, 1.70x", p.middleFigures(), "the middle pair's own trip and floor");
    }

    @Test
    void eachRoundTripIsMeasuredJustAfterItsFloor() throws Exception {
        List<String> order = new ArrayList<>();
        FloorPairs.measure(3, () -> {
            order.add("floor");
            return 10.0;
        }, () -> {
            order.add("trip");
            return 20.0;
        });
        assertEquals(List.of("floor", "trip", "floor", "trip", "floor", "trip"), order);
    }

    @Test
    void onePairIsGivenAsItIsAndAnEvenCountGivesTheUpperMiddle() throws Exception {
        FloorPairs one = FloorPairs.measure(1, () -> 10.0, () -> 25.0);
        assertEquals(2.5, one.middle().ratio(), 1e-9);
        assertEquals("", one.others());
        Iterator<Double> trips = List.of(30.0, 10.0).iterator();
        assertEquals(3.0, FloorPairs.measure(2, () -> 10.0, trips::next).middle().ratio(), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> new FloorPairs(List.of()));
    }
}
