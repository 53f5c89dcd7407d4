package org.shmconform.backends;

/** QSharedMemory::AccessMode. */
public enum AccessMode {
    ReadOnly, ReadWrite
}
