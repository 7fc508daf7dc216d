package io.sluice.app.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.config.AdminConfig;
import io.sluice.config.Secret;
import io.sluice.engine.PipelineState;
import io.sluice.engine.PipelineStatus;
import io.sluice.engine.debezium.SlotMonitor.SlotStatus;
import io.sluice.engine.metrics.PipelineMetrics.Problem;
import io.sluice.engine.metrics.SinkHealth;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The admin endpoint over real HTTP on a free port. */
class AdminServerTest {
    private static final String TOKEN = "t0ken-for-tests";
    private static final Instant SINCE = Instant.parse("2026-03-01T12:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();
    private final List<AdminServer> servers = new ArrayList<>();
    private final AtomicReference<List<PipelineStatus>> pipelines = new AtomicReference<>(List.of(streaming()));

    @AfterEach
    void closeServers() {
        servers.forEach(AdminServer::close);
    }

    @Test
    void healthProbesNeedNoTokenWhileMetricsAndStatusDo() throws Exception {
        AdminServer server = start(Secret.of(TOKEN));

        assertThat(get(server, "/health/live", null).statusCode()).isEqualTo(200);
        assertThat(get(server, "/health/ready", null).statusCode()).isEqualTo(200);
        for (String path : List.of("/metrics", "/status")) {
            HttpResponse<String> refused = get(server, path, null);
            assertThat(refused.statusCode()).as(path).isEqualTo(401);
            assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                    v -> assertThat(v).startsWith("Bearer"));
            assertThat(refused.body()).contains("Authorization: Bearer").doesNotContain(TOKEN);
            assertThat(get(server, path, "Bearer wrong-" + TOKEN).statusCode()).as(path).isEqualTo(401);
            assertThat(get(server, path, "Basic " + TOKEN).statusCode()).as(path).isEqualTo(401);
            assertThat(get(server, path, "Bearer " + TOKEN).statusCode()).as(path).isEqualTo(200);
        }
    }

    @Test
    void withoutATokenEveryEndpointIsOpen() throws Exception {
        AdminServer server = start(null);

        assertThat(get(server, "/status", null).statusCode()).isEqualTo(200);
        assertThat(get(server, "/metrics", null).statusCode()).isEqualTo(200);
    }

