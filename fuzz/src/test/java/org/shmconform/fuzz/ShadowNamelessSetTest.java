package org.shmconform.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmconform.model.ReferenceSemantics;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.Steps;

/**
 * Fuzz qt68-sysv seed 32040 (a mutant, UNKNOWN 3/3 on Qt 6.8.2: "step 21 (lock by A) not performed: A was already gone
 * (blocked by the engine)"). A's second create of k removed k's set and made its own; B, an owner of the old one, re-keyed
 * to k-1, whose new key file took the inode of k's file that B's cleanHandle had just unlinked, so B's lock of k-1 held
 * A's set; A's detach waited behind it, not behind C's lock, and C's kill did not let it through. Once a set may live
 * on without its name, a wait on one key's lock is not over while another key's lock is held: the shadow gives A no
 * further step.
 */
class ShadowNamelessSetTest {
    @Test
    void aWaitIsNotOverWhileAnotherKeysLockMayBeTheSetItWaitsOn() {
        ShadowState shadow = new ShadowState(ReferenceSemantics.QT_6_8_SYSV);
        List<Step> steps = List.of(Steps.create("C", "k", 24), Steps.detach("A"), Steps.create("B", "k", 64),
                Steps.create("A", "k", 64), Steps.create("A", "k", 64), Steps.attachReadOnly("A", "k"), Steps.read("A", 22, 4),
                Steps.lock("A"), Steps.unlock("A"), Steps.create("B", "k-1", 40), Steps.lock("B"), Steps.unlock("B"),
                Steps.lock("B"), Steps.lock("C"), Steps.write("A", 11, "wAs14"), Steps.detach("A"), Steps.write("B", 19, "wBs16"));
        steps.forEach(shadow::apply);
        assertFalse(shadow.canAct("A"), "A's detach waits behind C's lock");
        shadow.apply(Steps.kill("C"));
        assertFalse(shadow.canAct("A"), "B's lock of k-1 may be the set A's detach waits on");
        assertTrue(shadow.waiting("A"), "a kill may still end A's wait");
        assertTrue(shadow.canAct("B"));
        shadow.apply(Steps.unlock("B"));
        assertFalse(shadow.canAct("A"), "whether B's unlock let it through, the shadow cannot tell");
    }
}
