package io.sluice.it.helm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names and labels of docs/metrics.md, the one list dashboards and alerts may query, and a check of PromQL
 * expressions against it.
 */
record MetricsContract(Map<String, Metric> metrics) {

    /** Labels Prometheus adds to every scraped series. */
    static final Set<String> TARGET_LABELS = Set.of("job", "instance", "namespace", "pod", "container", "service",
            "endpoint");

    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([a-zA-Z_:][a-zA-Z0-9_:]*)`\\s*\\|\\s*(\\w+)\\s*\\|([^|]*)\\|");
    private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");
    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((.*),\\s*(\\w+)\\s*\\)\\s*$");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w$.])[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Set<String> PROMQL_WORDS = Set.of("sum", "min", "max", "avg", "count", "stddev", "topk",
            "bottomk", "quantile", "rate", "irate", "increase", "delta", "idelta", "deriv", "histogram_quantile",
            "abs", "clamp_min", "clamp_max", "time", "vector", "scalar", "absent", "max_over_time", "min_over_time",
            "avg_over_time", "and", "or", "unless", "bool", "offset", "label_values", "by", "without", "on",
            "ignoring", "group_left", "group_right");

    record Metric(String name, String type, Set<String> labels) {

        /** The series names Prometheus exposes for this metric. */
        Set<String> series() {
            return switch (type) {
                case "histogram" -> Set.of(name + "_bucket", name + "_count", name + "_sum", name + "_max");
                case "summary" -> Set.of(name + "_count", name + "_sum", name + "_max");
                default -> Set.of(name);
            };
        }
    }

    static MetricsContract read(Path markdown) throws IOException {
        Map<String, Metric> metrics = new LinkedHashMap<>();
        for (String line : Files.readAllLines(markdown)) {
            Matcher row = ROW.matcher(line);
            if (row.find()) {
                Set<String> labels = new HashSet<>();
                Matcher label = BACKTICKED.matcher(row.group(3));
                while (label.find()) {
                    labels.add(label.group(1));
                }
                metrics.put(row.group(1), new Metric(row.group(1), row.group(2), Set.copyOf(labels)));
            }
        }
        if (metrics.isEmpty()) {
            throw new IllegalStateException(markdown + " has no metric table rows like | `name` | type | labels |");
        }
        return new MetricsContract(metrics);
    }

    /** The contract metric a series name belongs to; null when it belongs to none. */
    Metric metricOf(String series) {
        return metrics.values().stream().filter(metric -> metric.series().contains(series)).findFirst().orElse(null);
    }

    /** The contract series an expression reads. */
    Set<String> seriesIn(String expression) {
        Set<String> series = new HashSet<>();
        Matcher identifier = IDENTIFIER.matcher(withoutLabels(expression));
        while (identifier.find()) {
            if (!PROMQL_WORDS.contains(identifier.group())) {
                series.add(identifier.group());
            }
        }
        return series;
    }

    /**
     * What an expression (a panel query, or a template variable's {@code label_values(...)}) reads outside the
     * contract: series names it does not list, and labels those series do not have.
     */
    List<String> problemsOf(String expression) {
        List<String> problems = new ArrayList<>();
        Set<String> groupingLabels = new HashSet<>();
        String text = expression.replaceAll("\\[[^\\]]*]", " ");
        Matcher labelValues = LABEL_VALUES.matcher(text);
        if (labelValues.matches()) {
            text = labelValues.group(1);
            groupingLabels.add(labelValues.group(2));
        }

        Set<String> labelsOfSeries = new HashSet<>(TARGET_LABELS);
        for (String series : seriesIn(text)) {
            Metric metric = metricOf(series);
            if (metric == null) {
                problems.add("series " + series + " is not in docs/metrics.md");
            } else {
                labelsOfSeries.addAll(allowedLabels(metric, series));
            }
        }
        Matcher selector = SELECTOR.matcher(text);
        while (selector.find()) {
            Metric metric = metricOf(selector.group(1));
            Matcher matcher = MATCHER.matcher(selector.group(2).replaceAll("\"[^\"]*\"", "\"\""));
            while (metric != null && matcher.find()) {
                if (!allowedLabels(metric, selector.group(1)).contains(matcher.group(1))) {
                    problems.add(selector.group(1) + " has no label " + matcher.group(1));
                }
            }
        }
        Matcher grouping = GROUPING.matcher(text.replaceAll("\\{[^}]*}", ""));
        while (grouping.find()) {
            for (String label : grouping.group(2).split(",")) {
                if (!label.isBlank()) {
                    groupingLabels.add(label.trim());
                }
            }
        }
        groupingLabels.stream().filter(label -> !labelsOfSeries.contains(label))
                .forEach(label -> problems.add("no series of the expression has the label " + label));
        return problems;
    }

    private static Set<String> allowedLabels(Metric metric, String series) {
        Set<String> labels = new HashSet<>(metric.labels());
        labels.addAll(TARGET_LABELS);
        if (series.endsWith("_bucket")) {
            labels.add("le");
        }
        return labels;
    }

    /** The expression without label matchers, strings, grouping clauses and $variables: names and operators. */
    private static String withoutLabels(String expression) {
        return GROUPING.matcher(expression.replaceAll("\\{[^}]*}", " ").replaceAll("\"[^\"]*\"", " "))
                .replaceAll(" ")
                .replaceAll("\\[[^\\]]*]", " ")
                .replaceAll("\\$\\{?\\w+}?", " ");
    }
}
