package io.sluice.it.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The Kubernetes objects Helm rendered, parsed. */
record Manifests(List<JsonNode> objects) {

    static final YAMLMapper YAML = new YAMLMapper();

    Manifests {
        objects = List.copyOf(objects);
    }

    /** Parses {@code helm template} output: YAML documents separated by {@code ---}. */
    static Manifests parse(String rendered) {
        List<JsonNode> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(rendered)) {
            while (documents.hasNextValue()) {
                JsonNode document = documents.nextValue();
                if (document != null && document.isObject()) {
                    objects.add(document);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("helm template rendered YAML that does not parse:\n" + rendered, e);
        }
        return new Manifests(objects);
    }

    Set<String> kinds() {
        Set<String> kinds = new TreeSet<>();
        objects.forEach(object -> kinds.add(object.path("kind").asText()));
        return kinds;
    }

    List<JsonNode> ofKind(String kind) {
        return objects.stream().filter(object -> kind.equals(object.path("kind").asText())).toList();
    }

    /** The only object of this kind. */
    JsonNode one(String kind) {
        List<JsonNode> found = ofKind(kind);
        assertThat(found).as("rendered objects of kind %s", kind).hasSize(1);
        return found.get(0);
    }

    Optional<JsonNode> find(String kind, String name) {
        return ofKind(kind).stream().filter(object -> name.equals(object.path("metadata").path("name").asText()))
                .findFirst();
    }
}
