package org.shmconform.engine.env;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Run as the init of a pid namespace of its own ({@link NamespaceHolderTest}), where it may make the next process take
 * a pid it chooses (never on the host): starts a holder, takes its enter prefix, kills the holder, gives its pid to an
 * impostor in an IPC namespace of its own, then runs {@code readlink /proc/self/ns/ipc} through the prefix taken before.
 * Prints "holder LINK", "impostor LINK" and "entered LINK" (or "entered failed: ...").
 */
public final class HolderPidReusedRun {
    private HolderPidReusedRun() {
    }

    public static void main(String[] args) throws Exception {
        NamespaceHolder holder = NamespaceHolder.start(false, "1m");
        String holderLink = holder.ipcNamespace().link();
        long pid = holder.pid();
        List<String> prefix = holder.enterPrefix();
        // Killed from outside, as the OOM killer would: the harness's own close() comes later.
        new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor();
        while (holder.isAlive()) {
            Thread.sleep(1);
        }
        Process impostor = null;
        for (int attempt = 0; attempt < 20 && impostor == null; attempt++) {
            Files.writeString(Path.of("/proc/sys/kernel/ns_last_pid"), Long.toString(pid - 1));
            Process p = new ProcessBuilder("unshare", "--ipc", "sleep", "60").start(); // unshare execs sleep in place
            if (p.pid() == pid) {
                impostor = p;
            } else {
                p.destroyForcibly().waitFor();
            }
        }
        if (impostor == null) {
            System.out.println("impostor never got pid " + pid);
            System.exit(3);
        }
        String home = Files.readSymbolicLink(Path.of("/proc/self/ns/ipc")).toString();
        String impostorLink = home;
        for (int i = 0; i < 10_000 && impostorLink.equals(home); i++) { // until unshare made its namespace and exec'd sleep
            Thread.sleep(1);
            impostorLink = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "ipc")).toString();
        }
        List<String> argv = new ArrayList<>(prefix);
        argv.addAll(List.of("readlink", "/proc/self/ns/ipc"));
        Process entered = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(entered.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        int status = entered.waitFor();
        System.out.println("holder " + holderLink);
        System.out.println("impostor " + impostorLink);
        System.out.println(status == 0 ? "entered " + out : "entered failed: " + out);
        impostor.destroyForcibly().waitFor();
        holder.close();
    }
}
