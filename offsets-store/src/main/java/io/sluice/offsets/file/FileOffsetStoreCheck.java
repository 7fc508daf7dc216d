package io.sluice.offsets.file;

import io.sluice.config.offsets.FileOffsetStoreConfig;
import io.sluice.engine.check.Finding;
import io.sluice.engine.check.Findings;
import io.sluice.engine.check.ServerCheck;
import io.sluice.engine.offset.OffsetStoreException;
import io.sluice.engine.offset.PipelineId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code sluice check} for a {@code file} offset store: an existing file is read as the store reads it, and its
 * directory (or the nearest existing one above it) must be writable, since every save writes a temporary file beside
 * it and renames it. Checked as the user running the check. Creates nothing.
 */
public final class FileOffsetStoreCheck implements ServerCheck {
    private final String pipeline;
    private final Path file;

    public FileOffsetStoreCheck(String pipeline, FileOffsetStoreConfig config) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.file = config.path().toAbsolutePath().normalize();
    }

    @Override
    public String subject() {
        return "offsets file " + file;
    }

    @Override
    public List<Finding> run() {
        Findings findings = new Findings(pipeline, subject());
        Path dir = file.getParent();
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing)) {
            findings.error("no directory above " + file + " exists", "set offsets.file to a path in a directory");
        } else if (!Files.isWritable(existing)) {
            findings.error("directory " + existing + " is not writable by this user, so "
                    + (existing.equals(dir) ? "offsets cannot be saved there" : dir + " cannot be created"),
                    "make it writable for the user Sluice runs as, or set offsets.file elsewhere");
        } else if (existing.equals(dir)) {
            findings.ok("directory " + dir + " is writable");
        } else {
            findings.ok("directory " + dir + " does not exist yet; Sluice creates it (" + existing
                    + " is writable)");
        }
        if (!Files.exists(file)) {
            findings.ok("the file does not exist yet; Sluice creates it with the first offsets");
            return findings.list();
        }
        if (!Files.isRegularFile(file)) {
            findings.error(file + " is not a regular file", "set offsets.file to a file's path");
            return findings.list();
        }
        try {
            Optional<Instant> savedAt = new FileOffsetStore(file, Clock.systemUTC()).savedAt(new PipelineId(pipeline));
            findings.ok("the file holds the pipeline's offsets" + savedAt.map(t -> ", saved " + t).orElse(""));
        } catch (OffsetStoreException e) {
            findings.error(e.getMessage(), null);
        }
        return findings.list();
    }
}
