package org.shmconform.checker;

import org.shmconform.spi.BackendSemantics;

/**
 * What each column of an execution declares, as the column registry says: the checker asks for
 * nothing else about the implementations it judges (it never loads a backend itself).
 */
public interface Declarations {
    /** The semantics the implementation named {@code impl} declares. */
    BackendSemantics semantics(String impl);

    /** The declared profile's name in reports ("qt-6.4", "declared:sysv"). */
    String profileName(String impl);
}
