package io.sluice.it.helm;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Helm's own lint and template engine (Go, through helm-java's native library), as {@code helm lint} and
 * {@code helm template} would run them, without a cluster.
 */
final class HelmRunner {

    static final String RELEASE = "shop";
    static final String NAMESPACE = "cdc";
    /** The chart's kubeVersion constraint is checked against this; Helm's own default here would be v1.20. */
    static final String KUBERNETES_VERSION = "v1.30.0";

    private HelmRunner() {
    }

    static Manifests template(Path chart, Path... valuesFiles) {
        return Manifests.parse(command(chart, valuesFiles).call());
    }

    /** The message Helm fails with; fails the test when the chart renders. */
    static String templateFailure(Path chart, Path... valuesFiles) {
        AtomicReference<String> message = new AtomicReference<>();
        assertThatThrownBy(() -> command(chart, valuesFiles).call())
                .isInstanceOf(IllegalStateException.class)
                .satisfies(e -> message.set(e.getMessage()));
        return message.get();
    }

    static LintResult lint(Path chart) {
        return new Helm(chart).lint().strict().call();
    }

    private static TemplateCommand command(Path chart, Path... valuesFiles) {
        TemplateCommand command = new Helm(chart).template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeVersion(KUBERNETES_VERSION);
        for (Path values : valuesFiles) {
            command = command.withValuesFile(values);
        }
        return command;
    }
}
