package io.sluice.it.helm;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files of this repository the chart checks read: the chart, its example and the docs. */
final class RepositoryFiles {

    private RepositoryFiles() {
    }

    /** The repository root: set by the build ({@code sluice.repository.root}), else found above the working directory. */
    static Path root() {
        String configured = System.getProperty("sluice.repository.root");
        if (configured != null) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("helm/sluice/Chart.yaml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no helm/sluice/Chart.yaml above " + Path.of("").toAbsolutePath()
                + "; run from the repository or set -Dsluice.repository.root");
    }

    static Path chart() {
        return root().resolve("helm/sluice");
    }

    /** A values file of the chart's ci/ directory, e.g. {@code jdbc-offsets}. */
    static Path ciValues(String name) {
        return chart().resolve("ci").resolve(name + "-values.yaml");
    }

    static Path sidecarExample() {
        return root().resolve("helm/examples/orders-app");
    }

    static Path metricsReference() {
        return root().resolve("docs/metrics.md");
    }
}
