package io.sluice.it.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.Secret;
import io.sluice.config.SluiceConfig;
import io.sluice.config.offsets.FileOffsetStoreConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The Sluice container of a rendered pod, read the way the kubelet and the Sluice process would read it: which file
 * the process loads, from which ConfigMap, with which environment; which port and paths the probes hit.
 */
final class SluicePod {

    /** The admin endpoints of the operations contract the probes use. */
    static final String LIVENESS_PATH = "/health/live";
    static final String READINESS_PATH = "/health/ready";

    private final Manifests manifests;
    private final JsonNode podSpec;
    private final JsonNode container;

    private SluicePod(Manifests manifests, JsonNode podSpec, JsonNode container) {
        this.manifests = manifests;
        this.podSpec = podSpec;
        this.container = container;
    }

    /** The container named {@code sluice} in a Deployment's pod template. */
    static SluicePod of(Manifests manifests, JsonNode deployment) {
        JsonNode podSpec = deployment.path("spec").path("template").path("spec");
        JsonNode container = elements(podSpec.path("containers"))
                .filter(c -> "sluice".equals(c.path("name").asText()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container named sluice in " + deployment.path("metadata")));
        return new SluicePod(manifests, podSpec, container);
    }

    JsonNode podSpec() {
        return podSpec;
    }

    JsonNode container() {
        return container;
    }

    /** The file given to {@code sluice run --config}. */
    Path configFile() {
        List<String> args = elements(container.path("args")).map(JsonNode::asText).toList();
        assertThat(args).as("arguments of the sluice container").startsWith("run").contains("--config");
        return Path.of(args.get(args.indexOf("--config") + 1));
    }

    /** The mount that holds {@code file}: the one with the longest mount path above it; null when none does. */
    JsonNode mountHolding(Path file) {
        return elements(container.path("volumeMounts"))
                .filter(mount -> file.startsWith(Path.of(mount.path("mountPath").asText())))
                .max(Comparator.comparingInt(mount -> Path.of(mount.path("mountPath").asText()).getNameCount()))
                .orElse(null);
    }

    JsonNode volume(String name) {
        return elements(podSpec.path("volumes"))
                .filter(volume -> name.equals(volume.path("name").asText()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the pod has no volume " + name));
    }

    /** The pod's volume behind {@code file}, asserting a mount holds it. */
    JsonNode volumeHolding(Path file) {
        JsonNode mount = mountHolding(file);
        assertThat(mount).as("a volume mount of the sluice container holding %s", file).isNotNull();
        return volume(mount.path("name").asText());
    }

    /** The ConfigMap volume and key that become the file the process reads. */
    record ConfigSource(String configMap, String key) {
    }

    ConfigSource configSource() {
        Path file = configFile();
        JsonNode mount = mountHolding(file);
        assertThat(mount).as("a volume mount holding the config file %s", file).isNotNull();
        assertThat(mount.path("readOnly").asBoolean()).as("config mount is read-only").isTrue();
        JsonNode configMap = volume(mount.path("name").asText()).path("configMap");
        assertThat(configMap.isObject()).as("the config file's volume is a ConfigMap").isTrue();
        String inVolume = Path.of(mount.path("mountPath").asText()).relativize(file).toString();
        String key = elements(configMap.path("items"))
                .filter(item -> inVolume.equals(item.path("path").asText()))
                .map(item -> item.path("key").asText())
                .findFirst()
                .orElse(configMap.has("items") ? null : inVolume);
        assertThat(key).as("a key of ConfigMap %s that becomes %s", configMap.path("name").asText(), file)
                .isNotNull();
        return new ConfigSource(configMap.path("name").asText(), key);
    }

    /** The configuration file's text, from the rendered ConfigMap the pod mounts. */
    String configText() {
        ConfigSource source = configSource();
        JsonNode configMap = manifests.find("ConfigMap", source.configMap())
                .orElseThrow(() -> new AssertionError("the pod mounts ConfigMap " + source.configMap()
                        + ", which the chart did not render"));
        JsonNode text = configMap.path("data").path(source.key());
        assertThat(text.isTextual()).as("ConfigMap %s has the key %s", source.configMap(), source.key()).isTrue();
        return text.asText();
    }

    /** The container's environment as Kubernetes builds it, with stand-ins for Secret values. */
    Map<String, String> environment(FakeSecrets secrets) {
        Map<String, String> environment = new LinkedHashMap<>();
        elements(container.path("envFrom")).forEach(source -> {
            assertThat(source.has("configMapRef")).as("environment from a ConfigMap").isFalse();
            String secret = source.path("secretRef").path("name").asText();
            secrets.keysOf(secret).forEach(key -> environment.put(key, FakeSecrets.value(secret, key)));
        });
        elements(container.path("env")).forEach(variable -> {
            String name = variable.path("name").asText();
            JsonNode fromSecret = variable.path("valueFrom").path("secretKeyRef");
            if (fromSecret.isObject()) {
                environment.put(name, FakeSecrets.value(fromSecret.path("name").asText(),
                        fromSecret.path("key").asText()));
            } else {
                assertThat(variable.has("valueFrom")).as("env %s comes from a value or a Secret", name).isFalse();
                environment.put(name, variable.path("value").asText());
            }
        });
        return environment;
    }

    /** Loads the mounted file with Sluice's own loader and validation, as the process would at start. */
    SluiceConfig loadConfig(FakeSecrets secrets) {
        Map<String, String> environment = environment(secrets);
        try {
            return new ConfigLoader(environment::get).load(configText(), "ConfigMap " + configSource().configMap() + " key " + configSource().key());
        } catch (ConfigException e) {
            throw new AssertionError("Sluice refuses the rendered configuration:\n" + e.getMessage(), e);
        }
    }

    /** The container port a probe's or Service's port (a number or a port name) stands for. */
    int containerPort(JsonNode port) {
        if (port.canConvertToInt() || port.asText().matches("\\d+")) {
            return port.asInt();
        }
        return elements(container.path("ports"))
                .filter(p -> port.asText().equals(p.path("name").asText()))
                .map(p -> p.path("containerPort").asInt())
                .findFirst()
                .orElseThrow(() -> new AssertionError("the sluice container has no port named " + port.asText()));
    }

    /**
     * Everything a rendering of the Sluice container must get right, whatever the values: the process finds and
     * accepts its configuration with the environment the pod gives it; the probes hit the admin port and paths it
     * serves; the container runs as non-root with a read-only root filesystem, writing only to /tmp and to the
     * volume of its file offsets; Kubernetes waits longer than Sluice's grace period; and every secret in the
     * configuration comes from a Secret, none from a ConfigMap.
     *
     * @return the configuration, for further checks
     */
    SluiceConfig assertConsistent(FakeSecrets secrets) {
        SluiceConfig config = loadConfig(secrets);

        assertThat(config.admin().address()).as("admin.address (probes come from outside the pod)")
                .isEqualTo("0.0.0.0");
        assertProbe("startupProbe", LIVENESS_PATH, config);
        assertProbe("livenessProbe", LIVENESS_PATH, config);
        assertProbe("readinessProbe", READINESS_PATH, config);

        JsonNode security = container.path("securityContext");
        assertThat(security.path("runAsNonRoot").asBoolean()).as("runAsNonRoot").isTrue();
        assertThat(security.path("readOnlyRootFilesystem").asBoolean()).as("readOnlyRootFilesystem").isTrue();
        assertThat(security.path("allowPrivilegeEscalation").asBoolean(true)).as("allowPrivilegeEscalation")
                .isFalse();
        assertThat(elements(security.path("capabilities").path("drop")).map(JsonNode::asText))
                .as("dropped capabilities").contains("ALL");

        assertThat(volumeHolding(Path.of("/tmp/hsperfdata")).path("emptyDir").isObject())
                .as("/tmp is an emptyDir").isTrue();
        List<Path> offsetFiles = config.pipelines().stream()
                .filter(pipeline -> pipeline.offsets() instanceof FileOffsetStoreConfig)
                .map(pipeline -> ((FileOffsetStoreConfig) pipeline.offsets()).path())
                .toList();
        for (Path file : offsetFiles) {
            JsonNode mount = mountHolding(file);
            assertThat(mount).as("a volume mount holding the offsets file %s", file).isNotNull();
            assertThat(mount.path("readOnly").asBoolean()).as("offsets mount is read-only").isFalse();
            assertThat(volume(mount.path("name").asText()).path("persistentVolumeClaim").isObject())
                    .as("the offsets file %s is on a persistent volume", file).isTrue();
        }
        if (offsetFiles.isEmpty()) {
            assertThat(elements(podSpec.path("volumes")).filter(v -> v.has("persistentVolumeClaim")))
                    .as("persistent volumes of a pod whose offsets are not in files").isEmpty();
        }

        assertThat(podSpec.path("terminationGracePeriodSeconds").asLong())
                .as("terminationGracePeriodSeconds, against shutdown.grace-period %s", config.shutdown().gracePeriod())
                .isGreaterThan(config.shutdown().gracePeriod().toSeconds());

        for (Secret secret : secretsIn(config)) {
            assertThat(FakeSecrets.isSecretValue(secret.reveal()))
                    .as("every password, key and token of the configuration comes from a Secret").isTrue();
        }
        List<String> secretValues = environment(secrets).values().stream().filter(FakeSecrets::isSecretValue).toList();
        for (JsonNode configMap : manifests.ofKind("ConfigMap")) {
            for (String secretValue : secretValues) {
                configMap.path("data").forEach(text -> assertThat(text.asText())
                        .as("ConfigMap %s", configMap.path("metadata").path("name").asText())
                        .doesNotContain(secretValue));
            }
        }
        return config;
    }

    private void assertProbe(String probe, String path, SluiceConfig config) {
        JsonNode httpGet = container.path(probe).path("httpGet");
        assertThat(httpGet.path("path").asText()).as("%s path", probe).isEqualTo(path);
        assertThat(httpGet.path("scheme").asText("HTTP")).as("%s scheme", probe).isEqualTo("HTTP");
        assertThat(containerPort(httpGet.path("port"))).as("%s port, against admin.port", probe)
                .isEqualTo(config.admin().port());
    }

    /** Every {@link Secret} in the configuration's records, lists and maps. */
    static List<Secret> secretsIn(Object node) {
        List<Secret> found = new ArrayList<>();
        collectSecrets(node, found);
        return found;
    }

    private static void collectSecrets(Object node, List<Secret> found) {
        if (node instanceof Secret secret) {
            found.add(secret);
        } else if (node instanceof Record record) {
            for (RecordComponent component : record.getClass().getRecordComponents()) {
                try {
                    collectSecrets(component.getAccessor().invoke(record), found);
                } catch (IllegalAccessException | InvocationTargetException e) {
                    throw new IllegalStateException("reading " + component + " failed", e);
                }
            }
        } else if (node instanceof Collection<?> collection) {
            collection.forEach(element -> collectSecrets(element, found));
        } else if (node instanceof Map<?, ?> map) {
            map.values().forEach(value -> collectSecrets(value, found));
        } else if (node instanceof Optional<?> optional) {
            optional.ifPresent(value -> collectSecrets(value, found));
        }
    }

    static Stream<JsonNode> elements(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false);
    }
}
