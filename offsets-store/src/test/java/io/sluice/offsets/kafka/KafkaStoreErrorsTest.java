package io.sluice.offsets.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class KafkaStoreErrorsTest {

    @Test
    void timeoutInsideAFutureIsExplainedInPlainWords() {
        ExecutionException failed = new ExecutionException(
                new TimeoutException("Expiring 1 record(s) for sluice-offsets-0: 3001 ms has passed since batch creation"));

        assertThat(KafkaStoreErrors.explain(failed, text -> text)).isEqualTo("Kafka did not answer in time"
                + " (Expiring 1 record(s) for sluice-offsets-0: 3001 ms has passed since batch creation)");
    }

    @Test
    void wrappedReasonIsFollowedAndSecretsAreMasked() {
        KafkaException failed = new KafkaException("Failed to construct kafka producer.",
                new KafkaException("Could not load login module with password hunter22"));

        assertThat(KafkaStoreErrors.explain(failed, text -> text.replace("hunter22", "******")))
                .isEqualTo("Failed to construct kafka producer: Could not load login module with password ******");
    }
}
