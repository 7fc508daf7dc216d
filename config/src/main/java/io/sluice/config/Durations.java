package io.sluice.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads durations as people write them: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 1d}. */
final class Durations {

    static final String FORMS = "a duration such as 500ms, 10s, 2m, 1h or PT10S";

    private static final Pattern SHORT_FORM = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    /**
     * What {@link #parse} accepts, as a JSON Schema (ECMA-262) pattern for editors. It is looser in one way only:
     * an ISO-8601 form without any amount ({@code P}, {@code PT}) matches but does not parse.
     */
    static final String SCHEMA_PATTERN = "^[0-9]+(ms|s|m|h|d)$"
            + "|^[-+]?[Pp](?:[-+]?[0-9]+[Dd])?(?:[Tt](?:[-+]?[0-9]+[Hh])?(?:[-+]?[0-9]+[Mm])?"
            + "(?:[-+]?[0-9]+(?:[.,][0-9]{0,9})?[Ss])?)?$";

    private Durations() {
    }

    /** The duration, or null when the text is neither the short form nor ISO-8601 ({@code PT1M30S}). */
    static Duration parse(String text) {
        Matcher shortForm = SHORT_FORM.matcher(text);
        try {
            if (shortForm.matches()) {
                long amount = Long.parseLong(shortForm.group(1));
                return switch (shortForm.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    default -> Duration.ofDays(amount);
                };
            }
            return text.matches("[-+]?[Pp].*") ? Duration.parse(text) : null;
        } catch (NumberFormatException | ArithmeticException | DateTimeParseException e) {
            // Too many digits or out of Duration's range: as unusable as text in the wrong form.
            return null;
        }
    }

    /** The short form in the largest unit that is exact ({@code 24h}, not {@code 1d}); ISO-8601 when none is. */
    static String format(Duration duration) {
        if (duration.isNegative()) {
            return duration.toString();
        }
        long millis = duration.toMillis();
        if (!Duration.ofMillis(millis).equals(duration)) {
            return duration.toString();
        }
        if (millis != 0 && millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis != 0 && millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }
}
