package io.sluice.offsets.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;

/** Plain words for a Kafka client's failure: its messages along the cause chain, with secrets masked. */
final class KafkaStoreErrors {
    private static final int MAX_MESSAGES = 4;

    private KafkaStoreErrors() {
    }

    /**
     * E.g. {@code Expiring 1 record(s) for sluice-offsets-0: 3002 ms has passed since batch creation}. A client wraps
     * the real reason ("Failed to construct kafka producer" caused by "No resolvable bootstrap urls..."), so the
     * causes are followed; the text goes through {@code redact} because some client errors quote a setting's value.
     */
    static String explain(Throwable error, UnaryOperator<String> redact) {
        Throwable top = error instanceof ExecutionException && error.getCause() != null ? error.getCause() : error;
        List<String> messages = new ArrayList<>();
        for (Throwable t = top; t != null && messages.size() < MAX_MESSAGES; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message != null && !message.isBlank() && messages.stream().noneMatch(m -> m.contains(message.strip()))) {
                messages.add(message.strip());
            }
            if (!(t instanceof KafkaException)) {
                break;
            }
        }
        String said = redact.apply(messages.isEmpty() ? top.getClass().getSimpleName() : joined(messages));
        return top instanceof TimeoutException ? "Kafka did not answer in time (" + said + ")" : said;
    }

    /** "An I/O error occurred." and "Broken pipe" as "An I/O error occurred: Broken pipe". */
    private static String joined(List<String> messages) {
        StringBuilder text = new StringBuilder();
        for (String message : messages) {
            if (text.length() > 0) {
                if (text.charAt(text.length() - 1) == '.') {
                    text.setLength(text.length() - 1);
                }
                text.append(": ");
            }
            text.append(message);
        }
        return text.toString();
    }
}
