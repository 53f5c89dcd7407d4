package org.shmconform.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The IPC limits in results.json are the kernel's, as {@code sysctl} prints them, not their first byte. */
class MachineFactsTest {
    private static final List<String> NAMES = List.of("kernel.shmmax", "kernel.shmall", "kernel.shmmni", "kernel.sem");

    /** {@code sysctl -n NAME...}: one value per line, fields of kernel.sem separated by tabs. */
    private static List<String> sysctl() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of("sysctl", "-n", NAMES.get(0), NAMES.get(1), NAMES.get(2), NAMES.get(3)))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "sysctl did not finish");
        assertEquals(0, p.exitValue(), "sysctl -n " + NAMES + ": " + out);
        return out.lines().map(l -> l.trim().replaceAll("\\s+", " ")).toList();
    }

    @Test
    void theIpcLimitsAreWhatSysctlPrints() throws Exception {
        List<String> expected = sysctl();
        assertEquals(NAMES.size(), expected.size(), expected.toString());
        Map<String, Object> facts = MachineFacts.collect(Map.of());
        for (int i = 0; i < NAMES.size(); i++) {
            assertEquals(expected.get(i), facts.get(NAMES.get(i)), NAMES.get(i));
        }
        // The values that were wrong: more than one digit, and four fields for the semaphore limits.
        assertTrue(((String) facts.get("kernel.shmmni")).length() > 1, facts.toString());
        assertEquals(4, ((String) facts.get("kernel.sem")).split(" ").length, facts.toString());
    }

    /** The C library is the one getconf(1) names (both answer from the glibc loaded in their process). */
    @Test
    void theCLibraryIsWhatGetconfPrints() throws Exception {
        Process p = new ProcessBuilder(List.of("getconf", "GNU_LIBC_VERSION")).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "getconf did not finish");
        assertEquals(0, p.exitValue(), "getconf GNU_LIBC_VERSION: " + out);
        assertTrue(out.matches("glibc \\d+\\.\\d+.*"), out);
        assertEquals(out, MachineFacts.collect(Map.of()).get("libc"));
    }

    @Test
    void theWorkersTmpdirFileSystemIsWhatFindmntSays() throws Exception {
        java.nio.file.Path share = org.shmconform.engine.state.StateDirectory.shareRoot();
        Process p = new ProcessBuilder(List.of("findmnt", "-n", "-o", "FSTYPE", "-T", share.toString())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "findmnt did not finish");
        assertEquals(out, MachineFacts.collect(Map.of()).get("tmpdirFs"), share.toString());
    }

    @Test
    void theJvmIsNamedWithItsBuild() {
        String java = (String) MachineFacts.collect(Map.of()).get("java");
        assertTrue(java.endsWith(" " + System.getProperty("java.runtime.version")) && java.contains(System.getProperty("java.version")), java);
    }

    @Test
    void aMissingSysctlSaysSoInsteadOfAValue() {
        String v = MachineFacts.readSysctl(java.nio.file.Path.of("/proc/sys/kernel/no-such-limit"));
        assertTrue(v.startsWith("unreadable: ") && v.contains("no-such-limit"), v);
    }
}
