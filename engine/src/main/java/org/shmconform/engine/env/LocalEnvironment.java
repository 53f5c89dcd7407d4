package org.shmconform.engine.env;

import java.io.IOException;
import java.util.Map;
import org.shmconform.spi.Availability;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.engine.launch.ProcessWorkerHandle;
import org.shmconform.engine.launch.WorkerHandle;

/** Workers as plain child processes of the harness, in the host's namespaces. */
public final class LocalEnvironment implements Environment {
    public static final String NAME = "local";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Availability availability() {
        return Availability.yes();
    }

    @Override
    public Map<String, String> namespaces(String group) {
        return HostNamespaces.of(ProcessHandle.current().pid());
    }

    @Override
    public Map<String, String> describe() {
        return HostNamespaces.describe(ProcessHandle.current().pid());
    }

    @Override
    public boolean poolsWorkers() {
        return true;
    }

    @Override
    public WorkerHandle start(WorkerCommand command, String group) throws IOException {
        return ProcessWorkerHandle.start(command, command.program().toString());
    }

    @Override
    public void close() {
    }
}
