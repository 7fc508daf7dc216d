package io.sluice.config.deadletter;

import java.nio.file.Path;

/**
 * Dead letters appended to a local file, one JSON object per line, each write flushed to disk before the events
 * count as handled. Written as {@code dead-letter: {file: {path: ...}}}.
 *
 * @param path the file; {@code {pipeline}} is replaced by the pipeline's name, and a relative path is resolved
 *             against the working directory. A lock file beside it ({@code <path>.lock}) keeps a replay and the
 *             running pipeline apart.
 */
public record FileDeadLetterConfig(Path path) implements DeadLetterConfig {

    /** The file of the named pipeline. */
    public Path pathFor(String pipeline) {
        return Path.of(DeadLetterConfig.forPipeline(path.toString(), pipeline));
    }

    @Override
    public String kind() {
        return "file";
    }
}
