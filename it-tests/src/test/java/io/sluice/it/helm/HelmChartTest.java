package io.sluice.it.helm;

import static io.sluice.it.helm.HelmRunner.template;
import static io.sluice.it.helm.HelmRunner.templateFailure;
import static io.sluice.it.helm.SluicePod.elements;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.LintResult;
import io.sluice.config.SluiceConfig;
import io.sluice.config.offsets.FileOffsetStoreConfig;
import io.sluice.config.offsets.JdbcOffsetStoreConfig;
import io.sluice.config.offsets.KafkaOffsetStoreConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sluice chart under Helm's own lint and template engine, with its default values and the combinations in
 * helm/sluice/ci/. Each rendered pod goes through {@link SluicePod#assertConsistent}: Sluice's own loader accepts
 * the mounted file with the environment the pod sets, and probes, mounts and grace period agree with it.
 */
class HelmChartTest {

    private static final Path CHART = RepositoryFiles.chart();

    @TempDir
    Path temp;

    @Test
    void chartPassesHelmLintInStrictMode() {
        LintResult lint = HelmRunner.lint(CHART);

        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(message -> message.contains("[WARNING]")
                || message.contains("[ERROR]"));
    }

    @Test
    void defaultValuesRunOneRecreatedReplicaWithItsOffsetsFileOnAPersistentVolume() {
        Manifests manifests = template(CHART);

        assertThat(manifests.kinds()).containsExactlyInAnyOrder("ConfigMap", "Deployment", "PersistentVolumeClaim",
                "Service", "ServiceAccount");
        JsonNode deployment = manifests.one("Deployment");
        assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(1);
        assertThat(deployment.path("spec").path("strategy").path("type").asText()).isEqualTo("Recreate");

        SluicePod pod = SluicePod.of(manifests, deployment);
        SluiceConfig config = pod.assertConsistent(FakeSecrets.NONE_READ_WHOLE);

        assertThat(config.pipelines()).singleElement()
                .satisfies(pipeline -> assertThat(pipeline.offsets()).isInstanceOf(FileOffsetStoreConfig.class));
        JsonNode claim = manifests.one("PersistentVolumeClaim");
        assertThat(pod.volumeHolding(Path.of("/var/lib/sluice/orders.offsets")).path("persistentVolumeClaim")
                .path("claimName").asText()).isEqualTo(claim.path("metadata").path("name").asText());
        assertThat(claim.path("metadata").path("annotations").path("helm.sh/resource-policy").asText())
                .as("the offsets claim outlives the release").isEqualTo("keep");
        assertThat(pod.environment(FakeSecrets.NONE_READ_WHOLE)).containsEntry("SLUICE_LOG_FORMAT", "json")
                .containsEntry("PG_PASSWORD", FakeSecrets.value("sluice-postgres", "password"))
                .doesNotContainKey("JAVA_TOOL_OPTIONS");
        assertThat(pod.podSpec().path("securityContext").path("fsGroup").asInt())
                .as("fsGroup, so the non-root user can write the offsets volume").isEqualTo(10001);
        assertServiceReachesTheAdminPort(manifests, pod, config);
    }

    @Test
    void jdbcOffsetsNeedNoVolumeBeyondConfigAndTmp() {
        Manifests manifests = template(CHART, RepositoryFiles.ciValues("jdbc-offsets"));

        assertThat(manifests.kinds()).doesNotContain("PersistentVolumeClaim");
        SluicePod pod = SluicePod.of(manifests, manifests.one("Deployment"));
        SluiceConfig config = pod.assertConsistent(FakeSecrets.NONE_READ_WHOLE);

        assertThat(config.pipelines()).singleElement()
                .satisfies(pipeline -> assertThat(pipeline.offsets()).isInstanceOf(JdbcOffsetStoreConfig.class));
        assertThat(elements(pod.podSpec().path("volumes")).map(volume -> volume.path("name").asText()))
                .containsExactly("sluice-config", "sluice-tmp");
        assertThat(pod.environment(FakeSecrets.NONE_READ_WHOLE))
                .containsEntry("ES_PASSWORD", FakeSecrets.value("search", "sluice-password"));
    }

    @Test
    void existingSecretBecomesTheEnvironmentTheConfigurationReferences() {
        FakeSecrets secrets = new FakeSecrets(
                Map.of("shop-sluice-env", Set.of("PG_PASSWORD", "REDIS_PASSWORD", "HASH_KEY")));
        Manifests manifests = template(CHART, RepositoryFiles.ciValues("existing-secret"));

        SluicePod pod = SluicePod.of(manifests, manifests.one("Deployment"));
        SluiceConfig config = pod.assertConsistent(secrets);

        assertThat(elements(pod.container().path("envFrom")).map(from -> from.path("secretRef").path("name").asText()))
                .containsExactly("shop-sluice-env");
        assertThat(config.pipelines()).hasSize(2)
                .allSatisfy(pipeline -> assertThat(pipeline.offsets()).isInstanceOf(KafkaOffsetStoreConfig.class));
        assertThat(SluicePod.secretsIn(config)).as("two inherited PostgreSQL passwords, the Redis password, the hash key")
                .hasSize(4);
        assertThat(manifests.kinds()).doesNotContain("PersistentVolumeClaim", "Secret");
    }

    @Test
    void serviceMonitorScrapesTheAdminPortWithTheTokenAndTheDashboardIsLabelledForGrafana() throws IOException {
        Manifests manifests = template(CHART, RepositoryFiles.ciValues("monitoring"));

        SluicePod pod = SluicePod.of(manifests, manifests.one("Deployment"));
        SluiceConfig config = pod.assertConsistent(FakeSecrets.NONE_READ_WHOLE);
        assertThat(config.admin().port()).isEqualTo(9464);
        assertThat(config.admin().token()).as("admin.token").isNotNull();
        assertThat(config.admin().token().reveal()).isEqualTo(FakeSecrets.value("sluice-admin", "token"));
        assertThat(config.shutdown().gracePeriod()).isEqualTo(Duration.ofSeconds(60));
        assertThat(pod.podSpec().path("terminationGracePeriodSeconds").asInt()).isEqualTo(90);
        assertThat(pod.environment(FakeSecrets.NONE_READ_WHOLE)).doesNotContainKey("SLUICE_LOG_FORMAT")
                .containsEntry("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=60.0");

        JsonNode service = assertServiceReachesTheAdminPort(manifests, pod, config);
        JsonNode monitor = manifests.one("ServiceMonitor");
        assertThat(monitor.path("metadata").path("labels").path("release").asText())
                .isEqualTo("kube-prometheus-stack");
        assertSelects(monitor.path("spec").path("selector").path("matchLabels"), service.path("metadata").path("labels"));
        assertThat(monitor.path("spec").path("namespaceSelector").path("matchNames").path(0).asText())
                .isEqualTo(HelmRunner.NAMESPACE);
        JsonNode endpoint = monitor.path("spec").path("endpoints").path(0);
        assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
        assertThat(endpoint.path("interval").asText()).isEqualTo("15s");
        assertThat(elements(service.path("spec").path("ports")).map(port -> port.path("name").asText()))
                .as("the ServiceMonitor's port is a port name of the Service")
                .contains(endpoint.path("port").asText());
        assertThat(endpoint.path("authorization").path("type").asText()).isEqualTo("Bearer");
        assertThat(endpoint.path("authorization").path("credentials").path("name").asText()).isEqualTo("sluice-admin");
        assertThat(endpoint.path("authorization").path("credentials").path("key").asText()).isEqualTo("token");

        JsonNode budget = manifests.one("PodDisruptionBudget");
        assertSelects(budget.path("spec").path("selector").path("matchLabels"),
                manifests.one("Deployment").path("spec").path("template").path("metadata").path("labels"));

        JsonNode dashboard = manifests.find("ConfigMap", HelmRunner.RELEASE + "-sluice-dashboard").orElseThrow();
        assertThat(dashboard.path("metadata").path("labels").path("grafana_dashboard").asText()).isEqualTo("1");
        assertThat(dashboard.path("metadata").path("annotations").path("grafana_folder").asText()).isEqualTo("CDC");
        ObjectMapper json = new ObjectMapper();
        assertThat(json.readTree(dashboard.path("data").path("sluice.json").asText()))
                .as("the dashboard ConfigMap holds the chart's dashboard")
                .isEqualTo(json.readTree(CHART.resolve("dashboards/sluice.json").toFile()));
    }

    @Test
    void existingConfigMapIsMountedUnderTheFileNameTheContainerReads() {
        Manifests manifests = template(CHART, RepositoryFiles.ciValues("existing-configmap"));

        assertThat(manifests.kinds()).doesNotContain("ConfigMap", "PersistentVolumeClaim");
        SluicePod pod = SluicePod.of(manifests, manifests.one("Deployment"));
        assertThat(pod.configSource()).isEqualTo(new SluicePod.ConfigSource("shop-sluice-pipelines", "pipelines.yaml"));
        assertThat(pod.volumeHolding(Path.of("/var/lib/sluice/orders.offsets")).path("persistentVolumeClaim")
                .path("claimName").asText()).isEqualTo("shop-sluice-offsets");
    }

    @Test
    void sidecarModeRendersTheConfigurationButNoWorkload() {
        Manifests manifests = template(CHART, RepositoryFiles.ciValues("sidecar-mode"));

        assertThat(manifests.kinds()).containsExactlyInAnyOrder("ConfigMap", "PersistentVolumeClaim");
    }

    @Test
    void anOffsetsFileInheritedFromTheDefaultsBlockGetsTheVolumeToo() throws IOException {
        Path values = values("""
                config:
                  defaults:
                    offsets: {file: /var/lib/sluice/shop.offsets}
                  pipelines:
                    - name: orders
                      source:
                        postgres: {host: db, database: shop, user: sluice, password: "${PG_PASSWORD}",
                                   slot: sluice_orders, publication: sluice_orders, tables: [public.orders]}
                      sinks: [{kafka: {bootstrap-servers: "kafka:9092", topic: "shop.{table}"}}]
                """);
        Manifests manifests = template(CHART, values);

        SluiceConfig config = SluicePod.of(manifests, manifests.one("Deployment"))
                .assertConsistent(FakeSecrets.NONE_READ_WHOLE);

        assertThat(config.pipelines()).singleElement().satisfies(pipeline -> assertThat(pipeline.offsets())
                .isEqualTo(new FileOffsetStoreConfig(Path.of("/var/lib/sluice/shop.offsets"))));
        assertThat(manifests.kinds()).contains("PersistentVolumeClaim");
    }

    @Test
    void monitoringObjectsOfDeploymentModeAreRefusedInSidecarMode() throws IOException {
        Path values = values("""
                mode: sidecar
                serviceMonitor: {enabled: true}
                """);

        assertThat(templateFailure(CHART, values)).contains("serviceMonitor.enabled: the chart renders no Service");
    }

    @Test
    void aSecretWrittenIntoTheConfigurationIsRefusedWithoutShowingIt() throws IOException {
        Path values = values("""
                config:
                  pipelines:
                    - name: orders
                      source: {postgres: {host: db, password: "${PG_PASSWORD}"}}
                      sinks:
                        - kafka:
                            bootstrap-servers: kafka:9092
                            producer: {sasl.jaas.config: "PlainLoginModule required password=hunter2;"}
                      offsets: {jdbc: {}}
                """);

        assertThat(templateFailure(CHART, values))
                .contains("config.pipelines[0].sinks[0].kafka.producer.sasl.jaas.config: write a reference")
                .doesNotContain("hunter2");
    }

    @Test
    void anOffsetsFileOutsideTheVolumeIsRefused() throws IOException {
        Path values = values("""
                config:
                  pipelines:
                    - name: orders
                      offsets: {file: ./data/orders.offsets}
                """);

        assertThat(templateFailure(CHART, values)).contains(
                "config.pipelines[0].offsets.file: ./data/orders.offsets is outside persistence.mountPath");
    }

    @Test
    void aTerminationGracePeriodNotLongerThanSluicesOwnIsRefused() throws IOException {
        Path values = values("""
                shutdown: {gracePeriodSeconds: 60}
                terminationGracePeriodSeconds: 60
                """);

        assertThat(templateFailure(CHART, values))
                .contains("terminationGracePeriodSeconds (60) must be greater than shutdown.gracePeriodSeconds (60)");
    }

    @Test
    void theSchemaRejectsUnknownKeysAndBadValuesAtInstallTime() throws IOException {
        Path values = values("""
                mode: sidekick
                replicas: 2
                admin: {port: 0}
                config:
                  admin: {address: 0.0.0.0}
                  pipelines: []
                secretEnv:
                  - name: PG_PASSWORD
                    secretName: orders-db
                """);

        assertThat(templateFailure(CHART, values))
                .contains("values don't meet the specifications of the schema")
                .contains("'/mode'", "'/admin/port'", "'/config'", "'/config/pipelines'", "'/secretEnv/0'")
                .contains("additional properties 'replicas' not allowed")
                .contains("additional properties 'admin' not allowed");
    }

    /** The Service reaches the container's admin port, and is published while the pod is not ready. */
    private static JsonNode assertServiceReachesTheAdminPort(Manifests manifests, SluicePod pod, SluiceConfig config) {
        JsonNode service = manifests.one("Service");
        assertSelects(service.path("spec").path("selector"),
                manifests.one("Deployment").path("spec").path("template").path("metadata").path("labels"));
        JsonNode port = service.path("spec").path("ports").path(0);
        assertThat(pod.containerPort(port.path("targetPort"))).as("Service targetPort, against admin.port")
                .isEqualTo(config.admin().port());
        assertThat(service.path("spec").path("publishNotReadyAddresses").asBoolean()).isTrue();
        return service;
    }

    private static void assertSelects(JsonNode selector, JsonNode labels) {
        assertThat(selector.size()).as("selector %s", selector).isPositive();
        selector.fields().forEachRemaining(label -> assertThat(labels.path(label.getKey()).asText())
                .as("label %s of %s", label.getKey(), labels).isEqualTo(label.getValue().asText()));
    }

    private Path values(String yaml) throws IOException {
        return Files.writeString(Files.createTempFile(temp, "values-", ".yaml"), yaml);
    }
}
