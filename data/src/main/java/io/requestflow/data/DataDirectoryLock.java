package io.requestflow.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Exclusive ownership of an embedded server's data directory while this process runs it.
 *
 * <p>The OS drops the lock when the owner dies, even by {@code kill -9}, so holding it proves that any
 * server process still recorded for the directory is an orphan nobody will stop. The lock file sits next
 * to the directory, not in it, because {@code initdb} insists on an empty directory.
 */
final class DataDirectoryLock implements AutoCloseable {

    private final FileChannel channel;

    private DataDirectoryLock(FileChannel channel) {
        this.channel = channel;
    }

    static DataDirectoryLock acquire(Path directory, String server) {
        Path lockFile = directory.resolveSibling(directory.getFileName() + ".lock");
        try {
            Files.createDirectories(directory.getParent());
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (!tryLock(channel)) {
                channel.close();
                throw new IllegalStateException("Cannot start embedded " + server + ": its data directory " + directory
                        + " is in use by another running instance (lock " + lockFile + " is held).");
            }
            return new DataDirectoryLock(channel);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + lockFile, e);
        }
    }

    private static boolean tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock() != null;
        } catch (OverlappingFileLockException sameJvm) {
            return false;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    /** Idempotent: closing the channel releases the lock. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
