package io.sluice.it.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dependency rules of docs/architecture: one direction between modules, client libraries kept in place. */
class ArchitectureTest {
    private static JavaClasses sluice;

    @BeforeAll
    static void importProductionClasses() {
        sluice = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.sluice.config", "io.sluice.engine", "io.sluice.sink", "io.sluice.offsets",
                        "io.sluice.app");
    }

    @Test
    void configDependsOnNoOtherSluiceModule() {
        noClasses().that().resideInAPackage("io.sluice.config..")
                .should().dependOnClassesThat().resideInAnyPackage("io.sluice.engine..", "io.sluice.sink..",
                        "io.sluice.offsets..", "io.sluice.app..")
                .check(sluice);
    }

    @Test
    void engineImportsNoImplementation() {
        noClasses().that().resideInAPackage("io.sluice.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("io.sluice.sink..", "io.sluice.offsets..",
                        "io.sluice.app..")
                .check(sluice);
    }

    @Test
    void sinksAndOffsetStoresNeverImportEachOther() {
        noClasses().that().resideInAPackage("io.sluice.sink..")
                .should().dependOnClassesThat().resideInAnyPackage("io.sluice.offsets..", "io.sluice.app..")
                .check(sluice);
        noClasses().that().resideInAPackage("io.sluice.offsets..")
                .should().dependOnClassesThat().resideInAnyPackage("io.sluice.sink..", "io.sluice.app..")
                .check(sluice);
    }

    @Test
    void debeziumAndKafkaConnectTypesStopAtTheDebeziumPackage() {
        noClasses().that().resideOutsideOfPackage("io.sluice.engine.debezium..")
                .should().dependOnClassesThat().resideInAnyPackage("io.debezium..", "org.apache.kafka.connect..")
                .check(sluice);
    }

    @Test
    void kafkaClientsAreUsedOnlyByTheKafkaSinkAndTheKafkaOffsetStore() {
        noClasses().that().resideOutsideOfPackages("io.sluice.sink.kafka..", "io.sluice.offsets.kafka..",
                        "io.sluice.engine.debezium..")
                .should().dependOnClassesThat().resideInAPackage("org.apache.kafka.clients..")
                .check(sluice);
    }

    @Test
    void connectionPoolIsUsedOnlyByTheJdbcOffsetStore() {
        noClasses().that().resideOutsideOfPackage("io.sluice.offsets.jdbc..")
                .should().dependOnClassesThat().resideInAPackage("com.zaxxer.hikari..")
                .check(sluice);
    }

    @Test
    void elasticsearchClientTypesStayInTheElasticsearchSink() {
        noClasses().that().resideOutsideOfPackage("io.sluice.sink.elasticsearch..")
                .should().dependOnClassesThat().resideInAnyPackage("co.elastic..", "org.elasticsearch..",
                        "org.apache.http..")
                .check(sluice);
    }

    @Test
    void redisClientIsUsedOnlyByTheRedisSink() {
        noClasses().that().resideOutsideOfPackage("io.sluice.sink.redis..")
                .should().dependOnClassesThat().resideInAPackage("redis.clients..")
                .check(sluice);
    }
}
