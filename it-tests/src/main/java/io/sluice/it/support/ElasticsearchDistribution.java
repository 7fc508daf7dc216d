package io.sluice.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Elasticsearch unpacked from Maven Central's {@code org.elasticsearch.distribution.integ-test-zip:elasticsearch}
 * zip: a real Elasticsearch without a bundled JDK, run on this JVM's Java.
 *
 * <p>The zip is the file named by the {@value #ZIP_PROPERTY} system property (the build sets it to the artifact Maven
 * resolved), or else the artifact's place in the local Maven repository ({@code maven.repo.local}, by default
 * {@code ~/.m2/repository}); its version comes from the build (see {@value #VERSION_RESOURCE}).
 *
 * <p>It is unpacked once into {@code <java.io.tmpdir>/sluice-elasticsearch-<version>} and reused by later runs; not
 * under the user's home, which is closed to the account the server runs as when tests run as root. As for the
 * PostgreSQL binaries, a run unpacks into a directory of its own and renames it into place atomically, so
 * concurrent runs never see a half-unpacked copy. The copy is only read by servers: each server gets its own
 * configuration, data, log and temporary directories.
 */
final class ElasticsearchDistribution {

    static final String ZIP_PROPERTY = "sluice.it.elasticsearch.zip";
    static final String VERSION_RESOURCE = "sluice-it-elasticsearch.properties";

    private static final String GROUP_PATH = "org/elasticsearch/distribution/integ-test-zip/elasticsearch";
    private static final String COMPLETE_MARKER = ".sluice-complete";
    private static final List<String> REQUIRED_FILES = List.of("bin/elasticsearch", "config/jvm.options",
            "config/log4j2.properties", "modules/transport-netty4", COMPLETE_MARKER);
    private static final int MAX_COPIES = 10;
    private static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwxr-xr-x");

    private ElasticsearchDistribution() {
    }

    /** The Elasticsearch home directory ({@code bin}, {@code config}, {@code lib}, {@code modules}). */
    static Path install() {
        String version = version();
        Path zip = zip(version);
        String name = "sluice-elasticsearch-" + version;
        Path root = Path.of(System.getProperty("java.io.tmpdir"));
        for (int copy = 0; copy < MAX_COPIES; copy++) {
            Path candidate = root.resolve(copy == 0 ? name : name + "-" + copy);
            Path home = candidate.resolve("elasticsearch-" + version);
            if (!Files.exists(candidate)) {
                unpackInto(zip, candidate);
            }
            if (isComplete(home)) {
                return home;
            }
            // A copy from which a temp cleaner deleted files: another run may still use the rest, so it stays.
        }
        throw new LocalServerException(MAX_COPIES + " damaged copies of Elasticsearch under " + root + " (" + name
                + "*); delete them");
    }

    static String version() {
        try (InputStream in = ElasticsearchDistribution.class.getClassLoader().getResourceAsStream(VERSION_RESOURCE)) {
            if (in == null) {
                throw new LocalServerException(VERSION_RESOURCE + " is not on the classpath; build it-tests with Maven");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + VERSION_RESOURCE, e);
        }
    }

    private static Path zip(String version) {
        String explicit = System.getProperty(ZIP_PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            Path zip = Path.of(explicit);
            if (!Files.isRegularFile(zip)) {
                throw new LocalServerException(ZIP_PROPERTY + " names " + zip + ", which is not a file");
            }
            return zip;
        }
        String repository = System.getProperty("maven.repo.local",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
        Path zip = Path.of(repository, GROUP_PATH, version, "elasticsearch-" + version + ".zip");
        if (!Files.isRegularFile(zip)) {
            throw new LocalServerException("the Elasticsearch distribution is not in the local Maven repository ("
                    + zip + "); build it-tests with Maven once, or set -D" + ZIP_PROPERTY + "=<zip>");
        }
        return zip;
    }

    private static boolean isComplete(Path home) {
        return REQUIRED_FILES.stream().allMatch(file -> Files.exists(home.resolve(file)));
    }

    private static void unpackInto(Path zip, Path target) {
        Path staging = null;
        try {
            Files.createDirectories(target.getParent());
            staging = Files.createTempDirectory(target.getParent(), target.getFileName() + ".unpacking-");
            Files.setPosixFilePermissions(staging, DIRECTORY_MODE);
            Path home = unpack(zip, staging);
            Files.createFile(home.resolve(COMPLETE_MARKER));
            moveIntoPlace(staging, target);
            staging = null;
        } catch (IOException e) {
            throw new UncheckedIOException("could not unpack " + zip + " into " + target, e);
        } finally {
            if (staging != null) {
                WorkDirectory.deleteRecursively(staging);
            }
        }
    }

    /** Unpacks every entry, readable by all accounts, keeping execute bits; returns the top directory. */
    private static Path unpack(Path zip, Path target) throws IOException {
        Path top = null;
        try (ZipFile archive = ZipFile.builder().setPath(zip).get()) {
            for (Enumeration<ZipArchiveEntry> entries = archive.getEntries(); entries.hasMoreElements(); ) {
                ZipArchiveEntry entry = entries.nextElement();
                Path destination = target.resolve(entry.getName()).normalize();
                if (!destination.startsWith(target) || destination.equals(target)) {
                    throw new IOException("archive entry " + entry.getName() + " points outside " + target);
                }
                if (top == null) {
                    top = target.resolve(target.relativize(destination).getName(0));
                }
                if (entry.isDirectory()) {
                    createDirectories(destination);
                    continue;
                }
                createDirectories(destination.getParent());
                try (InputStream in = archive.getInputStream(entry)) {
                    Files.copy(in, destination);
                }
                Files.setPosixFilePermissions(destination, permissions(entry.getUnixMode()));
            }
        }
        if (top == null) {
            throw new IOException(zip + " is empty");
        }
        return top;
    }

    private static void createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        createDirectories(dir.getParent());
        Files.createDirectory(dir);
        Files.setPosixFilePermissions(dir, DIRECTORY_MODE);
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = EnumSet.of(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
        if ((mode & 0111) != 0) {
            permissions.addAll(EnumSet.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_EXECUTE));
        }
        return permissions;
    }

    /** As for the PostgreSQL binaries: the first run's rename wins, the others drop their copy and use it. */
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
}
