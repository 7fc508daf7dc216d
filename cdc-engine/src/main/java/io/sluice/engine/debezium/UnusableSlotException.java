package io.sluice.engine.debezium;

import io.sluice.engine.PipelineException;
import java.util.Objects;

/**
 * A pipeline cannot start because its replication slot is missing, invalidated or not Sluice's. The message says
 * what happened and how to recover; {@link #messageFor} puts the real configuration file into the recovery command.
 */
public final class UnusableSlotException extends PipelineException {
    /** Stands for the configuration file in {@link #getMessage()}, where the file is not known. */
    static final String CONFIG_PLACEHOLDER = "<config file>";

    private final String pipeline;
    private final String problem;
    private final String detail;
    private final String dropSlotSql;
    private final boolean resetOffsets;
    private final String afterwards;

    /**
     * @param subject      names pipeline, slot and server, e.g. {@code pipeline 'orders': replication slot 's' on ...}
     * @param detail       what is wrong with it, as the rest of the sentence (e.g. {@code is a physical slot; ...})
     * @param dropSlotSql  the statement that drops the slot, when recovering needs it; else {@code null}
     * @param resetOffsets whether recovering needs the stored offsets cleared
     * @param afterwards   what to do or know once the steps are done
     */
    UnusableSlotException(String pipeline, String subject, String detail, String dropSlotSql, boolean resetOffsets,
            String afterwards) {
        super(compose(pipeline, subject + " " + detail, dropSlotSql, resetOffsets, afterwards, CONFIG_PLACEHOLDER));
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.problem = subject + " " + Objects.requireNonNull(detail, "detail");
        this.detail = detail;
        this.dropSlotSql = dropSlotSql;
        this.resetOffsets = resetOffsets;
        this.afterwards = afterwards;
    }

    /** What is wrong with the slot, without the pipeline, slot and server the message starts with. */
    public String detail() {
        return detail;
    }

    /** The statement that drops the slot, when recovering needs it; else {@code null}. */
    public String dropSlotSql() {
        return dropSlotSql;
    }

    /** Whether recovering needs the stored offsets cleared (the command is {@link #resetCommand}). */
    public boolean resetOffsets() {
        return resetOffsets;
    }

    /** The message, with {@code configFile} in the recovery command. */
    public String messageFor(String configFile) {
        return compose(pipeline, problem, dropSlotSql, resetOffsets, afterwards, configFile);
    }

    /** The command that clears the pipeline's offsets so that its next start snapshots the tables again. */
    public static String resetCommand(String configFile, String pipeline) {
        return "sluice offsets reset --config " + configFile + " --pipeline " + pipeline + " --snapshot";
    }

    private static String compose(String pipeline, String problem, String dropSlotSql, boolean resetOffsets,
            String afterwards, String configFile) {
        StringBuilder message = new StringBuilder(problem);
        if (dropSlotSql != null || resetOffsets) {
            message.append("\nTo recover:");
            if (dropSlotSql != null) {
                message.append("\n  ").append(dropSlotSql);
            }
            if (resetOffsets) {
                message.append("\n  ").append(resetCommand(configFile, pipeline));
            }
        }
        if (afterwards != null) {
            message.append('\n').append(afterwards);
        }
        return message.toString();
    }
}
