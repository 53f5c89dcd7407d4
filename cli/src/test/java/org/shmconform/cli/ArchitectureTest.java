package org.shmconform.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pipeline's shape as rules (README, "Design"): scenario → schedule → engine → worker → backend →
 * history → model/checker → verdicts → reports. Each rule names the modules by their packages; a
 * rule that breaks names the class and the dependency that broke it. Main code only: tests may
 * reach anywhere they need to.
 */
class ArchitectureTest {
    private static final String SPI = "org.shmconform.spi..";
    private static final String BACKENDS = "org.shmconform.backends..";
    private static final String LINUX_CALLS = "org.shmconform.backends.linux..";
    private static final String WORKER = "org.shmconform.worker..";
    private static final String HISTORY = "org.shmconform.history..";
    private static final String MODEL = "org.shmconform.model..";
    private static final String CHECKER = "org.shmconform.checker..";
    private static final String SCHEDULE = "org.shmconform.schedule..";
    private static final String ENGINE = "org.shmconform.engine..";
    private static final String FUZZ = "org.shmconform.fuzz..";
    private static final String SCENARIOS = "org.shmconform.scenarios..";
    private static final String REPORTS = "org.shmconform.reports..";
    private static final String CLI = "org.shmconform.cli..";
    private static final String CONFORMANCE = "org.shmconform.conformance..";

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.shmconform");
        // Guards the guard: an import that found nothing would make every rule below pass.
        for (String module : new String[] {"spi", "backends", "worker", "history", "model", "checker", "schedule",
                "engine", "fuzz", "scenarios", "reports", "conformance", "cli"}) {
            assertTrue(main.stream().anyMatch(c -> c.getPackageName().startsWith("org.shmconform." + module)),
                    "no class of org.shmconform." + module + " was imported");
        }
    }

    private static void check(ArchRule rule) {
        rule.check(main);
    }

    @Test
    void theSpiDependsOnNothingButTheJdk() {
        check(noClasses().that().resideInAPackage(SPI).should().dependOnClassesThat()
                .resideOutsideOfPackages(SPI, "java..").because("a backend plug-in needs nothing but the SPI"));
    }

    @Test
    void backendsDependOnNothingOfTheHarness() {
        check(noClasses().that().resideInAPackage(BACKENDS).should().dependOnClassesThat()
                .resideInAnyPackage(WORKER, HISTORY, MODEL, CHECKER, SCHEDULE, ENGINE, FUZZ, SCENARIOS, REPORTS, CLI,
                        CONFORMANCE));
    }

    @Test
    void onlyBackendsUseTheLinuxCallLayerOrJna() {
        check(noClasses().that().resideOutsideOfPackage(BACKENDS).should().dependOnClassesThat()
                .resideInAnyPackage(LINUX_CALLS, "com.sun.jna..")
                .because("native calls live in the backends module, behind its public classes"));
    }

    @Test
    void theWorkerKnowsOnlyTheSpiAndTheBackends() {
        check(noClasses().that().resideInAPackage(WORKER).should().dependOnClassesThat()
                .resideInAnyPackage(HISTORY, MODEL, CHECKER, SCHEDULE, ENGINE, FUZZ, SCENARIOS, REPORTS, CLI, CONFORMANCE)
                .because("the worker JVM starts from the worker's small class path"));
    }

    @Test
    void theModelIsPure() {
        check(noClasses().that().resideInAnyPackage(HISTORY, MODEL, CHECKER).should().dependOnClassesThat()
                .resideInAnyPackage(BACKENDS, WORKER, SCHEDULE, ENGINE, FUZZ, SCENARIOS, REPORTS, CLI, CONFORMANCE,
                        "com.sun.jna..")
                .because("the model and the checker only read histories"));
    }

    @Test
    void theModelStartsNoProcess() {
        check(noClasses().that().resideInAnyPackage(HISTORY, MODEL, CHECKER).should().dependOnClassesThat()
                .haveFullyQualifiedName("java.lang.ProcessBuilder"));
    }

    @Test
    void theCheckerLoadsNoBackend() {
        check(noClasses().that().resideInAPackage(CHECKER).should().dependOnClassesThat()
                .haveFullyQualifiedName("java.util.ServiceLoader")
                .because("declarations reach the checker from the column registry"));
    }

    @Test
    void schedulesArePlainData() {
        check(noClasses().that().resideInAPackage(SCHEDULE).should().dependOnClassesThat()
                .resideInAnyPackage(BACKENDS, WORKER, HISTORY, MODEL, CHECKER, ENGINE, FUZZ, SCENARIOS, REPORTS, CLI,
                        CONFORMANCE));
    }

    @Test
    void theEngineKnowsNoCampaignSuiteOrReport() {
        check(noClasses().that().resideInAPackage(ENGINE).should().dependOnClassesThat()
                .resideInAnyPackage(FUZZ, SCENARIOS, REPORTS, CLI, CONFORMANCE));
    }

    @Test
    void fuzzAndScenariosKnowNoReportOrCli() {
        check(noClasses().that().resideInAnyPackage(FUZZ, SCENARIOS).should().dependOnClassesThat()
                .resideInAnyPackage(REPORTS, CLI, CONFORMANCE));
    }

    @Test
    void reportsReadVerdictsNotModelInternals() {
        check(noClasses().that().resideInAPackage(REPORTS).should().dependOnClassesThat()
                .resideInAnyPackage(ENGINE, SCENARIOS, CLI, CONFORMANCE, BACKENDS, WORKER)
                .orShould().dependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.describe(
                        "model internals (anything of org.shmconform.model but Property and the seed statements' coverage,"
                                + " anything of the checker but its verdict types)", ArchitectureTest::isModelInternal)));
    }

    private static boolean isModelInternal(com.tngtech.archunit.core.domain.JavaClass c) {
        String name = c.getName();
        if (name.startsWith("org.shmconform.model.")) {
            // The documentation's catalogue, not the model's rules: the properties, and which seed statements they test.
            return !(name.startsWith("org.shmconform.model.Property") || name.startsWith("org.shmconform.model.SeedCoverage")
                    || name.startsWith("org.shmconform.model.SeedStatements"));
        }
        if (name.startsWith("org.shmconform.checker.")) {
            // Linearization is a PropertyResult's evidence: history indexes and the model's words, no model type.
            return !(name.startsWith("org.shmconform.checker.Verdict") || name.startsWith("org.shmconform.checker.PropertyResult")
                    || name.startsWith("org.shmconform.checker.ScenarioResult") || name.startsWith("org.shmconform.checker.Linearization"));
        }
        return false;
    }

    @Test
    void noPackageCycles() {
        check(slices().matching("org.shmconform.(**)").should().beFreeOfCycles());
    }
}
