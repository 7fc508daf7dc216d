package io.sluice.config.offsets;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.nio.file.Path;

/**
 * Offsets in a local file, replaced atomically on every write. Written as {@code offsets: {file: PATH}};
 * a relative path is resolved against the working directory.
 */
public record FileOffsetStoreConfig(Path path) implements OffsetStoreConfig {

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static FileOffsetStoreConfig of(String path) {
        return new FileOffsetStoreConfig(path == null ? null : Path.of(path));
    }

    @Override
    public String kind() {
        return "file";
    }
}
