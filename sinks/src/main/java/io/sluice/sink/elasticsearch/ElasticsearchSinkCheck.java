package io.sluice.sink.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.config.sink.ElasticsearchSinkConfig;
import io.sluice.config.sink.TruncateAction;
import io.sluice.engine.check.ColumnShape;
import io.sluice.engine.check.Finding;
import io.sluice.engine.check.Findings;
import io.sluice.engine.check.JsonKind;
import io.sluice.engine.check.RoutedTable;
import io.sluice.engine.check.ServerCheck;
import io.sluice.engine.check.TableShape;
import io.sluice.engine.event.TableId;
import io.sluice.sink.elasticsearch.MappingCompatibility.Level;
import io.sluice.sink.elasticsearch.MappingCompatibility.MappedField;
import io.sluice.sink.elasticsearch.MappingCompatibility.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

/**
 * {@code sluice check} for an Elasticsearch sink: the templates and index definition as
 * {@link ElasticsearchSink#open()} checks them, the cluster reached with the sink's credentials and TLS, the user's
 * privileges on each index (when security is on), and each existing index's mapping against the columns of its
 * table: a field whose type refuses the values Sluice writes for the column is an error, as is a column a
 * {@code dynamic: strict} index has no field for. A missing index is fine (the sink creates it); its configured
 * mappings are checked the same way. Reads only.
 */
public final class ElasticsearchSinkCheck implements ServerCheck {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int NOT_FOUND = 404;

    private final String pipeline;
    private final String sinkName;
    private final ElasticsearchSinkConfig config;
    private final Optional<List<RoutedTable>> tables;

