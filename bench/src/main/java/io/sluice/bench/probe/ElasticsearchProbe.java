package io.sluice.bench.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.bench.Sink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Elasticsearch: the index's {@code primaries.indexing.index_total + delete_total} from the index stats API, which
 * needs no refresh. The shard counts an operation when it has applied it; the bulk response follows once the whole
 * request is applied and its translog synced (a few milliseconds at most). Version conflicts are not counted, and the
 * workload causes none, so one event is one operation.
 */
public final class ElasticsearchProbe implements SinkProbe {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final String url;
    private final String index;

    public ElasticsearchProbe(String url, String index) {
        this.url = url;
        this.index = index;
    }

    @Override
    public Sink sink() {
        return Sink.ELASTICSEARCH;
    }

    @Override
    public long progress() {
        HttpResponse<String> response = send("GET", "/" + index
                + "/_stats/indexing?filter_path=_all.primaries.indexing.index_total,_all.primaries.indexing.delete_total",
                null);
        if (response.statusCode() == 404) {
            return 0;
        }
        JsonNode indexing = json(response).path("_all").path("primaries").path("indexing");
        return indexing.path("index_total").asLong() + indexing.path("delete_total").asLong();
    }

    @Override
    public boolean reached(Target target) {
        return progress() >= target.events();
    }

    @Override
    public Check check(Target target) {
        long operations = progress();
        send("POST", "/" + index + "/_refresh", null);
        long documents = json(send("GET", "/" + index + "/_count", null)).path("count").asLong(-1);
        if (operations < target.events() || documents != target.rows()) {
            return Check.problem("Elasticsearch index " + index + " applied " + operations + " operations and holds "
                    + documents + " documents, expected " + target.events() + " and " + target.rows());
        }
        return operations == target.events() ? Check.OK : Check.note("Elasticsearch index " + index + " applied "
                + (operations - target.events()) + " operations more than the " + target.events()
                + " events written");
    }

    /**
     * Which of the rows' documents exist, by a real-time multi-get (it sees a document as soon as the shard applied
     * it, without a refresh).
     */
    public Set<Long> visible(List<Long> ids) {
        StringBuilder body = new StringBuilder("{\"ids\":[");
        for (int i = 0; i < ids.size(); i++) {
            body.append(i == 0 ? "\"" : ",\"").append(ids.get(i)).append('"');
        }
        body.append("]}");
        HttpResponse<String> response = send("POST", "/" + index + "/_mget?filter_path=docs._id,docs.found",
                body.toString());
        Set<Long> found = new HashSet<>();
        if (response.statusCode() == 404) {
            return found;
        }
        for (JsonNode doc : json(response).path("docs")) {
            if (doc.path("found").asBoolean()) {
                found.add(Long.parseLong(doc.path("_id").asText()));
            }
        }
        return found;
    }

    /** Deletes the run's index, if Sluice created it. */
    public void deleteIndex() {
        send("DELETE", "/" + index, null);
    }

    private HttpResponse<String> send(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300 && response.statusCode() != 404) {
                throw new IllegalStateException("Elasticsearch " + method + " " + path + " answered "
                        + response.statusCode() + ": " + response.body());
            }
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException("Elasticsearch " + method + " " + url + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking Elasticsearch", e);
        }
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("Elasticsearch answered something that is not JSON: " + response.body(), e);
        }
    }

    @Override
    public void close() {
        // java.net.http.HttpClient on Java 17 has nothing to close; its threads end with it.
    }
}
