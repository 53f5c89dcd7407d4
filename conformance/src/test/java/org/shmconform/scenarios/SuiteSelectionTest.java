package org.shmconform.scenarios;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The -Dshmconform.scenario/column/env selection of the named suite, and its test names (no process is started). */
class SuiteSelectionTest {
    private static final List<String> COLUMNS = List.of("sysv", "posix", "mmapfile", "memfd", "qt");
    private static final List<String> ENVS = List.of("local", "ipcns", "ipcns+shm", "docker-private", "docker-shareable", "docker-host");

    @Test
    void nothingSetSelectsTheWholePlan() {
        SuiteSelection all = new SuiteSelection(Set.of(), Set.of(), Set.of());
        List<Scenario> suite = NamedSuite.all();
        assertEquals(SuiteRunner.plan(suite, COLUMNS, ENVS).stream().map(SuiteSelection::displayName).toList(),
                all.plan(suite, COLUMNS, ENVS).stream().map(SuiteSelection::displayName).toList());
    }

    @Test
    void oneScenarioOneColumnOneEnvironmentIsOneRun() {
        SuiteSelection one = new SuiteSelection(Set.of("lock-excludes"), Set.of("posix"), Set.of("local"));
        List<SuiteRunner.Job> jobs = one.plan(NamedSuite.all(), COLUMNS, ENVS);
        assertEquals(1, jobs.size());
        assertEquals("[posix/local] lock-excludes", SuiteSelection.displayName(jobs.get(0)));
    }

    @Test
    void listsCombine() {
        SuiteSelection some = new SuiteSelection(Set.of("crash-survives", "truncate-under-reader"), Set.of("posix", "sysv"),
                Set.of("local", "ipcns"));
        List<String> names = some.plan(NamedSuite.all(), COLUMNS, ENVS).stream().map(SuiteSelection::displayName).toList();
        // crash-survives runs in every environment, truncate-under-reader only locally.
        assertEquals(List.of("[sysv/local] crash-survives", "[sysv/local] truncate-under-reader", "[posix/local] crash-survives",
                "[posix/local] truncate-under-reader", "[sysv/ipcns] crash-survives", "[posix/ipcns] crash-survives"), names);
    }

    @Test
    void crossEnvironmentRunsNeedBothOfTheirEnvironments() {
        SuiteSelection two = new SuiteSelection(Set.of(), Set.of("posix"), Set.of("local", "ipcns"));
        List<String> names = two.plan(NamedSuite.all(), COLUMNS, ENVS).stream().map(SuiteSelection::displayName).toList();
        assertTrue(names.contains("[posix/cross] visible-local-to-ipcns"), names.toString());
        assertTrue(names.stream().noneMatch(n -> n.contains("visible-ipcns-to-ipcns+shm")), names.toString());
    }

    @Test
    void aTypoIsAnErrorNotAnEmptyRun() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SuiteSelection(Set.of("lock-exclude"), Set.of(), Set.of()).plan(NamedSuite.all(), COLUMNS, ENVS));
        assertTrue(e.getMessage().contains("-Dshmconform.scenario: no such name 'lock-exclude'"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new SuiteSelection(Set.of(), Set.of("posx"), Set.of()).plan(NamedSuite.all(), COLUMNS, ENVS));
        assertThrows(IllegalArgumentException.class,
                () -> new SuiteSelection(Set.of(), Set.of(), Set.of("lokal")).environments(ENVS));
    }

    @Test
    void aSelectionThatMatchesNothingIsAnError() {
        // The interop scenarios are shown in the qt column only.
        assertThrows(IllegalArgumentException.class, () -> new SuiteSelection(Set.of("interop-lock"), Set.of("posix"), Set.of())
                .plan(NamedSuite.all(), COLUMNS, ENVS));
    }

    @Test
    void eachTestsSourceIsTheLineOfNamedSuiteJavaThatNamesItsScenario() throws Exception {
        // The named suite is written in the scenarios module; its JUnit entry runs from this one.
        URI source = SuiteSelection.definition(NamedSuite.named("lock-excludes").orElseThrow());
        String text = source.toString();
        assertTrue(text.matches("file:.*/scenarios/src/main/java/org/shmconform/scenarios/NamedSuite\\.java\\?line=\\d+"), text);
        int line = Integer.parseInt(text.substring(text.indexOf("?line=") + 6));
        List<String> lines = Files.readAllLines(Path.of(URI.create(text.substring(0, text.indexOf('?')))));
        assertTrue(lines.get(line - 1).contains("\"lock-excludes\""), lines.get(line - 1));
    }
}
