package io.sluice.config.transform;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Which name template a table's events use in one kind of sink: the {@code topic}, {@code index} or {@code key} a
 * transform sets for the table, or else the sink's own. When several transforms of a table set one, the last one
 * written wins, as later transforms apply after earlier ones.
 *
 * <p>Immutable; tables are matched as {@code schema.table}.
 */
public final class Routes {
    /** No per-table templates: every table uses the sink's. */
    public static final Routes NONE = new Routes(List.of());

    private record Route(Predicate<String> tables, String template) {
    }

    private final List<Route> routes;

    private Routes(List<Route> routes) {
        this.routes = routes;
    }

    /**
     * The routes that transforms set with one of their templates.
     *
     * @param template which template, e.g. {@code TransformConfig::topic}; null where a transform sets none
     */
    public static Routes of(List<TransformConfig> transforms, Function<TransformConfig, String> template) {
        List<Route> routes = new ArrayList<>();
        for (TransformConfig transform : transforms) {
            String chosen = template.apply(transform);
            if (chosen != null) {
                routes.add(0, new Route(TableNames.anyMatcher(transform.tables()), chosen));
            }
        }
        return routes.isEmpty() ? NONE : new Routes(List.copyOf(routes));
    }

    /** The template for a table's events, {@code sinkTemplate} when no transform sets one for it. */
    public String templateFor(String schema, String table, String sinkTemplate) {
        String name = schema + "." + table;
        for (Route route : routes) {
            if (route.tables().test(name)) {
                return route.template();
            }
        }
        return sinkTemplate;
    }

    /** Every template the routes name, so that a sink can check them all when it opens. */
    public Set<String> templates() {
        Set<String> templates = new LinkedHashSet<>();
        routes.forEach(route -> templates.add(route.template()));
        return templates;
    }
}
