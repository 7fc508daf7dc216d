package io.sluice.it.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The chart's Grafana dashboard queries only what docs/metrics.md promises, and shows what operators need. */
class GrafanaDashboardTest {

    private static MetricsContract contract;
    private static JsonNode dashboard;

    @BeforeAll
    static void read() throws IOException {
        contract = MetricsContract.read(RepositoryFiles.metricsReference());
        dashboard = new ObjectMapper().readTree(RepositoryFiles.chart().resolve("dashboards/sluice.json").toFile());
    }

    @Test
    void everyQueryUsesOnlyMetricNamesAndLabelsOfTheContract() {
        List<String> queries = queries();

        assertThat(queries).hasSizeGreaterThan(10);
        for (String query : queries) {
            assertThat(contract.problemsOf(query)).as("query %s", query).isEmpty();
        }
    }

    @Test
    void dashboardShowsThroughputLatencySlotLagSinkHealthQueueHeapAndState() {
        Set<String> series = new HashSet<>();
        queries().forEach(query -> series.addAll(contract.seriesIn(query)));

        assertThat(series).contains("sluice_events_received_total", "sluice_events_delivered_total",
                "sluice_end_to_end_latency_seconds_bucket", "sluice_slot_lag_bytes", "sluice_sink_up",
                "sluice_sink_retries_total", "sluice_sink_failures_total", "sluice_dead_letters_total",
                "sluice_queue_depth", "jvm_memory_used_bytes", "sluice_pipeline_state");
        for (String quantile : List.of("0.5", "0.95", "0.99")) {
            assertThat(queries()).anyMatch(query -> query.startsWith("histogram_quantile(" + quantile + ",")
                    && query.contains("sluice_end_to_end_latency_seconds_bucket"));
        }
    }

    @Test
    void everyPanelQueriesTheDataSourceChosenOnImport() {
        for (JsonNode panel : panels()) {
            if (!"row".equals(panel.path("type").asText())) {
                assertThat(panel.path("datasource").path("uid").asText()).as("panel %s", panel.path("title"))
                        .isEqualTo("${datasource}");
            }
        }
        assertThat(dashboard.path("templating").path("list").path(0).path("type").asText()).isEqualTo("datasource");
    }

    @Test
    void theCheckReportsNamesAndLabelsOutsideTheContract() {
        assertThat(contract.problemsOf("sum(rate(sluice_events_sent_total{pipeline=\"orders\"}[5m]))"))
                .containsExactly("series sluice_events_sent_total is not in docs/metrics.md");
        assertThat(contract.problemsOf("max(sluice_queue_depth{sink=\"es\"})"))
                .containsExactly("sluice_queue_depth has no label sink");
        assertThat(contract.problemsOf("sum by (sink) (sluice_queue_depth)"))
                .containsExactly("no series of the expression has the label sink");
        assertThat(contract.problemsOf("label_values(sluice_pipeline_up, table)"))
                .containsExactly("no series of the expression has the label table");
        assertThat(contract.problemsOf("histogram_quantile(0.99, sum by (le) (rate(sluice_queue_depth_bucket[5m])))"))
                .contains("series sluice_queue_depth_bucket is not in docs/metrics.md");
    }

    /** Panel queries and the queries of template variables. */
    private static List<String> queries() {
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : panels()) {
            panel.path("targets").forEach(target -> queries.add(target.path("expr").asText()));
        }
        dashboard.path("templating").path("list").forEach(variable -> {
            if ("query".equals(variable.path("type").asText())) {
                JsonNode query = variable.path("query");
                queries.add(query.isTextual() ? query.asText() : query.path("query").asText());
            }
        });
        return queries;
    }

    private static List<JsonNode> panels() {
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(panel -> {
            panels.add(panel);
            panel.path("panels").forEach(panels::add);
        });
        return panels;
    }
}
