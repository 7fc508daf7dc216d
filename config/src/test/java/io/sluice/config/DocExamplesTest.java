package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.config.ConfigModel.EnumDef;
import io.sluice.config.ConfigModel.Ref;
import io.sluice.config.ConfigModel.Scalar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every YAML example of a whole configuration file in the docs loads with {@link ConfigLoader} and is valid against
 * the JSON Schema. The examples are discovered, so that new pages are checked as they are added: {@code README.md}
 * and every {@code *.md} under {@code docs/}, each fenced {@code ```yaml} block that contains {@code pipelines:}.
 *
 * <p>Convention for authors: a block that is deliberately incomplete (a fragment of a pipeline, a file that is
 * wrong on purpose) is fenced as {@code ```yaml partial} and is skipped. Blocks without {@code pipelines:} (a lone
 * sink, say) are skipped too.
 *
 * <p>To load an example, each environment variable it refers to gets a dummy value suited to where it is used (the
 * key's example from descriptions.yaml, or a value of the key's type); {@code ${file:...}} reads a temporary file;
 * and a key naming a file that must exist ({@code ca-file}, {@code index-file}) points to a temporary file holding
 * {@code {}}.
 */
class DocExamplesTest {

    private static final Pattern FENCE = Pattern.compile("(?m)^([ \\t]*)```yaml([^\\n]*)\\n(.*?)^\\1```[ \\t]*$",
            Pattern.DOTALL);
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?}");
    private static final Pattern FILE_REFERENCE = Pattern.compile("\\$\\{file:[^}]*}");
    private static final String FILE_VARIABLE = "SLUICE_EXAMPLE_FILE";

    private static final ConfigModel MODEL = ConfigModel.load();

    @TempDir
    static Path files;

    record Example(String file, int line, String yaml) {
        @Override
        public String toString() {
            return file + ":" + line;
        }
    }

    @TestFactory
    Stream<DynamicTest> everyExampleOfAWholeFileLoadsAndIsValidAgainstTheSchema() throws IOException {
        return examples().stream().map(example -> DynamicTest.dynamicTest(example.toString(), () -> check(example)));
    }

    @Test
    void theExamplesOfTheReadmeAndTheReferenceAreFound() throws IOException {
        assertThat(examples()).extracting(Example::file).contains("README.md", "docs/configuration.md");
    }

    @Test
    void partialBlocksAreSkipped() {
        String page = "```yaml partial\npipelines:\n  - name: x\n```\n\n```yaml\npipelines: []\n```\n";

        assertThat(examplesIn("page.md", page)).extracting(Example::yaml).containsExactly("pipelines: []\n");
    }

    private static void check(Example example) throws IOException {
        JsonNode written = SchemaCheck.tree(example.yaml());
        assertThat(SchemaCheck.problems(written)).as("schema problems in the example at %s", example).isEmpty();

        Path secret = Files.writeString(files.resolve("secret"), "example-secret\n");
        Map<String, String> env = new HashMap<>();
        env.put(FILE_VARIABLE, "example-secret");
        String yaml = FILE_REFERENCE.matcher(example.yaml()).replaceAll("\\${" + FILE_VARIABLE + "}");
        JsonNode tree = SchemaCheck.tree(yaml);
        boolean rewritten = prepare(tree, env);
        try {
            new ConfigLoader(name -> env.getOrDefault(name, "dummy"))
                    .load(rewritten ? SchemaCheck.yaml(tree) : yaml, example.toString());
        } catch (ConfigException e) {
            fail("the example at " + example + " does not load (dummy environment: " + env.keySet() + ", secret "
                    + secret + "):\n" + e.getMessage());
        }
    }

    /** Fills {@code env} for the variables the example uses; points file keys to files. True when it changed the tree. */
    private static boolean prepare(JsonNode tree, Map<String, String> env) throws IOException {
        List<DocumentWalk.Site> files = new ArrayList<>();
        new DocumentWalk(MODEL).walk(tree, site -> {
            if (!site.value().isTextual()) {
                return;
            }
            if (site.shape() instanceof Scalar scalar && scalar.kind() == ConfigModel.Kind.PATH) {
                files.add(site);
            }
            Matcher whole = REFERENCE.matcher(site.value().asText());
            if (whole.matches() && whole.group(2) == null) {
                env.putIfAbsent(whole.group(1), dummy(site));
            }
        });
        for (DocumentWalk.Site site : files) {
            Path file = Files.writeString(DocExamplesTest.files.resolve("file-" + site.dotted()), "{}");
            ((ObjectNode) DocumentWalk.parent(tree, site.path())).put((String) site.path().get(site.path().size() - 1),
                    file.toString());
        }
        return !files.isEmpty();
    }

    /** A value that is valid where the variable is used. */
    private static String dummy(DocumentWalk.Site site) {
        JsonNode example = site.property() == null ? null : site.property().example();
        if (example != null && example.isArray() && !example.isEmpty()) {
            example = example.get(0);
        }
        if (site.shape() instanceof Ref ref && MODEL.definition(ref.name()) instanceof EnumDef enumeration) {
            return enumeration.values().keySet().iterator().next();
        }
        if (site.shape() instanceof Scalar scalar) {
            switch (scalar.kind()) {
                case INTEGER:
                    return String.valueOf(Math.max(1, site.property().minimum() == null ? 1 : site.property().minimum()));
                case BOOLEAN:
                    return "true";
                case DURATION:
                    return "1s";
                case SIZE:
                    return "1MB";
                default:
                    break;
            }
        }
        return example != null && example.isValueNode() && !example.asText().contains("${") ? example.asText()
                : "dummy";
    }

    private static List<Example> examples() throws IOException {
        Path root = GeneratedFile.repository();
        List<Path> pages = new ArrayList<>();
        pages.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.walk(root.resolve("docs"))) {
            docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        List<Example> examples = new ArrayList<>();
        for (Path page : pages) {
            if (Files.isRegularFile(page)) {
                examples.addAll(examplesIn(root.relativize(page).toString().replace('\\', '/'), Files.readString(page)));
            }
        }
        return examples;
    }

    static List<Example> examplesIn(String file, String page) {
        List<Example> examples = new ArrayList<>();
        Matcher fence = FENCE.matcher(page);
        while (fence.find()) {
            List<String> info = List.of(fence.group(2).trim().split("\\s+"));
            String indent = fence.group(1);
            String yaml = fence.group(3).lines().map(line -> line.startsWith(indent) ? line.substring(indent.length())
                    : line).reduce("", (text, line) -> text + line + "\n");
            if (!info.contains("partial") && yaml.contains("pipelines:")) {
                int line = (int) page.substring(0, fence.start()).lines().count() + 2;
                examples.add(new Example(file, line, yaml));
            }
        }
        return examples;
    }
}
