package org.shmconform.spi;

/** QSharedMemory::AccessMode. */
public enum AccessMode {
    ReadOnly, ReadWrite
}
