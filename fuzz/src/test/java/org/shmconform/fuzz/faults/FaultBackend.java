package org.shmconform.fuzz.faults;

import java.nio.file.Path;
import java.util.List;
import org.shmconform.spi.Availability;
import org.shmconform.spi.BackendSemantics;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.spi.SharedSegment;

/**
 * A real backend with one injected fault, for proving that the fuzzer finds real faults. It
 * declares exactly the semantics of the backend it wraps, so the model holds it to the real
 * backend's promise: whatever the fuzzer finds is the fault.
 */
abstract class FaultBackend implements SharedMemoryBackend {
    protected final SharedMemoryBackend real;
    private final String name;
    private final String fault;

    FaultBackend(String name, SharedMemoryBackend real, String fault) {
        this.name = name;
        this.real = real;
        this.fault = fault;
    }

    /** Wraps one real segment with the fault. */
    abstract SharedSegment inject(SharedSegment segment);

    @Override
    public String name() {
        return name;
    }

    @Override
    public String mechanism() {
        return real.mechanism() + "; INJECTED FAULT: " + fault;
    }

    @Override
    public BackendSemantics semantics() {
        return real.semantics();
    }

    @Override
    public Availability availability() {
        return real.availability();
    }

    @Override
    public SharedSegment open(String key) {
        return inject(real.open(key));
    }

    @Override
    public List<String> removeLeftovers(String keyPrefix, Path tempDir, java.util.Set<Integer> owners) {
        return real.removeLeftovers(keyPrefix, tempDir, owners);
    }
}
