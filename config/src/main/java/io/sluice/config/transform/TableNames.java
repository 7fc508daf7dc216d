package io.sluice.config.transform;

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Table and column patterns as written in the configuration: {@code schema.table} (or {@code schema.table.column}),
 * where {@code *} matches any characters.
 */
public final class TableNames {
    private TableNames() {
    }

    /** A test of {@code schema.table} names against the pattern. */
    public static Predicate<String> matcher(String pattern) {
        Pattern compiled = Pattern.compile(regex(pattern));
        return name -> compiled.matcher(name).matches();
    }

    /** A test of {@code schema.table} names against several patterns: true when any of them matches. */
    public static Predicate<String> anyMatcher(List<String> patterns) {
        Pattern compiled = Pattern.compile(patterns.stream().map(TableNames::regex).collect(Collectors.joining("|")));
        return name -> compiled.matcher(name).matches();
    }

    /** The pattern as a regular expression over whole names, e.g. for Debezium's include and exclude lists. */
    public static String regex(String pattern) {
        return Arrays.stream(pattern.split("\\*", -1)).map(Pattern::quote).collect(Collectors.joining(".*"));
    }
}
