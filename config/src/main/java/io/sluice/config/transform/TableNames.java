package io.sluice.config.transform;

import java.util.Arrays;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Table patterns as written in transforms: {@code schema.table}, where {@code *} matches any characters. */
public final class TableNames {
    private TableNames() {
    }

    /** A test of {@code schema.table} names against the pattern. */
    public static Predicate<String> matcher(String pattern) {
        String regex = Arrays.stream(pattern.split("\\*", -1)).map(Pattern::quote).collect(Collectors.joining(".*"));
        Pattern compiled = Pattern.compile(regex);
        return name -> compiled.matcher(name).matches();
    }
}
