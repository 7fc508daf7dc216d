package io.sluice.sink.kafka;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A MockProducer whose outcome per record is decided by the test: an error thrown by {@code send} (as Kafka does for
 * some errors), or an error or acknowledgement delivered at {@code flush}, like a broker answering. Only for tests of
 * the sink's own logic; broker behaviour is tested against a real server in it-tests.
 */
final class ScriptedProducer extends MockProducer<byte[], byte[]> {
    private final Function<ProducerRecord<byte[], byte[]>, RuntimeException> atSend;
    private final Function<ProducerRecord<byte[], byte[]>, RuntimeException> atAck;
    private final Runnable duringFlush;
    private int completed;
    private int closeCalls;

    ScriptedProducer(Function<ProducerRecord<byte[], byte[]>, RuntimeException> atSend,
            Function<ProducerRecord<byte[], byte[]>, RuntimeException> atAck, Runnable duringFlush) {
        super(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        this.atSend = atSend;
        this.atAck = atAck;
        this.duringFlush = duringFlush;
    }

    /** Acknowledges everything. */
    static ScriptedProducer acknowledging() {
        return failingAtAck(record -> null);
    }

    static ScriptedProducer failingAtAck(Function<ProducerRecord<byte[], byte[]>, RuntimeException> atAck) {
        return new ScriptedProducer(record -> null, atAck, () -> { });
    }

    static ScriptedProducer failingAtSend(Function<ProducerRecord<byte[], byte[]>, RuntimeException> atSend) {
        return new ScriptedProducer(atSend, record -> null, () -> { });
    }

    @Override
    public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        RuntimeException error = atSend.apply(record);
        if (error != null) {
            throw error;
        }
        return super.send(record, callback);
    }

    @Override
    public synchronized void flush() {
        duringFlush.run();
        List<ProducerRecord<byte[], byte[]>> sent = history();
        while (completed < sent.size()) {
            ProducerRecord<byte[], byte[]> record = sent.get(completed++);
            // What a real producer does to records still pending when it is closed with a short timeout.
            RuntimeException error = closed() ? new KafkaException("Producer is closed forcefully.") : atAck.apply(record);
            if (error == null) {
                completeNext();
            } else {
                errorNext(error);
            }
        }
    }

    @Override
    public void close(Duration timeout) {
        closeCalls++;
        super.close(timeout);
    }

    int closeCalls() {
        return closeCalls;
    }
}
