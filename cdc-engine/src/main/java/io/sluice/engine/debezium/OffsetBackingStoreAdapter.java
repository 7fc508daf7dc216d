package io.sluice.engine.debezium;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.engine.offset.OffsetStore;
import io.sluice.engine.offset.OffsetStoreException;
import io.sluice.engine.offset.OffsetStores;
import io.sluice.engine.offset.PipelineId;
import io.sluice.engine.offset.SourceOffsets;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.OffsetBackingStore;
import org.apache.kafka.connect.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The offset store Debezium's engine sees. Debezium instantiates it by class name; it opens the real
 * {@link OffsetStore} of the configured kind through {@link OffsetStores} and keeps an
 * in-memory copy so reads never touch the disk or network.
 *
 * <p>The engine calls {@link #set} only when it flushes offsets, and Sluice marks a record processed only after
 * every sink acknowledged it, so whatever reaches the store is safe to resume from.
 */
public final class OffsetBackingStoreAdapter implements OffsetBackingStore {
    private static final Logger LOG = LoggerFactory.getLogger(OffsetBackingStoreAdapter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<ByteBuffer, ByteBuffer> offsets = new HashMap<>();
    private PipelineId pipeline;
    private String kind;
    private Map<String, String> settings;
    private OffsetStore store;

    @Override
    public void configure(WorkerConfig config) {
        Map<String, Object> originals = config.originals();
        Object name = originals.get(OffsetStoreSettings.PIPELINE);
        Object configuredKind = originals.get(OffsetStoreSettings.KIND);
        if (name == null || configuredKind == null) {
            throw new ConnectException("the Sluice offset store adapter needs " + OffsetStoreSettings.PIPELINE
                    + " and " + OffsetStoreSettings.KIND);
        }
        this.pipeline = new PipelineId(name.toString());
        this.kind = configuredKind.toString();
        this.settings = OffsetStoreSettings.read(originals);
    }

    @Override
    public synchronized void start() {
        try {
            store = OffsetStores.open(kind, settings);
            SourceOffsets stored = store.load(pipeline);
            stored.entries().forEach((key, value) -> offsets.put(bytes(key), bytes(value)));
        } catch (OffsetStoreException e) {
            throw new ConnectException(e.getMessage(), e);
        }
    }

    @Override
    public synchronized void stop() {
        if (store != null) {
            store.close();
            store = null;
        }
    }

    @Override
    public synchronized Future<Map<ByteBuffer, ByteBuffer>> get(Collection<ByteBuffer> keys) {
        Map<ByteBuffer, ByteBuffer> result = new HashMap<>();
        for (ByteBuffer key : keys) {
            result.put(key, offsets.get(key));
        }
        return CompletableFuture.completedFuture(result);
    }

    @Override
    public synchronized Future<Void> set(Map<ByteBuffer, ByteBuffer> values, Callback<Void> callback) {
        Map<ByteBuffer, ByteBuffer> next = new HashMap<>(offsets);
        values.forEach((key, value) -> {
            if (value == null) {
                next.remove(key);
            } else {
                next.put(key, value);
            }
        });
        try {
            store.save(pipeline, toSourceOffsets(next));
        } catch (OffsetStoreException | RuntimeException e) {
            // Debezium logs only "Flush of the offsets failed" (the reason is in an exception Sluice's log format
            // leaves out) and tries again at its next flush; say why here, once per failed save.
            LOG.warn("{}; the offsets are saved again at the next flush", e.getMessage());
            // Keep the in-memory view equal to what is durable, so a failed save is retried in full next flush.
            if (callback != null) {
                callback.onCompletion(e, null);
            }
            return CompletableFuture.failedFuture(e);
        }
        offsets.clear();
        offsets.putAll(next);
        if (callback != null) {
            callback.onCompletion(null, null);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized Set<Map<String, Object>> connectorPartitions(String connectorName) {
        Set<Map<String, Object>> partitions = new HashSet<>();
        for (ByteBuffer key : offsets.keySet()) {
            try {
                // Debezium's key format: ["<engine name>", {<partition>}]
                JsonNode node = JSON.readTree(string(key));
                if (node.isArray() && node.size() == 2 && connectorName.equals(node.get(0).asText())) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> partition = JSON.convertValue(node.get(1), Map.class);
                    partitions.add(partition);
                }
            } catch (java.io.IOException e) {
                throw new ConnectException("unreadable offset key in " + store.describe(), e);
            }
        }
        return partitions;
    }

    private static SourceOffsets toSourceOffsets(Map<ByteBuffer, ByteBuffer> values) {
        Map<String, String> entries = new LinkedHashMap<>();
        values.forEach((key, value) -> entries.put(string(key), string(value)));
        return new SourceOffsets(entries);
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String string(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
