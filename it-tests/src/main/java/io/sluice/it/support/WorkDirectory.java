package io.sluice.it.support;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Temporary directories of local servers and the log files in them. */
final class WorkDirectory {

    private static final int TAIL_BYTES = 16 * 1024;

    private WorkDirectory() {
    }

    /** A new directory under {@code java.io.tmpdir}, e.g. {@code /tmp/sluice-postgres-123}. */
    static Path create(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a temporary directory", e);
        }
    }

    /**
     * Fails unless every directory above {@code dir} may be entered by other accounts, which a server running as
     * another account needs to reach its data.
     */
    static void requireTraversableByOthers(Path dir) {
        for (Path parent = dir.toAbsolutePath().getParent(); parent != null; parent = parent.getParent()) {
            Set<PosixFilePermission> permissions;
            try {
                permissions = Files.getPosixFilePermissions(parent);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (!permissions.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                throw new LocalServerException(parent + " (" + PosixFilePermissions.toString(permissions)
                        + ") cannot be entered by other accounts, so a server running as one cannot reach " + dir
                        + "; point java.io.tmpdir at a directory such as /tmp");
            }
        }
    }

    /** Deletes {@code root} and everything below it; a missing directory is fine. */
    static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        } catch (NoSuchFileException e) {
            // Already gone: deleting is idempotent.
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + root, e);
        }
    }

    /** The last {@code lines} lines of a log file, or a note that there is none, for error messages. */
    static String tail(Path log, int lines) {
        if (!Files.isRegularFile(log)) {
            return "(no log at " + log + ")";
        }
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(0, file.length() - TAIL_BYTES);
            byte[] bytes = new byte[(int) (file.length() - start)];
            file.seek(start);
            file.readFully(bytes);
            List<String> all = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\\R"));
            return all.subList(Math.max(0, all.size() - lines), all.size()).stream()
                    .collect(Collectors.joining("\n", "--- last lines of " + log + " ---\n", "\n---"));
        } catch (IOException e) {
            return "(could not read " + log + ": " + e.getMessage() + ")";
        }
    }
}
