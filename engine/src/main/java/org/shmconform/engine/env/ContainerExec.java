package org.shmconform.engine.env;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * A process run in a container as {@code docker exec -i} runs it: its stdin, stdout and stderr reach the harness
 * through the engine, and its end (the process exited and was reaped in the container) is known with its status. Made
 * through the engine's API ({@link EngineApiExec}) where its socket can be used, else through the docker client
 * ({@link #ofClient}).
 */
interface ContainerExec {
    OutputStream stdin();

    InputStream stdout();

    InputStream stderr();

    /** The process's status once it has ended (137 after SIGKILL), -1 when ended and the engine cannot say; null if still running after {@code timeout}. */
    Integer awaitEnd(Duration timeout) throws InterruptedException;

    /** Whether its streams are still open: the process has not ended, or the engine has not said so yet. */
    boolean running();

    /** Ends the harness's side (the engine then closes the process's stdin); {@link #endedHere} is true from then on. */
    void endHere();

    /** Whether the exec's end was the harness's {@link #endHere}, so that it says nothing of the process. */
    boolean endedHere();

    /** The process's pid in the host's pid namespace as the engine names it, if it does (the caller still checks it). */
    default OptionalLong hostPid() {
        return OptionalLong.empty();
    }

    /** The docker client's {@code exec -i} process. */
    static ContainerExec ofClient(Process client) {
        return new ContainerExec() {
            private volatile boolean endedHere;

            @Override
            public OutputStream stdin() {
                return client.getOutputStream();
            }

            @Override
            public InputStream stdout() {
                return client.getInputStream();
            }

            @Override
            public InputStream stderr() {
                return client.getErrorStream();
            }

            @Override
            public Integer awaitEnd(Duration timeout) throws InterruptedException {
                return client.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS) ? client.exitValue() : null;
            }

            @Override
            public boolean running() {
                return client.isAlive();
            }

            @Override
            public void endHere() {
                endedHere = true;
                client.destroyForcibly();
            }

            @Override
            public boolean endedHere() {
                return endedHere;
            }
        };
    }
}
