package org.shmconform.backends.memfd;

/** The memfd-fd backend, checked like memfd ({@link TrackedMemfdFixture}). */
final class MemfdFdFixture extends TrackedMemfdFixture {
    private final MemfdFdBackend backend = new MemfdFdBackend();

    MemfdFdFixture() {
        super("memfd-fd");
    }

    @Override
    public MemfdFdBackend backend() {
        return backend;
    }
}