    @Test
    void metricsAreThePrometheusTextOfTheRegistry() throws Exception {
        AdminServer server = start(null);

        HttpResponse<String> metrics = get(server, "/metrics", null);

        assertThat(metrics.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(metrics.body()).isEqualTo("sluice_up 1\n");
    }

    @Test
    void unknownPathIsNotFoundAndOtherMethodsAreNotAllowed() throws Exception {
        AdminServer server = start(Secret.of(TOKEN));

        HttpResponse<String> unknown = get(server, "/admin", "Bearer " + TOKEN);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("/health/live, /health/ready, /metrics, /status");

        HttpResponse<String> post = client.send(HttpRequest.newBuilder(uri(server, "/status"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET");
        HttpResponse<String> delete = client.send(HttpRequest.newBuilder(uri(server, "/health/live")).DELETE()
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(delete.statusCode()).isEqualTo(405);
    }

    @Test
    void readinessIsDownWhileASinkIsRetriedAndNamesPipelineSinkAndProblem() throws Exception {
        AdminServer server = start(null);
        pipelines.set(List.of(streaming(), withSinks("billing", PipelineState.STREAMING, up("kafka"),
                new SinkHealth("redis", false, SINCE, "Redis at 127.0.0.1:6379 unreachable: Connection refused",
                        SINCE))));

        HttpResponse<String> ready = get(server, "/health/ready", null);

        assertThat(ready.statusCode()).isEqualTo(503);
        JsonNode body = JSON.readTree(ready.body());
        assertThat(body.path("status").asText()).isEqualTo("DOWN");
        assertThat(body.path("not_ready")).hasSize(1);
        JsonNode entry = body.path("not_ready").get(0);
        assertThat(entry.path("pipeline").asText()).isEqualTo("billing");
        assertThat(entry.path("sink").asText()).isEqualTo("redis");
        assertThat(entry.path("reason").asText())
                .isEqualTo("retrying since 2026-03-01T12:00:00Z: Redis at 127.0.0.1:6379 unreachable: Connection refused");

        pipelines.set(List.of(streaming()));
        assertThat(get(server, "/health/ready", null).statusCode()).isEqualTo(200);
    }

    @Test
    void readinessIsDownUntilEveryPipelineSnapshotsOrStreams() throws Exception {
        AdminServer server = start(null);
        pipelines.set(List.of(withSinks("orders", PipelineState.SNAPSHOTTING, up("kafka")),
                withSinks("billing", PipelineState.STARTING, up("kafka")), PipelineStatus.notCreated("audit")));

        JsonNode body = JSON.readTree(get(server, "/health/ready", null).body());

        assertThat(body.path("not_ready").findValuesAsText("pipeline")).containsExactly("billing", "audit");
        assertThat(body.path("not_ready").get(0).path("reason").asText())
                .isEqualTo("the pipeline is starting, not snapshotting or streaming");
    }

    @Test
    void statusShowsStatePositionsSlotSinksAndLastError() throws Exception {
        AdminServer server = start(null);
        PipelineStatus status = new PipelineStatus("orders", PipelineState.STREAMING, OptionalLong.of(0x16B3748L),
                OptionalLong.of(0x16B3700L), Optional.of(new SlotStatus(true, "reserved", 8192, 72, false, SINCE,
                        0x16B3000L)), 12.34, 500, 480, 20,
                List.of(up("kafka"), new SinkHealth("redis", false, SINCE, "timed out", SINCE)),
                Optional.of(new Problem("sink redis: timed out", SINCE)));
        pipelines.set(List.of(status));

        JsonNode p = JSON.readTree(get(server, "/status", null).body()).path("pipelines").get(0);

        assertThat(p.path("name").asText()).isEqualTo("orders");
        assertThat(p.path("state").asText()).isEqualTo("streaming");
        assertThat(p.path("ready").asBoolean()).isFalse();
        assertThat(p.path("last_received_lsn").asText()).isEqualTo("0/16B3748");
        assertThat(p.path("last_acknowledged_lsn").asText()).isEqualTo("0/16B3700");
        assertThat(p.path("last_committed_lsn").asText()).isEqualTo("0/16B3000");
        assertThat(p.path("events_per_second").asDouble()).isEqualTo(12.3);
        assertThat(p.path("queue_depth").asLong()).isEqualTo(20);
        assertThat(p.path("slot").path("lag_bytes").asLong()).isEqualTo(72);
        assertThat(p.path("slot").path("retained_wal_bytes").asLong()).isEqualTo(8192);
        assertThat(p.path("sinks").findValuesAsText("health")).containsExactly("up", "retrying");
        assertThat(p.path("sinks").get(1).path("last_problem").asText()).isEqualTo("timed out");
        assertThat(p.path("sinks").get(1).path("since").asText()).isEqualTo("2026-03-01T12:00:00Z");
        assertThat(p.path("last_error").path("message").asText()).isEqualTo("sink redis: timed out");
    }

    @Test
    void aTakenPortIsAStartErrorNamingAddressAndPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            AdminConfig config = new AdminConfig("127.0.0.1", taken.getLocalPort(), null);

            assertThatThrownBy(() -> AdminServer.start(config, () -> "", List::of))
                    .isInstanceOf(AdminServerException.class)
                    .hasMessageContaining("127.0.0.1:" + taken.getLocalPort())
                    .hasMessageContaining("admin.port");
        }
    }

    @Test
    void portZeroPicksAFreePort() throws Exception {
        AdminServer server = start(null);

        assertThat(server.port()).isPositive();
        assertThat(get(server, "/health/live", null).body()).contains("\"status\" : \"UP\"");
    }

    private AdminServer start(Secret token) throws AdminServerException {
        AdminServer server = AdminServer.start(new AdminConfig("127.0.0.1", 0, token), () -> "sluice_up 1\n",
                pipelines::get);
        servers.add(server);
        return server;
    }

    private HttpResponse<String> get(AdminServer server, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(server, path)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(AdminServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static PipelineStatus streaming() {
        return withSinks("orders", PipelineState.STREAMING, up("kafka"));
    }

    private static PipelineStatus withSinks(String name, PipelineState state, SinkHealth... sinks) {
        return new PipelineStatus(name, state, OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), 0, 0,
                0, 0, List.of(sinks), Optional.empty());
    }

    private static SinkHealth up(String sink) {
        return new SinkHealth(sink, true, SINCE, null, null);
    }
}
