package io.sluice.app;

import io.sluice.config.PipelineConfig;
import io.sluice.config.SluiceConfig;
import io.sluice.config.source.SnapshotMode;
import io.sluice.engine.debezium.DebeziumOffsets;
import io.sluice.engine.debezium.ReplicationSlot;
import io.sluice.engine.debezium.ReplicationSlotCheck;
import io.sluice.engine.debezium.StoredPosition;
import io.sluice.engine.debezium.UnusableSlotException;
import io.sluice.engine.event.Lsn;
import io.sluice.engine.offset.OffsetStore;
import io.sluice.engine.offset.OffsetStoreException;
import io.sluice.engine.offset.OffsetStores;
import io.sluice.engine.offset.SourceOffsets;
import java.io.Console;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice offsets reset}: makes a stopped pipeline snapshot again, or resume at a chosen LSN. Refuses while
 * the pipeline runs (its slot is active) and refuses positions PostgreSQL can no longer stream.
 */
@Command(name = "reset", mixinStandardHelpOptions = true,
        description = {"Change where a stopped pipeline resumes: snapshot the tables again, or stream from an LSN.",
            "Prints the offsets it replaces and the command that restores them."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:reset (or nothing to reset)",
            "2:invalid command line or configuration, no such pipeline, or not confirmed (nothing changed)",
            "3:refused, nothing changed: the pipeline is running, the source is unreachable, or PostgreSQL"
                    + " cannot stream from that LSN"})
