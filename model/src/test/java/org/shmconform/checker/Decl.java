package org.shmconform.checker;

import org.shmconform.backends.Backends;
import org.shmconform.model.ReferenceSemantics;
import org.shmconform.spi.BackendSemantics;
import org.shmconform.spi.SharedMemoryBackend;

/** The tests' column declarations: the real backends' own, and Qt 6.4's as observed ("qt"). */
public final class Decl implements Declarations {
    public static final Decl INSTANCE = new Decl();

    public static BackendSemantics of(String impl) {
        return INSTANCE.semantics(impl);
    }

    @Override
    public BackendSemantics semantics(String impl) {
        if ("qt".equals(impl)) {
            return ReferenceSemantics.QT_6_4;
        }
        return Backends.named(impl).map(SharedMemoryBackend::semantics)
                .orElseThrow(() -> new IllegalArgumentException("no backend named " + impl));
    }

    @Override
    public String profileName(String impl) {
        return "qt".equals(impl) ? "qt-6.4" : "declared:" + impl;
    }
}
