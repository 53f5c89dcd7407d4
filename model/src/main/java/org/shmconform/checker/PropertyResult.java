package org.shmconform.checker;

import java.util.List;

/**
 * The verdict of one property in one scenario run, with its evidence.
 *
 * @param why          for anything but PASS: the model's reason (FAIL/DEVIATES) or what went wrong
 * @param eventIndex   the history line that could not be explained, if any
 * @param observations the branches the documentation leaves open, as they happened here
 */
public record PropertyResult(String property, Verdict verdict, String why, Integer eventIndex, List<String> observations) {
}
