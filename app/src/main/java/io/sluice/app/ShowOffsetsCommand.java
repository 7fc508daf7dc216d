package io.sluice.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.config.PipelineConfig;
import io.sluice.config.SluiceConfig;
import io.sluice.engine.offset.OffsetStoreException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice offsets show}: each pipeline's stored position next to its replication slot's. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = {"Print each pipeline's stored offsets and the state of its replication slot.",
            "Reads only; works while pipelines run, and prints the stored part when the source is unreachable."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:printed",
            "2:invalid command line or configuration, or no such pipeline",
            "3:the offsets of a pipeline could not be read (its store is unreachable or damaged)"})
final class ShowOffsetsCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Pipelines YAML file.")
    Path config;

    @Option(names = {"-p", "--pipeline"}, paramLabel = "NAME", description = "Only this pipeline (default: all).")
    String pipeline;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws JsonProcessingException {
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
        int exit = Main.EXIT_OK;
        ArrayNode pipelines = OffsetsReport.mapper().createArrayNode();
        String separator = "";
        for (PipelineConfig pipelineConfig : selected.get()) {
            try {
                PipelineOffsets offsets = PipelineOffsets.read(pipelineConfig);
                if (json) {
                    pipelines.add(OffsetsReport.json(offsets, config.toString()));
                } else {
                    out.print(separator + OffsetsReport.text(offsets, config.toString()));
                }
            } catch (OffsetStoreException e) {
                exit = Main.EXIT_START_FAILED;
                String message = "pipeline '" + pipelineConfig.name() + "': cannot read its offsets: " + e.getMessage();
                if (json) {
                    pipelines.add(OffsetsReport.jsonFailure(pipelineConfig.name(), message));
                } else {
                    out.print(separator);
                    err.println("sluice: " + message);
                }
            }
            separator = "\n";
        }
        if (json) {
            ObjectNode root = OffsetsReport.mapper().createObjectNode();
            root.set("pipelines", pipelines);
            out.println(OffsetsReport.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root));
        }
        out.flush();
        return exit;
    }
}
