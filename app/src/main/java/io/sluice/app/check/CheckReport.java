package io.sluice.app.check;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.engine.check.Finding;
import io.sluice.engine.check.Severity;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * How {@code sluice check} prints its findings: one line per finding, in columns (severity, pipeline, server,
 * message, and {@code -- fix: ...} when there is a fix), grouped by pipeline, then a summary line; or the same as
 * JSON. Every text passes through a redaction of the configuration's secrets before it is printed, as a last guard:
 * the checks never put one in a message.
 */
public final class CheckReport {
    static final String FIX = " -- fix: ";
    private static final int SEVERITY_WIDTH = 5;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int pipelineWidth;
    private final UnaryOperator<String> redact;

    /**
     * @param pipelines the names of the pipelines to be reported, to align their column
     * @param redact    masks secrets in a text
     */
    public CheckReport(Collection<String> pipelines, UnaryOperator<String> redact) {
        this.pipelineWidth = pipelines.stream().mapToInt(String::length).max().orElse(0);
        this.redact = redact;
    }

    /** One pipeline's findings as lines, the server column as wide as its longest server. */
    public List<String> lines(List<Finding> findings) {
        int subjectWidth = findings.stream().mapToInt(f -> f.subject().length()).max().orElse(0);
        List<String> lines = new ArrayList<>(findings.size());
        for (Finding finding : findings) {
            lines.add(redact.apply(pad(finding.severity().label(), SEVERITY_WIDTH) + "  "
                    + pad(finding.pipeline(), pipelineWidth) + "  " + pad(finding.subject(), subjectWidth) + "  "
                    + finding.message() + (finding.fix() == null ? "" : FIX + finding.fix())));
        }
        return lines;
    }

    /** E.g. {@code 3 errors, 1 warning (12 ok, 2 skipped)}. */
    public static String summary(List<Finding> findings) {
        long errors = count(findings, Severity.ERROR);
        long warnings = count(findings, Severity.WARN);
        long skipped = count(findings, Severity.SKIP);
        return plural(errors, "error") + ", " + plural(warnings, "warning") + " (" + count(findings, Severity.OK)
                + " ok" + (skipped == 0 ? "" : ", " + skipped + " skipped") + ")";
    }

    /** Whether any finding is an error: the command then exits with 1. */
    public static boolean hasErrors(List<Finding> findings) {
        return count(findings, Severity.ERROR) > 0;
    }

    /** The findings by pipeline as a JSON document, with the summary's counts. */
    public String json(Map<String, List<Finding>> byPipeline) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode pipelines = root.putArray("pipelines");
        List<Finding> all = new ArrayList<>();
        byPipeline.forEach((name, findings) -> {
            ObjectNode pipeline = pipelines.addObject();
            pipeline.put("pipeline", name);
            ArrayNode list = pipeline.putArray("findings");
            for (Finding finding : findings) {
                ObjectNode item = list.addObject();
                item.put("severity", finding.severity().label());
                item.put("subject", redact.apply(finding.subject()));
                item.put("message", redact.apply(finding.message()));
                item.put("fix", finding.fix() == null ? null : redact.apply(finding.fix()));
            }
            all.addAll(findings);
        });
        ObjectNode summary = root.putObject("summary");
        summary.put("errors", count(all, Severity.ERROR));
        summary.put("warnings", count(all, Severity.WARN));
        summary.put("skipped", count(all, Severity.SKIP));
        summary.put("ok", count(all, Severity.OK));
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers is always JSON", e);
        }
    }

    private static long count(List<Finding> findings, Severity severity) {
        return findings.stream().filter(f -> f.severity() == severity).count();
    }

    private static String plural(long n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }
}
