package org.shmconform.engine.env;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpcNamespaceEnvironmentTest {
    @TempDir
    Path tmp;

    @Test
    void groupsAndHostShareDevShmButNotSystemV() throws Exception {
        try (IpcNamespaceEnvironment env = new IpcNamespaceEnvironment()) {
            assumeTrue(env.availability().available(), env.availability().reason());
            VisibilityCheck.check(env, tmp, new VisibilityCheck.Expected(false, true, false, true));
        }
    }

    @Test
    void javaWorkerStartsAndDiesBySigkill() throws Exception {
        try (IpcNamespaceEnvironment env = new IpcNamespaceEnvironment()) {
            assumeTrue(env.availability().available(), env.availability().reason());
            JavaWorkerCheck.check(env, tmp);
        }
    }
}
