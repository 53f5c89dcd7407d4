package org.shmconform.scenarios;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.Backends;
import org.shmconform.engine.Qt68Columns;
import org.shmconform.schedule.Schedule;
import org.shmconform.spi.NativeName;

/** The native-key scenarios (seeds N16-N18) name what they claim: the non-Qt partner's own naming, and the right columns. */
class NativeKeyScenariosTest {
    @Test
    void eachNativeColumnIsGivenItsNonQtPartnersOwnNaming() {
        Map<String, NamedSuite.NonQtPartner> partners = NamedSuite.NON_QT_PARTNER;
        assertFalse(partners.isEmpty());
        Scenario meets = NamedSuite.named("non-qt-meets-native-key").orElseThrow();
        for (Map.Entry<String, NamedSuite.NonQtPartner> e : partners.entrySet()) {
            String declared = Backends.named(e.getValue().backend()).orElseThrow().semantics().keySpace();
            assertEquals(declared, e.getValue().keySpace(), e.getKey());
            Schedule s = meets.scheduleFor(e.getKey());
            assertEquals(NativeName.of(declared, "k"), s.steps().get(0).key(), "Qt creates by the partner's native name");
            assertEquals(e.getValue().backend(), s.workers().get(1).impl());
            assertTrue(meets.appliesTo().test(e.getKey()));
            assertFalse(NamedSuite.named("key-changed-by-qt").orElseThrow().appliesTo().test(e.getKey()), "told otherwise");
        }
        assertFalse(meets.appliesTo().test("posix"));
        assertTrue(NamedSuite.named("key-changed-by-qt").orElseThrow().appliesTo().test(Qt68Columns.POSIX));
    }
}
