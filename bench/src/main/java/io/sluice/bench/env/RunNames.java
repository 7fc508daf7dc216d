package io.sluice.bench.env;

/**
 * The names a run's events go to, unique per run ({@code r<n>}) so that no run sees another's topic, index or keys,
 * and a topic deleted by an earlier run is never created again under the same name while Kafka still deletes it.
 *
 * @param prefix {@code r<n>}
 */
public record RunNames(String prefix) {

    public static RunNames of(int run) {
        return new RunNames("r" + run);
    }

    public String topicTemplate() {
        return prefix + ".{schema}.{table}";
    }

    public String topic() {
        return prefix + ".public." + BenchDatabase.TABLE;
    }

    public String indexTemplate() {
        return prefix + "_{table}";
    }

    public String index() {
        return prefix + "_" + BenchDatabase.TABLE;
    }

    public String redisKeyTemplate() {
        return prefix + ":{table}:{key}";
    }

    /** The Redis key of the row with primary key {@code id}. */
    public String redisKey(long id) {
        return prefix + ":" + BenchDatabase.TABLE + ":" + id;
    }
}