final class ResetOffsetsCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Pipelines YAML file.")
    Path config;

    @Option(names = {"-p", "--pipeline"}, required = true, paramLabel = "NAME", description = "The pipeline to reset.")
    String pipeline;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
    boolean yes;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Asks the operator; replaced in tests. Empty when there is no one to ask. */
    Function<String, Optional<String>> prompt = ResetOffsetsCommand::askOnConsole;

    /** Where the pipeline should resume: exactly one of the two. */
    static final class Target {
        @Option(names = "--snapshot", required = true,
                description = "Clear the stored offsets: the next start snapshots every table again.")
        boolean snapshot;

        @Option(names = "--to-lsn", required = true, paramLabel = "LSN", converter = LsnConverter.class,
                description = "Resume streaming at LSN (16/B374D848 or decimal): transactions that commit at or"
                        + " after it are delivered, earlier ones are not.")
        Long lsn;
    }

    /** Accepts PostgreSQL's form and Debezium's decimal form. */
    static final class LsnConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Lsn.parseTextOrNumber(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Why a reset is not done; the message is for the operator as is. */
    private static final class Refusal extends Exception {
        Refusal(String message) {
            super(message);
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<SluiceConfig> loaded = OffsetsCommand.load(config, err);
        if (loaded.isEmpty()) {
            return Main.EXIT_USAGE;
        }
        Optional<List<PipelineConfig>> selected = OffsetsCommand.select(loaded.get(), config, pipeline, err);
        if (selected.isEmpty()) {
            return Main.EXIT_USAGE;
        }
        PipelineConfig pipelineConfig = selected.get().get(0);
        PipelineOffsets current;
        try {
            current = PipelineOffsets.read(pipelineConfig);
        } catch (OffsetStoreException e) {
            err.println("sluice: pipeline '" + pipeline + "': cannot read its offsets, nothing changed: "
                    + e.getMessage());
            return Main.EXIT_START_FAILED;
        }
        Plan plan;
        try {
            plan = target.snapshot ? planSnapshot(current) : planLsn(current, target.lsn);
        } catch (Refusal e) {
            err.println("sluice: " + e.getMessage());
            return Main.EXIT_START_FAILED;
        }
        out.println(describeCurrent(current));
        out.println(plan.explanation());
        if (plan.offsets().isEmpty()) {
            return Main.EXIT_OK;
        }
        out.flush();
        if (!yes) {
            Optional<String> answer = prompt.apply("Type yes to reset the offsets of pipeline '" + pipeline + "': ");
            if (answer.isEmpty()) {
                err.println("sluice: nothing changed: there is no terminal to confirm on; add --yes to reset");
                return Main.EXIT_USAGE;
            }
            if (!answer.get().strip().equalsIgnoreCase("yes")) {
                err.println("sluice: nothing changed");
                return Main.EXIT_USAGE;
            }
        }
        try (OffsetStore store = OffsetStores.open(pipelineConfig.offsets(), current.source())) {
            store.save(PipelineOffsets.id(pipelineConfig), plan.offsets().get());
        } catch (OffsetStoreException e) {
            err.println("sluice: pipeline '" + pipeline + "': cannot write its offsets: " + e.getMessage());
            return Main.EXIT_START_FAILED;
        }
        out.println(plan.done());
        current.stored().ifPresent(before -> out.println("To undo, before the pipeline starts again: "
                + command("--to-lsn", Lsn.format(before.resumeLsn()))));
        return Main.EXIT_OK;
    }

    /**
     * What the reset writes ({@code offsets}; empty when there is nothing to do) and what it tells the operator
     * before and after.
     */
    private record Plan(Optional<SourceOffsets> offsets, String explanation, String done) {
    }

    private Plan planSnapshot(PipelineOffsets current) throws Refusal {
        ReplicationSlot slot = requireStoppedSlot(current);
        StringBuilder text = new StringBuilder();
        boolean never = current.source().snapshot() == SnapshotMode.NEVER;
        String dropFirst = slot.isInvalidated() ? "\nThe slot is invalidated and cannot stream: drop it before the"
                + " next start (the start creates a new one):\n  "
                + ReplicationSlotCheck.dropStatement(slot.name(), current.source()) : "";
        if (current.stored().isEmpty()) {
            return new Plan(Optional.empty(), "Nothing to reset: pipeline '" + pipeline + "' has no stored offsets."
                    + (never ? " With snapshot: never, its next start streams without a snapshot."
                            : " Its next start snapshots the tables.") + dropFirst, "");
        }
        if (never) {
            text.append("WARNING: pipeline '").append(pipeline).append("' is configured with snapshot: never, so"
                    + " with its offsets cleared it re-reads nothing: the next start streams only the changes made"
                    + " from then on (from the slot's confirmed position if the slot exists). To copy the tables"
                    + " again, set source.postgres.snapshot: initial in ").append(config)
                    .append(" before starting.\n");
        } else {
            text.append("The stored offsets are cleared: the next start snapshots every captured table again,"
                    + " sending every current row (op=r) to the sinks, which write them idempotently, then streams"
                    + " the changes made after the snapshot began. Rows inserted or updated while the pipeline was"
                    + " stopped are in the snapshot; rows deleted meanwhile are not, and no delete reaches the sinks"
                    + " for them.");
        }
        if (!slot.exists()) {
            text.append("\nThe slot does not exist: the next start creates it.");
        }
        text.append(dropFirst);
        return new Plan(Optional.of(DebeziumOffsets.cleared(PipelineOffsets.id(current.config()), current.offsets())),
                text.toString().strip(), "Reset: pipeline '" + pipeline + "' has no stored offsets now; start it to"
                        + (never ? " stream from the slot's position."
                                : " snapshot the tables again."));
    }

    private Plan planLsn(PipelineOffsets current, long lsn) throws Refusal {
        ReplicationSlot slot = requireStoppedSlot(current);
        String name = "pipeline '" + pipeline + "': ";
        String at = Lsn.format(lsn) + " (" + lsn + ")";
        if (!slot.exists()) {
            throw new Refusal(name + "replication slot '" + slot.name() + "' does not exist on PostgreSQL at "
                    + current.source().address() + ", so no LSN can be streamed: the next start creates a new slot"
                    + " that begins at the server's current position. To read the tables again, reset with"
                    + " --snapshot instead: " + UnusableSlotException.resetCommand(config.toString(), pipeline));
        }
        Optional<UnusableSlotException> problem = current.problem();
        if (problem.isPresent()) {
            throw new Refusal(problem.get().messageFor(config.toString()));
        }
        long confirmed = slot.confirmedFlushLsn();
        if (lsn < confirmed) {
            throw new Refusal(name + "LSN " + at + " is before the confirmed position " + Lsn.format(confirmed)
                    + " of replication slot '" + slot.name() + "': PostgreSQL streams nothing before a slot's"
                    + " confirmed position (the WAL before it may be gone already). To read older data again,"
                    + " snapshot the tables: " + UnusableSlotException.resetCommand(config.toString(), pipeline));
        }
        if (slot.currentWalLsn() != null && lsn > slot.currentWalLsn()) {
            throw new Refusal(name + "LSN " + at + " is beyond the server's current WAL position "
                    + Lsn.format(slot.currentWalLsn()) + "; nothing has been written there yet");
        }
        StringBuilder text = new StringBuilder("The stored offsets are replaced by LSN " + at + ": the next start"
                + " streams the transactions that commit at or after " + Lsn.format(lsn) + ", and none before it.");
        long from = current.stored().map(StoredPosition::resumeLsn).orElse(confirmed);
        if (lsn > from) {
            text.append("\nThis moves FORWARD by ").append(OffsetsReport.bytes(lsn - from)).append(" of WAL:"
                    + " transactions that committed between ").append(Lsn.format(from)).append(" and ")
                    .append(Lsn.format(lsn)).append(" are SKIPPED and never reach the sinks.");
        } else if (lsn < from) {
            text.append("\nThis moves back by ").append(OffsetsReport.bytes(from - lsn)).append(" of WAL: transactions"
                    + " that committed between ").append(Lsn.format(lsn)).append(" and ").append(Lsn.format(from))
                    .append(" are delivered again; the sinks apply them idempotently.");
        }
        if (current.stored().isEmpty()) {
            text.append("\nThe pipeline has no stored offsets, so without this reset its next start would snapshot"
                    + " the tables; with it, it streams from ").append(Lsn.format(lsn)).append(" without a snapshot.");
        } else if (current.stored().get().snapshotInProgress()) {
            text.append("\nThe snapshot that was under way is abandoned: rows it did not read are not sent.");
        }
        return new Plan(Optional.of(DebeziumOffsets.at(PipelineOffsets.id(current.config()), current.offsets(), lsn)),
                text.toString(), "Reset: the next start of pipeline '" + pipeline + "' resumes streaming at "
                        + Lsn.format(lsn) + ".");
    }

    /** The slot, known and not in use; a reset of a pipeline that runs would be overwritten by its next commit. */
    private ReplicationSlot requireStoppedSlot(PipelineOffsets current) throws Refusal {
        if (current.slot() == null) {
            throw new Refusal(current.slotError() + ". Nothing changed: a reset needs the source, to make sure the"
                    + " pipeline is stopped and that PostgreSQL can stream from the new position");
        }
        ReplicationSlot slot = current.slot();
        if (slot.active()) {
            throw new Refusal("pipeline '" + pipeline + "': replication slot '" + slot.name() + "' on PostgreSQL at "
                    + current.source().address() + " is active (PostgreSQL process " + slot.activePid()
                    + " streams from it), so the pipeline is running. Stop it first; offsets can only be reset"
                    + " while the pipeline is stopped. Nothing changed");
        }
        return slot;
    }

    private String describeCurrent(PipelineOffsets current) {
        StringBuilder text = new StringBuilder("Pipeline '" + pipeline + "', offsets in " + current.store() + ".");
        if (current.stored().isEmpty()) {
            text.append("\nStored now: nothing.");
        } else {
            StoredPosition stored = current.stored().get();
            text.append("\nStored now: resume at ").append(OffsetsReport.lsn(stored.resumeLsn()))
                    .append(stored.snapshotInProgress() ? ", with a snapshot under way" : "")
                    .append(". The stored entry, to restore by hand if need be:\n  ").append(stored.key())
                    .append(" = ").append(stored.value());
        }
        ReplicationSlot slot = current.slot();
        if (slot.exists()) {
            text.append("\nReplication slot '").append(slot.name()).append("': confirmed up to ")
                    .append(OffsetsReport.lsn(slot.confirmedFlushLsn())).append(", not active.");
        }
        return text.toString();
    }

    private String command(String... arguments) {
        return "sluice offsets reset --config " + config + " --pipeline " + pipeline + " "
                + String.join(" ", arguments);
    }

    private static Optional<String> askOnConsole(String question) {
        Console console = System.console();
        if (console == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(console.readLine("%s", question));
    }
}
