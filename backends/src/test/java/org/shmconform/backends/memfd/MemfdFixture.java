package org.shmconform.backends.memfd;

/** The memfd backend, with the memfd checks of {@link TrackedMemfdFixture}. */
final class MemfdFixture extends TrackedMemfdFixture {
    private final MemfdBackend backend = new MemfdBackend();

    MemfdFixture() {
        super("memfd");
    }

    @Override
    public MemfdBackend backend() {
        return backend;
    }
}
