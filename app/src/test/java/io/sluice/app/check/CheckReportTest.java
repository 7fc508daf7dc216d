package io.sluice.app.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.engine.check.Finding;
import io.sluice.engine.check.Findings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckReportTest {
    private static final String SECRET = "pw-Secret-3";

    private static List<Finding> orders() {
        Findings postgres = new Findings("orders", "postgres sluice@db:5432/shop");
        postgres.ok("wal_level is logical");
        postgres.error("role 'sluice' may not replicate", "ALTER ROLE sluice REPLICATION");
        Findings kafka = new Findings("orders", "kafka k1:9092");
        kafka.skip("topics not checked: no connection to the cluster");
        kafka.warn("slow", null);
        return List.of(postgres.list().get(0), postgres.list().get(1), kafka.list().get(0), kafka.list().get(1));
    }

    @Test
    void eachFindingIsOneLineInColumnsWithItsFixAfterTheMessage() {
        CheckReport report = new CheckReport(List.of("orders", "billing"), text -> text);

        assertThat(report.lines(orders())).containsExactly(
                "ok     orders   postgres sluice@db:5432/shop  wal_level is logical",
                "error  orders   postgres sluice@db:5432/shop  role 'sluice' may not replicate"
                        + " -- fix: ALTER ROLE sluice REPLICATION",
                "skip   orders   kafka k1:9092                 topics not checked: no connection to the cluster",
                "warn   orders   kafka k1:9092                 slow");
    }

    @Test
    void theSummaryCountsErrorsAndWarningsAndMentionsSkippedChecks() {
        assertThat(CheckReport.summary(orders())).isEqualTo("1 error, 1 warning (1 ok, 1 skipped)");
        assertThat(CheckReport.summary(List.of(orders().get(0)))).isEqualTo("0 errors, 0 warnings (1 ok)");
        assertThat(CheckReport.hasErrors(orders())).isTrue();
        assertThat(CheckReport.hasErrors(List.of(orders().get(0), orders().get(2), orders().get(3)))).isFalse();
    }

    @Test
    void secretsOfTheConfigurationNeverReachTheOutput() throws Exception {
        Findings findings = new Findings("orders", "redis r:6379/0");
        findings.error("Redis said " + SECRET + " is wrong", "use another than " + SECRET);
        CheckReport report = new CheckReport(List.of("orders"), text -> text.replace(SECRET, "******"));

        assertThat(report.lines(findings.list())).singleElement().asString()
                .doesNotContain(SECRET).contains("Redis said ****** is wrong");
        Map<String, List<Finding>> byPipeline = new LinkedHashMap<>();
        byPipeline.put("orders", findings.list());
        assertThat(report.json(byPipeline)).doesNotContain(SECRET);
    }

    @Test
    void theJsonFormHasEveryFindingByPipelineAndTheCounts() throws Exception {
        Map<String, List<Finding>> byPipeline = new LinkedHashMap<>();
        byPipeline.put("orders", orders());

        JsonNode json = new ObjectMapper().readTree(new CheckReport(List.of("orders"), text -> text).json(byPipeline));

        JsonNode error = json.path("pipelines").path(0).path("findings").path(1);
        assertThat(json.path("pipelines").path(0).path("pipeline").asText()).isEqualTo("orders");
        assertThat(error.path("severity").asText()).isEqualTo("error");
        assertThat(error.path("subject").asText()).isEqualTo("postgres sluice@db:5432/shop");
        assertThat(error.path("fix").asText()).isEqualTo("ALTER ROLE sluice REPLICATION");
        assertThat(json.path("pipelines").path(0).path("findings").path(0).path("fix").isNull()).isTrue();
        assertThat(json.path("summary").path("errors").asInt()).isEqualTo(1);
        assertThat(json.path("summary").path("warnings").asInt()).isEqualTo(1);
        assertThat(json.path("summary").path("skipped").asInt()).isEqualTo(1);
        assertThat(json.path("summary").path("ok").asInt()).isEqualTo(1);
    }
}
