package io.sluice.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The {@code redis-server} binary from the {@code com.github.codemonstur:embedded-redis} jar, copied once into
 * {@code <java.io.tmpdir>/sluice-redis-bin-<binary hash>/redis-server} and reused by later runs.
 *
 * <p>As for the PostgreSQL binaries, a run copies into a directory of its own and renames it into place atomically,
 * so concurrent runs never see a half-written binary: the first rename wins and the others use the winner's copy.
 */
final class EmbeddedRedis {

    /** The binary's name inside the jar: Redis 6.2 for linux-amd64, linked against the system's OpenSSL 3. */
    static final String RESOURCE = "redis-server-6.2.6-v5-linux-amd64";

    private static final String PROGRAM = "redis-server";
    private static final int MAX_COPIES = 10;

    private static String binaryHash;

    private EmbeddedRedis() {
    }

    /** The unpacked {@code redis-server} under {@code java.io.tmpdir}. */
    static Path extract() {
        Path root = Path.of(System.getProperty("java.io.tmpdir"));
        URL binary = EmbeddedRedis.class.getClassLoader().getResource(RESOURCE);
        if (binary == null) {
            throw new LocalServerException(RESOURCE + " is not on the classpath; add com.github.codemonstur:"
                    + "embedded-redis or install redis-server");
        }
        String name = "sluice-redis-bin-" + binaryHash(binary);
        for (int copy = 0; copy < MAX_COPIES; copy++) {
            Path candidate = root.resolve(copy == 0 ? name : name + "-" + copy);
            Path program = candidate.resolve(PROGRAM);
            if (Executables.isExecutableFile(program)) {
                return program;
            }
            if (!Files.exists(candidate)) {
                install(binary, candidate);
                if (Executables.isExecutableFile(program)) {
                    return program;
                }
            }
        }
        throw new LocalServerException(MAX_COPIES + " damaged copies of redis-server under " + root + " (" + name
                + "*); delete them");
    }

    private static void install(URL binary, Path target) {
        Path staging = null;
        try {
            staging = Files.createTempDirectory(target.getParent(), target.getFileName() + ".copying-");
            try (InputStream in = binary.openStream()) {
                Files.copy(in, staging.resolve(PROGRAM));
            }
            Files.setPosixFilePermissions(staging.resolve(PROGRAM), PosixFilePermissions.fromString("r-xr-xr-x"));
            Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwxr-xr-x"));
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                staging = null;
            } catch (FileSystemException e) {
                // rename(2) onto a non-empty directory fails: another run put its copy there first.
                if (!Files.exists(target)) {
                    throw e;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not copy " + RESOURCE + " into " + target, e);
        } finally {
            if (staging != null) {
                WorkDirectory.deleteRecursively(staging);
            }
        }
    }

    /** A prefix of the binary's SHA-256, so another embedded-redis version gets its own directory. */
    private static synchronized String binaryHash(URL binary) {
        if (binaryHash == null) {
            try (DigestInputStream in = new DigestInputStream(binary.openStream(),
                    MessageDigest.getInstance("SHA-256"))) {
                in.transferTo(OutputStream.nullOutputStream());
                binaryHash = HexFormat.of().formatHex(in.getMessageDigest().digest(), 0, 8);
            } catch (IOException e) {
                throw new UncheckedIOException("could not read " + binary, e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-256", e);
            }
        }
        return binaryHash;
    }
}
