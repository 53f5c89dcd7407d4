package org.shmconform.engine.env;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpcShmNamespaceEnvironmentTest {
    @TempDir
    Path tmp;

    @Test
    void groupsShareNothingWithEachOtherOrTheHost() throws Exception {
        try (IpcShmNamespaceEnvironment env = new IpcShmNamespaceEnvironment()) {
            assumeTrue(env.availability().available(), env.availability().reason());
            VisibilityCheck.check(env, tmp, new VisibilityCheck.Expected(false, false, false, false));
        }
    }

    @Test
    void privateDevShmHasTheConfiguredSize() throws Exception {
        try (IpcShmNamespaceEnvironment env = new IpcShmNamespaceEnvironment("8m")) {
            assumeTrue(env.availability().available(), env.availability().reason());
            String df = new EnvProbe(env, tmp).sh("a", "df -k /dev/shm");
            org.junit.jupiter.api.Assertions.assertTrue(df.contains(" 8192 "), df);
        }
    }

    @Test
    void javaWorkerStartsAndDiesBySigkill() throws Exception {
        try (IpcShmNamespaceEnvironment env = new IpcShmNamespaceEnvironment()) {
            assumeTrue(env.availability().available(), env.availability().reason());
            JavaWorkerCheck.check(env, tmp);
        }
    }
}