    /**
     * @param sinkName the sink as the pipeline names it, e.g. {@code elasticsearch}
     * @param tables   the tables this sink receives with their index templates; empty when they are unknown
     */
    public ElasticsearchSinkCheck(String pipeline, String sinkName, ElasticsearchSinkConfig config,
            Optional<List<RoutedTable>> tables) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.sinkName = Objects.requireNonNull(sinkName, "sinkName");
        this.config = Objects.requireNonNull(config, "config");
        this.tables = Objects.requireNonNull(tables, "tables");
    }

    @Override
    public String subject() {
        return sinkName + " " + String.join(",", config.urls());
    }

    @Override
    public List<Finding> run() throws InterruptedException {
        Findings findings = new Findings(pipeline, subject());
        Map<String, RoutedTable> indices = indices(findings);
        IndexDefinition definition = null;
        try {
            definition = IndexDefinition.of(config);
        } catch (IOException | IllegalArgumentException e) {
            findings.error("the index definition cannot be read: " + e.getMessage(), "correct index-file");
        }
        ElasticsearchConnection connection;
        try {
            connection = ElasticsearchConnection.create(config);
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            findings.error("cannot set up the client: " + e.getMessage(), "correct urls and tls.ca-file");
            return findings.list();
        }
        try (connection) {
            RestClient rest = connection.rest();
            if (!checkCluster(rest, findings)) {
                findings.skip("privileges and indices not checked: no usable connection to the cluster");
                return findings.list();
            }
            boolean security = securityEnabled(rest, findings);
            if (tables.isEmpty()) {
                findings.skip("indices not checked: the captured tables are unknown, as PostgreSQL could not be"
                        + " checked");
            }
            Map<String, Boolean> existing = new LinkedHashMap<>();
            for (Map.Entry<String, RoutedTable> index : indices.entrySet()) {
                existing.put(index.getKey(),
                        checkIndex(rest, index.getKey(), index.getValue().shape(), definition, findings));
            }
            if (security) {
                checkPrivileges(rest, existing, findings);
            } else if (config.auth().isBasic() || config.auth().isApiKey()) {
                findings.ok("the configured credentials are not checked: the cluster does not ask for any");
            }
        } catch (IOException e) {
            findings.error("cannot close the client: " + e.getMessage(), null);
        }
        return findings.list();
    }

    /** Each table's index by name, from the templates; templates or names Elasticsearch would refuse are reported. */
    private Map<String, RoutedTable> indices(Findings findings) {
        Set<String> names = new LinkedHashSet<>();
        names.add(config.index());
        tables.orElse(List.of()).forEach(routed -> names.add(routed.template()));
        Map<String, IndexNameTemplate> templates = new HashMap<>();
        for (String template : names) {
            try {
                templates.put(template, IndexNameTemplate.forIndex(template));
            } catch (IllegalArgumentException e) {
                findings.error(e.getMessage(), "correct the index template (the sink's index, or a transform's)");
            }
        }
        if (config.alias() != null) {
            try {
                IndexNameTemplate.forAlias(config.alias());
            } catch (IllegalArgumentException e) {
                findings.error(e.getMessage(), "correct the sink's alias template");
            }
        }
        Map<String, RoutedTable> indices = new LinkedHashMap<>();
        for (RoutedTable routed : tables.orElse(List.of())) {
            TableId table = routed.shape().table();
            IndexNameTemplate template = templates.get(routed.template());
            if (template == null) {
                continue;
            }
            try {
                String index = template.render(table);
                RoutedTable other = indices.putIfAbsent(index, routed);
                if (other != null) {
                    findings.error("tables " + other.shape().table() + " and " + table + " both go to index '" + index
                            + "'; documents are keyed by primary key only, so their rows would overwrite each other",
                            "give each table an index of its own (the sink's index or the transforms' index"
                                    + " templates)");
                }
            } catch (IllegalArgumentException e) {
                findings.error(e.getMessage(), "correct the index template used for " + table);
            }
        }
        return indices;
    }

    /** Whether the cluster answered; reports why not, naming refused credentials plainly. */
    private boolean checkCluster(RestClient rest, Findings findings) {
        try {
            JsonNode health = get(rest, "/_cluster/health");
            String status = health.path("status").asText("unknown");
            String message = "cluster '" + health.path("cluster_name").asText() + "' reachable (status " + status
                    + ", " + health.path("number_of_nodes").asInt() + " node(s))";
            if (status.equals("red")) {
                findings.warn(message + ": some primary shards are unassigned, so writes to them fail", null);
            } else {
                findings.ok(message);
            }
            return true;
        } catch (IOException e) {
            int status = ElasticsearchSink.statusOf(e);
            String fix = switch (status) {
                case 401 -> "check the sink's auth (username and password, or api-key)";
                case 403 -> "grant the user the cluster privilege monitor (the sink reads the cluster's health at"
                        + " start)";
                default -> "check urls, that Elasticsearch runs there, and tls.ca-file for https";
            };
            findings.error((status == 401 ? "Elasticsearch refused the credentials: "
                    : status == 403 ? "the user may not read the cluster's health: " : "cannot reach Elasticsearch: ")
                    + describe(e), fix);
            return false;
        }
    }

    /**
     * Whether the cluster asks for credentials and privileges. Security off is read from the nodes' settings
     * (Elasticsearch 8 turns it on unless {@code xpack.security.enabled} is set false), since the privileges API is
     * then absent.
     */
    private static boolean securityEnabled(RestClient rest, Findings findings) {
        try {
            JsonNode nodes = get(rest, "/_nodes/settings?filter_path=nodes.*.settings.xpack.security.enabled")
                    .path("nodes");
            boolean allOff = nodes.size() > 0;
            for (JsonNode node : nodes) {
                allOff &= node.path("settings").path("xpack").path("security").path("enabled").asText()
                        .equals("false");
            }
            if (allOff) {
                findings.ok("security is disabled on the cluster (xpack.security.enabled: false): no credentials or"
                        + " privileges to check");
                return false;
            }
        } catch (IOException e) {
            // No right to read node settings: the privileges request says whether security answers.
        }
        return true;
    }

    /**
     * The user's privileges on every index the sink writes, asked with {@code _has_privileges}.
     *
     * @param existing whether each index exists ({@code null}: unknown); a missing one needs {@code create_index}
     */
    private void checkPrivileges(RestClient rest, Map<String, Boolean> existing, Findings findings) {
        if (existing.isEmpty()) {
            return;
        }
        ObjectNode request = JSON.createObjectNode();
        request.putArray("cluster").add("monitor");
        ArrayNode checks = request.putArray("index");
        Map<String, List<String>> needed = new LinkedHashMap<>();
        for (Map.Entry<String, Boolean> exists : existing.entrySet()) {
            String index = exists.getKey();
            List<String> privileges = new ArrayList<>(List.of("read", "write", "view_index_metadata"));
            if (!Boolean.TRUE.equals(exists.getValue())) {
                privileges.add("create_index");
            }
            if (config.truncate() == TruncateAction.DELETE) {
                privileges.add("maintenance");
            }
            needed.put(index, privileges);
            ObjectNode check = checks.addObject();
            check.putArray("names").add(index);
            privileges.forEach(check.putArray("privileges")::add);
        }
        JsonNode answer;
        try {
            answer = send(rest, "POST", "/_security/user/_has_privileges", request.toString());
        } catch (IOException e) {
            findings.skip("index privileges not checked: the privileges API did not answer (" + describe(e) + ")");
            return;
        }
        String user = answer.path("username").asText("?");
        boolean allGranted = true;
        for (Map.Entry<String, List<String>> index : needed.entrySet()) {
            JsonNode granted = answer.path("index").path(index.getKey());
            List<String> lacking = index.getValue().stream().filter(p -> !granted.path(p).asBoolean(false)).toList();
            if (!lacking.isEmpty()) {
                allGranted = false;
                findings.error("user '" + user + "' lacks the privilege(s) " + String.join(", ", lacking)
                        + " on index '" + index.getKey() + "'", "grant a role of user '" + user
                        + "' the index privileges " + String.join(", ", index.getValue()) + " on '" + index.getKey()
                        + "' (or a pattern matching it)");
            }
        }
        if (allGranted) {
            findings.ok("user '" + user + "' has every privilege the sink needs on " + needed.size() + " index(es)");
        }
    }

    /** Checks an index's mapping; returns whether the index exists, {@code null} when that is unknown. */
    private Boolean checkIndex(RestClient rest, String index, TableShape shape, IndexDefinition definition,
            Findings findings) {
        JsonNode mappings;
        try {
            mappings = get(rest, "/" + encode(index) + "/_mapping");
        } catch (IOException e) {
            if (ElasticsearchSink.statusOf(e) != NOT_FOUND) {
                if (ElasticsearchSink.statusOf(e) == 403) {
                    // The privileges check names what the user lacks; saying it here too would pile it up.
                    findings.skip("index '" + index + "' not checked: the user may not read its mapping");
                } else {
                    findings.error("cannot read the mapping of index '" + index + "': " + describe(e), null);
                }
                return null;
            }
            findings.ok("index '" + index + "' does not exist yet; Sluice creates it");
            if (definition != null) {
                JsonNode configured = parse(definition.createBody(null)).path("mappings");
                if (!configured.isMissingNode()) {
                    compare(index, "the sink's mappings for index '" + index + "'", IndexMapping.parse(configured),
                            shape, findings, false);
                }
            }
            return false;
        }
        // An alias answers with the mapping of each index behind it.
        for (Iterator<Map.Entry<String, JsonNode>> it = mappings.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> concrete = it.next();
            String name = concrete.getKey().equals(index) ? "index '" + index + "'"
                    : "index '" + concrete.getKey() + "' (behind '" + index + "')";
            compare(concrete.getKey(), name, IndexMapping.parse(concrete.getValue().path("mappings")), shape,
                    findings, true);
        }
        return true;
    }

    /**
     * Every column of the table against the mapping's field of the same name.
     *
     * @param index    the index the mapping is (or will be) of
     * @param where    names the mapping in messages
     * @param existing whether the index exists (fixes differ: an existing field's type cannot change)
     */
    private static void compare(String index, String where, IndexMapping mapping, TableShape shape,
            Findings findings, boolean existing) {
        int problems = 0;
        int mapped = 0;
        List<String> unmapped = new ArrayList<>();
        for (ColumnShape column : shape.columns()) {
            MappedField field = mapping.fields().get(column.name());
            String describedColumn = "column " + column.name() + " (" + column.sourceType() + ") of " + shape.table();
            if (field == null) {
                unmapped.add(column.name());
                if (mapping.strict() && column.kind() != JsonKind.UNKNOWN) {
                    problems++;
                    findings.error(where + " is dynamic: strict and has no field '" + column.name() + "' for "
                            + describedColumn + ", so every document is refused", existing
                            ? "add the field: PUT " + index + "/_mapping {\"properties\":{\"" + column.name()
                                    + "\":{\"type\":\"" + MappingCompatibility.suggestedType(column.kind()) + "\"}}}"
                            : "add field '" + column.name() + "' to the sink's mappings");
                }
                continue;
            }
            mapped++;
            Verdict verdict = MappingCompatibility.of(column, field);
            if (verdict.level() == Level.OK) {
                continue;
            }
            problems++;
            String message = where + ": field '" + column.name() + "' is mapped as " + field.type() + ", but "
                    + describedColumn + " is written as " + (column.array() ? "arrays of " : "")
                    + column.kind().written() + ": " + verdict.reason();
            String suggested = MappingCompatibility.suggestedType(column.kind());
            String fix = existing
                    ? "map '" + column.name() + "' as " + suggested + " in a new index and reindex (a field's type"
                            + " cannot change in place), or rename the column with a transform"
                    : "map '" + column.name() + "' as " + suggested + " in the sink's mappings";
            if (verdict.level() == Level.ERROR) {
                findings.error(message, fix);
            } else {
                findings.warn(message, fix);
            }
        }
        if (problems == 0 && existing) {
            findings.ok(where + " exists and its mapping takes every column of " + shape.table() + " (" + mapped
                    + " mapped" + (unmapped.isEmpty() ? "" : ", " + unmapped.size()
                            + (mapping.mapsNewFields() ? " left to dynamic mapping" : " kept in _source only"
                                    + " (dynamic: " + mapping.dynamic() + ")")) + ")");
        } else if (problems == 0 && mapped > 0) {
            findings.ok(where + " take every column of " + shape.table() + " they map");
        }
    }

    /** A failed request in plain words: Elasticsearch's own reason when it sent one, else the network's. */
    private static String describe(IOException e) {
        if (ElasticsearchSink.statusOf(e) < 0) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        }
        if (e instanceof ResponseException response && response.getResponse().getEntity() != null) {
            try (InputStream in = response.getResponse().getEntity().getContent()) {
                JsonNode error = JSON.readTree(in).path("error");
                String reason = error.isTextual() ? error.asText() : error.path("reason").asText("");
                if (!reason.isEmpty()) {
                    return "HTTP " + ElasticsearchSink.statusOf(e) + ": " + reason;
                }
            } catch (IOException unreadable) {
                // The status alone, then.
            }
        }
        return ElasticsearchSink.explainRequest(e);
    }

    private static JsonNode get(RestClient rest, String path) throws IOException {
        return send(rest, "GET", path, null);
    }

    private static JsonNode send(RestClient rest, String method, String path, String body) throws IOException {
        Request request = new Request(method, path);
        if (body != null) {
            request.setJsonEntity(body);
        }
        Response response = rest.performRequest(request);
        try (InputStream in = response.getEntity().getContent()) {
            return JSON.readTree(in);
        }
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("the index definition is not JSON", e);
        }
    }

    private static String encode(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
