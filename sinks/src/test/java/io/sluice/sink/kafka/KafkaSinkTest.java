package io.sluice.sink.kafka;

import static io.sluice.sink.TestEvents.ORDERS;
import static io.sluice.sink.TestEvents.columns;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import io.sluice.config.sink.KafkaSinkConfig;
import io.sluice.engine.event.ChangeEvent;
import io.sluice.engine.sink.RetriableSinkException;
import io.sluice.engine.sink.SinkException;
import io.sluice.engine.sink.WriteResult;
import io.sluice.engine.sink.WriteResult.EventFailure;
import io.sluice.sink.TestEvents;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KafkaSinkTest {
    private static final String WHERE = "pipeline 'orders', sink kafka (localhost:9092)";
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"sluice\" password=\"hunter2-s3cret\";";
    private static final String TOKEN = "tok-8f3a9c1e";

    @Nested
    class Settings {

        @Test
        void producerDefaultsGiveDurableOrderedIdempotentWrites() throws Exception {
            FakeKafkaClients clients = openedWith(Map.of());

            assertThat(clients.producerSettings()).containsAllEntriesOf(Map.of(
                    "bootstrap.servers", "localhost:9092",
                    "client.id", "sluice-orders",
                    "acks", "all",
                    "enable.idempotence", "true",
                    "max.in.flight.requests.per.connection", "5",
                    "linger.ms", "5",
                    "compression.type", "lz4",
                    "delivery.timeout.ms", "120000",
                    "key.serializer", ByteArraySerializer.class,
                    "value.serializer", ByteArraySerializer.class))
                    .containsEntry("batch.size", "262144");
        }

        @Test
        void producerSettingsOfTheConfigArePassedThroughOverDefaults() throws Exception {
            Map<String, String> given = Map.of(
                    "linger.ms", "50",
                    "client.id", "orders-cdc",
                    "security.protocol", "SASL_SSL",
                    "sasl.mechanism", "SCRAM-SHA-512",
                    "sasl.jaas.config", JAAS,
                    "ssl.truststore.location", "/etc/kafka/truststore.jks",
                    "acks", "-1");

            FakeKafkaClients clients = openedWith(given);

            assertThat(clients.producerSettings()).containsAllEntriesOf(given);
        }

        @Test
        void clusterCheckGetsConnectionAndSecuritySettingsButNoProducerTuning() throws Exception {
            FakeKafkaClients clients = openedWith(Map.of("security.protocol", "SASL_SSL", "sasl.jaas.config", JAAS));

            assertThat(clients.adminSettings())
                    .containsEntry("bootstrap.servers", "localhost:9092")
                    .containsEntry("client.id", "sluice-orders")
                    .containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.jaas.config", JAAS)
                    .doesNotContainKeys("acks", "linger.ms", "batch.size", "compression.type", "enable.idempotence",
                            "key.serializer", "value.serializer");
        }

        @ParameterizedTest
        @ValueSource(strings = {"all", "-1", " all "})
        void acksAllIsAccepted(String acks) {
            assertThat(catchThrowableOfType(SinkException.class, () -> open(Map.of("acks", acks)))).isNull();
        }

        @ParameterizedTest
        @ValueSource(strings = {"0", "1", "ALL-ish"})
        void acksOtherThanAllIsRefused(String acks) {
            assertThatThrownBy(() -> open(Map.of("acks", acks)))
                    .isExactlyInstanceOf(SinkException.class)
                    .hasMessageStartingWith(WHERE + ": producer setting 'acks' must be 'all'");
        }

        @Test
        void disablingIdempotenceIsRefused() {
            assertThatThrownBy(() -> open(Map.of("enable.idempotence", "false")))
                    .isExactlyInstanceOf(SinkException.class)
                    .hasMessageContaining("producer setting 'enable.idempotence' must be 'true'");
        }

        @ParameterizedTest
        @ValueSource(strings = {"6", "0", "five"})
        void inFlightRequestsOutsideOneToFiveAreRefused(String inFlight) {
            assertThatThrownBy(() -> open(Map.of("max.in.flight.requests.per.connection", inFlight)))
                    .isExactlyInstanceOf(SinkException.class)
                    .hasMessageContaining("'max.in.flight.requests.per.connection' must be a whole number from 1 to 5");
        }

        @ParameterizedTest
        @ValueSource(strings = {"key.serializer", "value.serializer"})
        void serializerOverridesAreRefused(String key) {
            assertThatThrownBy(() -> open(Map.of(key, "org.apache.kafka.common.serialization.StringSerializer")))
                    .isExactlyInstanceOf(SinkException.class)
                    .hasMessageContaining("producer setting '" + key + "' cannot be set");
        }

        @Test
        void transactionalIdIsRefused() {
            assertThatThrownBy(() -> open(Map.of("transactional.id", "orders")))
                    .isExactlyInstanceOf(SinkException.class)
                    .hasMessageContaining("'transactional.id' cannot be set");
        }

        @Test
        void bootstrapServersAmongProducerSettingsIsRefused() {
            assertThatThrownBy(() -> open(Map.of("bootstrap.servers", "other:9092")))
                    .isExactlyInstanceOf(SinkException.class)
                    .hasMessageContaining("use the sink's bootstrapServers");
        }

        @Test
        void missingBootstrapServersIsRefused() {
            KafkaSinkConfig config = new KafkaSinkConfig(" ", null, null, null);

            assertThatThrownBy(() -> open(config))
                    .isExactlyInstanceOf(SinkException.class)
                    .hasMessageContaining("bootstrapServers is required");
        }

        @Test
        void refusedSettingFailsOpenBeforeAnyConnection() {
            FakeKafkaClients clients = new FakeKafkaClients(ScriptedProducer.acknowledging());
            KafkaSink sink = new KafkaSink("orders", config(Map.of("acks", "0")), clients, Duration.ofSeconds(10));

            assertThatThrownBy(sink::open).isExactlyInstanceOf(SinkException.class);
            assertThat(clients.adminSettings()).isNull();
            assertThat(clients.producerSettings()).isNull();
        }

        @Test
        void everyRefusedSettingIsListedInOneMessage() {
            assertThatThrownBy(() -> open(Map.of("acks", "1", "enable.idempotence", "false", "transactional.id", "x")))
                    .hasMessageContaining("'acks'")
                    .hasMessageContaining("'enable.idempotence'")
                    .hasMessageContaining("'transactional.id'");
        }

        @Test
        void invalidTopicTemplateIsRefusedByOpen() {
            KafkaSinkConfig config = new KafkaSinkConfig("localhost:9092", "shop.{tabel}", null, null);

            assertThatThrownBy(() -> open(config))
                    .isExactlyInstanceOf(SinkException.class)
                    .hasMessageStartingWith(WHERE + ": invalid topic template 'shop.{tabel}'");
        }

        @Test
        void secretValuesNeverAppearInToStringOrMessages() throws Exception {
            Map<String, String> secrets = Map.of("sasl.jaas.config", JAAS, "ssl.key.password", "pem-pass-123",
                    "my.plugin.token", TOKEN);
            Map<String, String> refused = new HashMap<>(secrets);
            refused.put("acks", "0");
            ExecutionException echoing = new ExecutionException(new SaslAuthenticationException(
                    "login failed for " + JAAS + " using token " + TOKEN + " and key password pem-pass-123"));
            KafkaSink sink = new KafkaSink("orders", config(secrets),
                    new FakeKafkaClients(ScriptedProducer.acknowledging(), echoing), Duration.ofSeconds(10));

            String refusal = catchThrowableOfType(SinkException.class, () -> open(refused)).getMessage();
            String openFailure = catchThrowableOfType(SinkException.class, sink::open).getMessage();

            for (String text : List.of(sink.toString(), refusal, openFailure)) {
                assertThat(text).doesNotContain("hunter2-s3cret", TOKEN, "pem-pass-123");
            }
            assertThat(sink.toString()).contains("sasl.jaas.config", "my.plugin.token");
            assertThat(openFailure).contains("login failed for ******");
        }

        @Test
        void defaultSettingsAreAcceptedByTheRealKafkaProducer() throws Exception {
            FakeKafkaClients clients = new FakeKafkaClients(ScriptedProducer.acknowledging());
            new KafkaSink("orders", new KafkaSinkConfig("localhost:1", null, null, Map.of()), clients,
                    Duration.ofSeconds(1)).open();

            // Builds (and validates) a real producer without sending anything, so no broker is needed.
            Producer<byte[], byte[]> real = KafkaClients.live().producer(clients.producerSettings());
            real.close(Duration.ZERO);
        }

        private FakeKafkaClients openedWith(Map<String, String> producer) throws Exception {
            FakeKafkaClients clients = new FakeKafkaClients(ScriptedProducer.acknowledging());
            new KafkaSink("orders", config(producer), clients, Duration.ofSeconds(10)).open();
            return clients;
        }

        private void open(Map<String, String> producer) throws Exception {
            open(config(producer));
        }

        private void open(KafkaSinkConfig config) throws Exception {
            new KafkaSink("orders", config, new FakeKafkaClients(ScriptedProducer.acknowledging()),
                    Duration.ofSeconds(10)).open();
        }
    }

    @Nested
    class Open {

        @Test
        void unreachableClusterIsRetriableWithAPlainMessage() {
            KafkaSink sink = sinkAnswering(new TimeoutException());

            assertThatThrownBy(sink::open)
                    .isInstanceOf(RetriableSinkException.class)
                    .hasMessage(WHERE + ": cannot reach the Kafka cluster: no broker answered within 10000 ms");
        }

        @Test
        void clusterErrorThatMayPassIsRetriable() {
            KafkaSink sink = sinkAnswering(new ExecutionException(
                    new org.apache.kafka.common.errors.TimeoutException("Timed out waiting for a node assignment.")));

            assertThatThrownBy(sink::open)
                    .isInstanceOf(RetriableSinkException.class)
                    .hasMessage(WHERE + ": cannot reach the Kafka cluster: Kafka did not answer in time"
                            + " (Timed out waiting for a node assignment.)");
        }

        @Test
        void authenticationFailureIsNotRetriable() {
            KafkaSink sink = sinkAnswering(new ExecutionException(new SaslAuthenticationException(
                    "Authentication failed during authentication due to invalid credentials with SASL mechanism"
                            + " SCRAM-SHA-512")));

            SinkException failure = catchThrowableOfType(SinkException.class, sink::open);

            assertThat(failure).isNotInstanceOf(RetriableSinkException.class);
            assertThat(failure).hasMessage(WHERE + ": cannot use the Kafka cluster: authentication failed"
                    + " (Authentication failed during authentication due to invalid credentials with SASL mechanism"
                    + " SCRAM-SHA-512)");
        }

        @Test
        void authorizationFailureIsNotRetriable() {
            KafkaSink sink = sinkAnswering(new ExecutionException(
                    new ClusterAuthorizationException("Cluster authorization failed.")));

            assertThatThrownBy(sink::open)
                    .isExactlyInstanceOf(SinkException.class)
                    .hasMessageContaining("not authorized on the cluster");
        }

        @Test
        void unresolvableBootstrapHostIsRetriableSinceItMayNotBeUpYet() {
            FakeKafkaClients clients = new FakeKafkaClients(ScriptedProducer.acknowledging());
            KafkaSinkConfig config = new KafkaSinkConfig("no-such-host.invalid:9092,other.invalid:9092",
                    "{database}.{schema}.{table}", true, Map.of());
            KafkaSink sink = new KafkaSink("orders", config, clients, Duration.ofSeconds(10));

            assertThatThrownBy(sink::open)
                    .isExactlyInstanceOf(RetriableSinkException.class)
                    .hasMessageEndingWith("cannot resolve bootstrap host(s) no-such-host.invalid, other.invalid");
            assertThat(clients.producerSettings()).isNull();
        }

        @Test
        void noProducerIsCreatedWhenTheClusterCannotBeReached() {
            FakeKafkaClients clients = new FakeKafkaClients(ScriptedProducer.acknowledging(), new TimeoutException());

            assertThatThrownBy(() -> sink(clients).open()).isInstanceOf(RetriableSinkException.class);
            assertThat(clients.producerSettings()).isNull();
        }

        @Test
        void failedOpenCanBeTriedAgain() throws Exception {
            ScriptedProducer producer = ScriptedProducer.acknowledging();
            KafkaSink sink = sink(new FakeKafkaClients(producer, new TimeoutException()));

            assertThatThrownBy(sink::open).isInstanceOf(RetriableSinkException.class);
            sink.open();

            assertThat(sink.write(List.of(TestEvents.insert(1))).isAllApplied()).isTrue();
        }

        @Test
        void openAfterCloseIsRefused() {
            KafkaSink sink = sink(new FakeKafkaClients(ScriptedProducer.acknowledging()));
            sink.close();

            assertThatThrownBy(sink::open).isInstanceOf(IllegalStateException.class);
        }

        private KafkaSink sinkAnswering(Exception clusterAnswer) {
            return sink(new FakeKafkaClients(ScriptedProducer.acknowledging(), clusterAnswer));
        }
    }

    @Nested
    class Write {

        @Test
        void everyRecordIsSentInOrderAndAcknowledgedBeforeWriteReturns() throws Exception {
            ScriptedProducer producer = ScriptedProducer.acknowledging();
            KafkaSink sink = opened(producer);

            WriteResult result = sink.write(List.of(TestEvents.insert(1), TestEvents.update(1, "paid", 900),
                    TestEvents.delete(2)));

            assertThat(result.isAllApplied()).isTrue();
            assertThat(producer.history()).extracting(KafkaSinkTest::describe)
                    .containsExactly("{\"id\":1}=c", "{\"id\":1}=u", "{\"id\":2}=d", "{\"id\":2}=tombstone");
            assertThat(producer.flushed()).isTrue();
        }

        @Test
        void emptyBatchIsApplied() throws Exception {
            assertThat(opened(ScriptedProducer.acknowledging()).write(List.of()).isAllApplied()).isTrue();
        }

        @Test
        void transientBrokerErrorFailsOnlyItsEventAndRetriably() throws Exception {
            KafkaSink sink = opened(ScriptedProducer.failingAtAck(forId(2, new NotEnoughReplicasException(
                    "Messages are rejected since there are fewer in-sync replicas than required."))));

            WriteResult result = sink.write(List.of(TestEvents.insert(1), TestEvents.insert(2), TestEvents.insert(3)));

            assertThat(result.failures()).containsExactly(new EventFailure(1, true,
                    "topic 'shop.public.orders': not enough in-sync replicas to accept writes"
                            + " (Messages are rejected since there are fewer in-sync replicas than required.)"));
        }

        @Test
        void recordTooLargeIsAPoisonEventAndTheRestOfTheBatchIsWritten() throws Exception {
            ScriptedProducer producer = ScriptedProducer.failingAtAck(forId(2, new RecordTooLargeException(
                    "The request included a message larger than the max message size the server will accept.")));
            KafkaSink sink = opened(producer);

            WriteResult result = sink.write(List.of(TestEvents.insert(1), TestEvents.insert(2), TestEvents.insert(3)));

            assertThat(result.failures()).singleElement().satisfies(failure -> {
                assertThat(failure.index()).isEqualTo(1);
                assertThat(failure.retriable()).isFalse();
                assertThat(failure.reason()).startsWith("topic 'shop.public.orders': the record is larger than");
            });
            assertThat(producer.history()).hasSize(3);
        }

        @Test
        void failedTombstoneFailsItsDelete() throws Exception {
            KafkaSink sink = opened(ScriptedProducer.failingAtAck(record -> record.value() == null
                    ? new NotEnoughReplicasException("not enough replicas") : null));

            WriteResult result = sink.write(List.of(TestEvents.insert(1), TestEvents.delete(2)));

            assertThat(result.failures()).extracting(EventFailure::index, EventFailure::retriable)
                    .containsExactly(tuple(1, true));
        }

        @Test
        void batchOfWhichNothingWasAcknowledgedFailsAsAWholeRetriably() throws Exception {
            KafkaSink sink = opened(ScriptedProducer.failingAtAck(record ->
                    new org.apache.kafka.common.errors.TimeoutException("Expiring 2 record(s)")));

            assertThatThrownBy(() -> sink.write(List.of(TestEvents.insert(1), TestEvents.insert(2))))
                    .isInstanceOf(RetriableSinkException.class)
                    .hasMessage(WHERE + ": no event of the batch was acknowledged: topic 'shop.public.orders':"
                            + " Kafka did not answer in time (Expiring 2 record(s))");
        }

        @Test
        void authorizationErrorStopsTheSinkNamingPipelineTableLsnAndTopic() throws Exception {
            KafkaSink sink = opened(ScriptedProducer.failingAtAck(forId(2,
                    new TopicAuthorizationException("Not authorized to access topics: [shop.public.orders]"))));

            SinkException failure = catchThrowableOfType(SinkException.class,
                    () -> sink.write(List.of(TestEvents.insert(1), TestEvents.insert(2))));

            assertThat(failure).isNotInstanceOf(RetriableSinkException.class);
            assertThat(failure).hasMessage(WHERE + ": cannot write public.orders insert key={id=2} lsn=0/16B3748:"
                    + " topic 'shop.public.orders': not authorized to write to the topic"
                    + " (Not authorized to access topics: [shop.public.orders])");
        }

        @Test
        void sendFailingAtOnceTransientlyLeavesTheRestOfTheBatchUnsentAndRetriable() throws Exception {
            ScriptedProducer producer = ScriptedProducer.failingAtSend(forId(2,
                    new org.apache.kafka.common.errors.TimeoutException(
                            "Topic shop.public.orders not present in metadata after 60000 ms.")));
            KafkaSink sink = opened(producer);

            WriteResult result = sink.write(List.of(TestEvents.insert(1), TestEvents.insert(2), TestEvents.insert(3)));

            assertThat(producer.history()).extracting(KafkaSinkTest::describe).containsExactly("{\"id\":1}=c");
            assertThat(result.failures()).extracting(EventFailure::index).containsExactly(1, 2);
            assertThat(result.failures()).allMatch(EventFailure::retriable);
            assertThat(result.failures().get(1).reason())
                    .startsWith("not sent because an earlier record failed: topic 'shop.public.orders'");
        }

        @Test
        void sendRefusedAtOnceForOneRecordDoesNotStopTheBatch() throws Exception {
            ScriptedProducer producer = ScriptedProducer.failingAtSend(forId(2,
                    new RecordTooLargeException("The message is 2000000 bytes when serialized")));
            KafkaSink sink = opened(producer);

            WriteResult result = sink.write(List.of(TestEvents.insert(1), TestEvents.insert(2), TestEvents.insert(3)));

            assertThat(producer.history()).extracting(KafkaSinkTest::describe)
                    .containsExactly("{\"id\":1}=c", "{\"id\":3}=c");
            assertThat(result.failures()).extracting(EventFailure::index, EventFailure::retriable)
                    .containsExactly(tuple(1, false));
        }

        @Test
        void eventThatCannotBeMappedStopsTheSinkBeforeAnythingIsSent() throws Exception {
            ScriptedProducer producer = ScriptedProducer.acknowledging();
            KafkaSink sink = opened(producer);
            ChangeEvent unencodable = TestEvents.insert(ORDERS, 2, columns("id", 2, "ref", UUID.randomUUID()));

            assertThatThrownBy(() -> sink.write(List.of(TestEvents.insert(1), unencodable)))
                    .isExactlyInstanceOf(SinkException.class)
                    .hasMessageStartingWith(WHERE + ": cannot write public.orders insert key={id=2}")
                    .hasMessageContaining("java.util.UUID");
            assertThat(producer.history()).isEmpty();
        }

        @Test
        void writeBeforeOpenIsAProgrammingError() {
            KafkaSink sink = sink(new FakeKafkaClients(ScriptedProducer.acknowledging()));

            assertThatThrownBy(() -> sink.write(List.of(TestEvents.insert(1))))
                    .isInstanceOf(IllegalStateException.class);
        }

        private Function<ProducerRecord<byte[], byte[]>, RuntimeException> forId(long id, RuntimeException error) {
            String key = "{\"id\":" + id + "}";
            return record -> new String(record.key(), StandardCharsets.UTF_8).equals(key) ? error : null;
        }
    }

    @Nested
    class Close {

        @Test
        void closeIsIdempotentAndClosesTheProducerOnce() throws Exception {
            ScriptedProducer producer = ScriptedProducer.acknowledging();
            KafkaSink sink = opened(producer);

            sink.close();
            sink.close();

            assertThat(producer.closed()).isTrue();
            assertThat(producer.closeCalls()).isEqualTo(1);
        }

        @Test
        void closeDoesNotThrowWhenTheProducerFailsToClose() throws Exception {
            ScriptedProducer producer = ScriptedProducer.acknowledging();
            producer.closeException = new KafkaException("Failed to close kafka producer");
            KafkaSink sink = opened(producer);

            sink.close();

            assertThat(producer.closeCalls()).isEqualTo(1);
        }

        @Test
        void closeOfASinkNeverOpenedDoesNothing() {
            sink(new FakeKafkaClients(ScriptedProducer.acknowledging())).close();
        }

        @Test
        void closeDuringWriteAbortsTheWrite() throws Exception {
            KafkaSink[] sink = new KafkaSink[1];
            ScriptedProducer producer = new ScriptedProducer(record -> null, record -> null, () -> sink[0].close());
            sink[0] = opened(producer);

            assertThatThrownBy(() -> sink[0].write(List.of(TestEvents.insert(1))))
                    .isInstanceOf(InterruptedException.class)
                    .hasMessageContaining("closed while writing");
        }

        @Test
        void writeAfterCloseIsInterrupted() throws Exception {
            KafkaSink sink = opened(ScriptedProducer.acknowledging());
            sink.close();

            assertThatThrownBy(() -> sink.write(List.of(TestEvents.insert(1))))
                    .isInstanceOf(InterruptedException.class);
        }
    }

    private static KafkaSinkConfig config(Map<String, String> producer) {
        return new KafkaSinkConfig("localhost:9092", "{database}.{schema}.{table}", true, producer);
    }

    private static KafkaSink sink(FakeKafkaClients clients) {
        return new KafkaSink("orders", config(Map.of()), clients, Duration.ofSeconds(10));
    }

    private static KafkaSink opened(ScriptedProducer producer) throws Exception {
        KafkaSink sink = sink(new FakeKafkaClients(producer));
        sink.open();
        return sink;
    }

    private static String describe(ProducerRecord<byte[], byte[]> record) {
        String key = new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null) {
            return key + "=tombstone";
        }
        return key + "=" + new String(record.headers().lastHeader(KafkaRecordMapper.OP).value(),
                StandardCharsets.UTF_8);
    }
}
