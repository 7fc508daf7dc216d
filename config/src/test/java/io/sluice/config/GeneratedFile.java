package io.sluice.config;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file generated from the config model and checked into the repository. A test compares it with what the
 * generator makes now; run with {@code -Dsluice.schema.write=true}, it writes the file instead.
 */
final class GeneratedFile {

    static final String WRITE = "sluice.schema.write";
    static final String REGENERATE =
            "mvn -pl config test -Dtest='ConfigSchemaTest,ConfigReferenceTest' -D" + WRITE + "=true";

    private GeneratedFile() {
    }

    /** The repository root: tests run in the module's directory. */
    static Path repository() {
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        Path root = module.getParent();
        if (root == null || !Files.isDirectory(root.resolve("docs")) || !Files.isRegularFile(root.resolve("pom.xml"))) {
            throw new IllegalStateException(module + " is not a module directory of the Sluice repository");
        }
        return root;
    }

    static void check(String pathInRepository, String generated) throws IOException {
        Path file = repository().resolve(pathInRepository);
        if (Boolean.getBoolean(WRITE)) {
            Files.writeString(file, generated);
            return;
        }
        String current = Files.isRegularFile(file) ? Files.readString(file) : null;
        if (generated.equals(current)) {
            return;
        }
        fail(pathInRepository + (current == null ? " is missing.\n" : " is stale: " + firstDifference(current, generated))
                + "It is generated from the config records and descriptions.yaml; regenerate it with\n  "
                + REGENERATE);
    }

    private static String firstDifference(String current, String generated) {
        String[] have = current.split("\n", -1);
        String[] want = generated.split("\n", -1);
        for (int i = 0; i < Math.max(have.length, want.length); i++) {
            String a = i < have.length ? have[i] : "(end of file)";
            String b = i < want.length ? want[i] : "(end of file)";
            if (!a.equals(b)) {
                return "line " + (i + 1) + " is\n    " + a + "\n  but should be\n    " + b + "\n";
            }
        }
        return "they differ\n";
    }
}
