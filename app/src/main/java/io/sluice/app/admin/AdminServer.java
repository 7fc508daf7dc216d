package io.sluice.app.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sluice.config.AdminConfig;
import io.sluice.engine.PipelineStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP endpoint of a Sluice process, on the JDK's own HTTP server: {@code /health/live},
 * {@code /health/ready}, {@code /metrics} (Prometheus text) and {@code /status} (JSON). Only GET; when a token is
 * configured, everything but {@code /health/*} needs {@code Authorization: Bearer <token>}, so probes work without
 * it. docs/operations.md shows every response.
 *
 * <p>Requests are served by two daemon threads of its own; a request only reads figures the pipelines keep.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_TYPE = "application/json";
    /** Prometheus text exposition format 0.0.4, which every Prometheus-compatible scraper reads. */
    private static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String ENDPOINTS = "/health/live, /health/ready, /metrics, /status";
    private static final int THREADS = 2;

    private final HttpServer server;
    private final ExecutorService executor;
    private final BearerToken token;
    private final Supplier<String> metrics;
    private final Supplier<List<PipelineStatus>> pipelines;

    private AdminServer(HttpServer server, ExecutorService executor, BearerToken token, Supplier<String> metrics,
            Supplier<List<PipelineStatus>> pipelines) {
        this.server = server;
        this.executor = executor;
        this.token = token;
        this.metrics = metrics;
        this.pipelines = pipelines;
    }

    /**
     * Listens on the configured address and port (0: a free one, which the log line names) and serves until closed.
     *
     * @param metrics   the Prometheus text of the process's registry, made per request
     * @param pipelines the status of every configured pipeline, made per request
     * @throws AdminServerException when the address cannot be listened on, e.g. the port is taken
     */
    public static AdminServer start(AdminConfig config, Supplier<String> metrics,
            Supplier<List<PipelineStatus>> pipelines) throws AdminServerException {
        InetSocketAddress address = new InetSocketAddress(config.address(), config.port());
        String where = hostForUrl(config.address()) + ":" + config.port();
        if (address.isUnresolved()) {
            throw new AdminServerException("admin endpoint: cannot listen on " + where + ": address '"
                    + config.address() + "' is unknown; set admin.address to an address of this host (127.0.0.1,"
                    + " or 0.0.0.0 for every interface)", null);
        }
        HttpServer server;
        try {
            server = HttpServer.create(address, 0);
        } catch (IOException e) {
            throw new AdminServerException("admin endpoint: cannot listen on " + where + " (" + e.getMessage()
                    + "). Is another process, maybe another Sluice, using the port? Set admin.port to a free port, or"
                    + " to 0 to pick one; admin.address must be an address of this host", e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread thread = new Thread(r, "sluice-admin");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        AdminServer admin = new AdminServer(server, executor,
                config.token() == null ? null : new BearerToken(config.token()), metrics, pipelines);
        server.createContext("/", admin::handle);
        server.start();
        LOG.info("admin endpoint on http://{}:{} ({}{})", hostForUrl(config.address()), admin.port(), ENDPOINTS,
                admin.token == null ? "" : "; a bearer token is needed except for /health");
        return admin;
    }

    /** The port listened on: the configured one, or the one picked for port 0. */
    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Response response;
            try {
                response = respond(exchange.getRequestMethod(), path,
                        exchange.getRequestHeaders().getFirst("Authorization"));
            } catch (RuntimeException e) {
                // A bug in building a report must not end the server thread; the client sees what happened.
                LOG.debug("admin endpoint: {} failed", path, e);
                response = error(500, "could not build the response: " + e);
            }
            response.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(response.status(), response.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(response.body());
            }
        }
    }

    /** The response to one request; package-private so the routing is testable without sockets. */
    Response respond(String method, String path, String authorization) {
        boolean health = path.equals("/health/live") || path.equals("/health/ready");
        if (!health && !path.equals("/metrics") && !path.equals("/status")) {
            return error(404, "no endpoint " + path + "; the endpoints are " + ENDPOINTS);
        }
        if (!"GET".equals(method)) {
            return error(405, path + " answers GET only").withHeader("Allow", "GET");
        }
        if (!health && token != null && !token.matches(authorization)) {
            return error(401, path + " needs the header 'Authorization: Bearer <token>' with the token of"
                    + " admin.token").withHeader("WWW-Authenticate", "Bearer realm=\"sluice\"");
        }
        switch (path) {
            case "/health/live":
                return health(Reports.liveness(ManagementFactory.getThreadMXBean()));
            case "/health/ready":
                return health(Reports.readiness(pipelines.get()));
            case "/metrics":
                return new Response(200, PROMETHEUS_TYPE, metrics.get().getBytes(StandardCharsets.UTF_8));
            default:
                return json(200, Reports.status(pipelines.get()));
        }
    }

    private static Response health(ObjectNode body) {
        return json(Reports.isUp(body) ? 200 : 503, body);
    }

    private static Response error(int status, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.put("error", message);
        return json(status, body);
    }

    private static Response json(int status, ObjectNode body) {
        try {
            return new Response(status, JSON_TYPE, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    /** IPv6 addresses go in brackets in a URL. */
    private static String hostForUrl(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }

    /** Stops listening; a request being answered is cut off. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
