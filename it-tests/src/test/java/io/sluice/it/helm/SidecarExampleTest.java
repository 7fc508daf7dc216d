package io.sluice.it.helm;

import static io.sluice.it.helm.SluicePod.elements;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.LintResult;
import io.sluice.config.SluiceConfig;
import io.sluice.config.offsets.JdbcOffsetStoreConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sidecar interface: helm/examples/orders-app depends on the sluice chart and puts its container into its own
 * pod with the chart's named templates. Rendered as {@code helm dependency update} would leave it (the sluice chart
 * in charts/), the pod must pass the same checks as the chart's own Deployment.
 */
class SidecarExampleTest {

    @TempDir
    Path temp;

    @Test
    void exampleChartRunsSluiceAsASecondContainerOfItsOwnPod() {
        Manifests manifests = HelmRunner.template(exampleWithSluiceChart());

        assertThat(manifests.kinds()).as("the sluice chart in sidecar mode adds only its ConfigMap")
                .containsExactlyInAnyOrder("ConfigMap", "Deployment");
        JsonNode deployment = manifests.one("Deployment");
        assertThat(deployment.path("metadata").path("name").asText()).isEqualTo(HelmRunner.RELEASE + "-orders-app");
        assertThat(elements(deployment.path("spec").path("template").path("spec").path("containers"))
                .map(container -> container.path("name").asText())).containsExactly("app", "sluice");

        SluicePod pod = SluicePod.of(manifests, deployment);
        SluiceConfig config = pod.assertConsistent(FakeSecrets.NONE_READ_WHOLE);

        assertThat(config.pipelines()).singleElement()
                .satisfies(pipeline -> assertThat(pipeline.offsets()).isInstanceOf(JdbcOffsetStoreConfig.class));
        assertThat(pod.environment(FakeSecrets.NONE_READ_WHOLE))
                .containsEntry("PG_PASSWORD", FakeSecrets.value("orders-db", "password"));
        assertThat(deployment.path("spec").path("template").path("metadata").path("annotations")
                .path("checksum/sluice-config").asText()).as("restart on a changed configuration").hasSize(64);
    }

    @Test
    void exampleChartPassesHelmLint() {
        LintResult lint = HelmRunner.lint(exampleWithSluiceChart());

        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
    }

    @Test
    void exampleDependsOnTheChartVersionInThisRepository() throws IOException {
        JsonNode example = Manifests.YAML.readTree(RepositoryFiles.sidecarExample().resolve("Chart.yaml").toFile());
        JsonNode chart = Manifests.YAML.readTree(RepositoryFiles.chart().resolve("Chart.yaml").toFile());

        JsonNode dependency = example.path("dependencies").path(0);
        assertThat(dependency.path("name").asText()).isEqualTo(chart.path("name").asText());
        assertThat(dependency.path("version").asText()).isEqualTo(chart.path("version").asText());
        assertThat(RepositoryFiles.sidecarExample().resolve(dependency.path("repository").asText()
                .substring("file://".length())).normalize()).isEqualTo(RepositoryFiles.chart().normalize());
    }

    /** A copy of the example with the sluice chart unpacked in its charts/ directory. */
    private Path exampleWithSluiceChart() {
        Path example = temp.resolve("orders-app");
        copy(RepositoryFiles.sidecarExample(), example);
        // What `helm dependency update` may have left in the working tree would be a second copy of the chart.
        deleteRecursively(example.resolve("charts"));
        copy(RepositoryFiles.chart(), example.resolve("charts/sluice"));
        return example;
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("deleting " + dir + " failed", e);
        }
    }

    private static void copy(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("copying " + from + " to " + to + " failed", e);
        }
    }
}
