package org.shmconform.checker;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The verdict of one property in one scenario run, with its evidence.
 *
 * @param why           for anything but PASS: the model's reason (FAIL/DEVIATES) or what went wrong
 * @param eventIndex    the history line that could not be explained, if any
 * @param observations  the branches the documentation leaves open, as they happened here
 * @param linearization for the property a FAIL or DEVIATES blames: the longest linearization the checker found
 *                      (under the declared profile for a FAIL, the documented one for a DEVIATES), else null
 */
public record PropertyResult(String property, Verdict verdict, String why, Integer eventIndex, List<String> observations,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Linearization linearization) {

    /** Without a linearization (a PASS, or a verdict not reached by the search). */
    public PropertyResult(String property, Verdict verdict, String why, Integer eventIndex, List<String> observations) {
        this(property, verdict, why, eventIndex, observations, null);
    }
}
