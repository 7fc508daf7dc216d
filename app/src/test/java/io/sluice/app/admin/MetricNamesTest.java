package io.sluice.app.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.engine.PipelineState;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.event.Key;
import io.sluice.engine.event.Op;
import io.sluice.engine.event.Row;
import io.sluice.engine.event.SourcePosition;
import io.sluice.engine.event.TableId;
import io.sluice.engine.metrics.PipelineMetrics;
import io.sluice.engine.metrics.SinkMetrics;
import io.sluice.engine.sink.WriteResult;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Prometheus names and labels of docs/metrics.md, which dashboards and alerts are built on. */
class MetricNamesTest {
    @Test
    void theScrapeHasEveryMetricOfTheOperationsContractWithItsLabels() {
        PrometheusMeterRegistry registry = ProcessMetrics.registry();
        PipelineMetrics metrics = new PipelineMetrics("orders", registry);
        metrics.bindState(() -> PipelineState.STREAMING);
        metrics.bindSlot(() -> 4096, () -> 128);
        ChangeEvent event = new ChangeEvent(new TableId("shop", "public", "orders"), Op.INSERT,
                new Key(Map.of("id", 1L)), null, Row.of(Map.of("id", 1L)), Set.of(),
                new SourcePosition(100, 100, 7L, Instant.now(), false), 100);
        metrics.received(List.of(event));
        metrics.filtered(List.of(event, event), List.of(event));
        SinkMetrics sink = metrics.sink("kafka");
        sink.wrote(List.of(event), WriteResult.allApplied(), 1_000_000);

        String scrape = registry.scrape();

        assertThat(scrape).contains(
                "sluice_events_received_total{pipeline=\"orders\",table=\"public.orders\"} 1.0",
                "sluice_events_filtered_total{pipeline=\"orders\",table=\"public.orders\"} 1.0",
                "sluice_events_delivered_total{pipeline=\"orders\",sink=\"kafka\",table=\"public.orders\"} 1.0",
                "sluice_sink_batch_size_count{pipeline=\"orders\",sink=\"kafka\"} 1",
                "sluice_sink_batch_size_sum{pipeline=\"orders\",sink=\"kafka\"} 1.0",
                "sluice_sink_batch_size_max{pipeline=\"orders\",sink=\"kafka\"} 1.0",
                "sluice_sink_write_seconds_bucket{pipeline=\"orders\",sink=\"kafka\",le=\"0.001\"} 1",
                "sluice_sink_write_seconds_count{pipeline=\"orders\",sink=\"kafka\"} 1",
                "sluice_sink_write_seconds_sum{pipeline=\"orders\",sink=\"kafka\"} 0.001",
                "sluice_end_to_end_latency_seconds_bucket{pipeline=\"orders\",sink=\"kafka\",le=\"3600.0\"} 1",
                "sluice_end_to_end_latency_seconds_count{pipeline=\"orders\",sink=\"kafka\"} 1",
                "sluice_sink_retries_total{pipeline=\"orders\",sink=\"kafka\"} 0.0",
                "sluice_sink_failures_total{pipeline=\"orders\",sink=\"kafka\"} 0.0",
                "sluice_dead_letters_total{pipeline=\"orders\",sink=\"kafka\"} 0.0",
                "sluice_sink_up{pipeline=\"orders\",sink=\"kafka\"} 1.0",
                "sluice_pipeline_up{pipeline=\"orders\"} 1.0",
                "sluice_pipeline_state{pipeline=\"orders\",state=\"streaming\"} 1.0",
                "sluice_pipeline_state{pipeline=\"orders\",state=\"starting\"} 0.0",
                "sluice_queue_depth{pipeline=\"orders\"} 0.0",
                "sluice_slot_retained_wal_bytes{pipeline=\"orders\"} 4096.0",
                "sluice_slot_lag_bytes{pipeline=\"orders\"} 128.0",
                "jvm_memory_used_bytes{",
                "process_cpu_usage ");
        for (String state : List.of("starting", "snapshotting", "streaming", "stopping", "stopped", "failed")) {
            assertThat(scrape).contains("sluice_pipeline_state{pipeline=\"orders\",state=\"" + state + "\"}");
        }
    }
}
