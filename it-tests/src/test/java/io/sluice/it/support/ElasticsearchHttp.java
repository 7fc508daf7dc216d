package io.sluice.it.support;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and prepares indices over plain HTTP, independently of the sink's client, so a mistake in how the sink uses
 * its client cannot hide itself in the checks.
 */
public final class ElasticsearchHttp {
    /** Every integer as a Long and every decimal as a BigDecimal, as rows hold them. */
    public static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_LONG_FOR_INTS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            // 2.50 stays 2.50 when read as a tree, as it is in the row.
            .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Elasticsearch's default {@code index.max_result_window}; the fixtures' indices allow more. */
    private static final int DEFAULT_RESULT_WINDOW = 10_000;

    private final String url;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ElasticsearchHttp(String url) {
        this.url = url;
    }

    /**
     * One document as stored.
     *
     * @param version its {@code _version} (Sluice's external version)
     * @param source  its {@code _source}, fields in stored order
     * @param raw     its {@code _source} as JSON text
     */
    public record Document(long version, Map<String, Object> source, String raw) {
    }

    /** Every document of an index by id, after a refresh; empty for an index that does not exist. */
    public Map<String, Document> documents(String index) {
        if (!exists(index)) {
            return Map.of();
        }
        send("POST", "/" + index + "/_refresh", null);
        // One search reads at most the index's result window, so larger indices need a larger window.
        JsonNode window = send("GET", "/" + index + "/_settings/index.max_result_window", null)
                .path(index).path("settings").path("index").path("max_result_window");
        int size = window.isMissingNode() ? DEFAULT_RESULT_WINDOW : window.asInt();
        JsonNode hits = send("POST", "/" + index + "/_search",
                "{\"size\":" + size + ",\"version\":true,\"track_total_hits\":true,\"query\":{\"match_all\":{}}}")
                .path("hits");
        if (hits.path("total").path("value").asLong() > size) {
            throw new IllegalStateException(index + " holds more documents than a check reads at once");
        }
        Map<String, Document> documents = new LinkedHashMap<>();
        for (JsonNode hit : hits.path("hits")) {
            documents.put(hit.path("_id").asText(), new Document(hit.path("_version").asLong(),
                    JSON.convertValue(hit.path("_source"), LINKED_MAP), hit.path("_source").toString()));
        }
        return documents;
    }

    /**
     * The {@code _source} of one document by a real-time GET (no refresh needed), or empty when the document or its
     * index does not exist. Waits up to 10 s for a shard that is still recovering.
     */
    public Optional<JsonNode> source(String index, String id) {
        String path = "/" + index + "/_doc/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
        HttpResponse<String> response = request("GET", path, null);
        // A shard of an index created a moment ago may still be recovering: it answers 503 for a few seconds.
        for (int attempt = 0; response.statusCode() == 503 && attempt < 50; attempt++) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + index + " to recover", e);
            }
            response = request("GET", path, null);
        }
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        if (response.statusCode() >= 300) {
            throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        try {
            return Optional.of(JSON.readTree(response.body()).path("_source"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean exists(String index) {
        return status("HEAD", "/" + index) == 200;
    }

    /** GET of a path, e.g. {@code /orders/_settings}; fails on an error status. */
    public JsonNode get(String path) {
        return send("GET", path, null);
    }

    /** PUT with a JSON body, e.g. to create an index with mappings. */
    public JsonNode put(String path, String body) {
        return send("PUT", path, body);
    }

    /** A request with a JSON body (or none), failing on an error status. */
    public JsonNode send(String method, String path, String body) {
        HttpResponse<String> response = request(method, path, body);
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        try {
            return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int status(String method, String path) {
        return request(method, path, null).statusCode();
    }

    private HttpResponse<String> request(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static final com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>> LINKED_MAP =
            new com.fasterxml.jackson.core.type.TypeReference<>() {
            };
}
