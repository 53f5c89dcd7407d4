package org.shmconform.fuzz.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.shmconform.spi.SharedSegment;
import org.shmconform.backends.mmapfile.MmapFileBackend;

/**
 * The tmpfs-file backend, but the last detach never destroys the segment: before detaching it
 * hard-links the file aside, and puts the name back if the real detach unlinked it. The file keeps
 * its size and bytes; a later create says AlreadyExists, a later attach succeeds.
 */
public final class NeverDestroyBackend extends FaultBackend {
    private final MmapFileBackend mmap;

    public NeverDestroyBackend() {
        this(new MmapFileBackend());
    }

    private NeverDestroyBackend(MmapFileBackend mmap) {
        super("fault-neverdestroy", mmap, "the last detach leaves the segment");
        this.mmap = mmap;
    }

    @Override
    SharedSegment inject(SharedSegment segment) {
        Path file = MmapFileBackend.fileFor(mmap.dir(), segment.key());
        return new DelegatingSegment(segment) {
            @Override
            public boolean detach() {
                if (file == null || !isAttached()) {
                    return real.detach();
                }
                // Same prefix and suffix as the segment's file, so the mmapfile reaper removes it too.
                String name = file.getFileName().toString();
                Path aside = file.resolveSibling(name.substring(0, name.length() - MmapFileBackend.SUFFIX.length())
                        + "keep" + MmapFileBackend.SUFFIX);
                try {
                    Files.deleteIfExists(aside);
                    Files.createLink(aside, file);
                    boolean ok = real.detach();
                    if (Files.exists(file)) {
                        Files.delete(aside);
                    } else {
                        Files.move(aside, file, StandardCopyOption.ATOMIC_MOVE);
                    }
                    return ok;
                } catch (IOException e) {
                    return real.detach();
                }
            }
        };
    }
}
