package io.sluice.offsets.file;

import io.sluice.engine.offset.OffsetStore;
import io.sluice.engine.offset.OffsetStoreException;
import io.sluice.engine.offset.OffsetStoreProvider;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/** Creates {@link FileOffsetStore}s for Debezium's engine; the only setting is {@code path}. */
public final class FileOffsetStoreProvider implements OffsetStoreProvider {
    @Override
    public String kind() {
        return "file";
    }

    @Override
    public OffsetStore create(Map<String, String> settings) throws OffsetStoreException {
        String path = settings.get("path");
        if (path == null || path.isBlank()) {
            throw new OffsetStoreException("the file offset store needs a path");
        }
        return new FileOffsetStore(Path.of(path), Clock.systemUTC());
    }
}
