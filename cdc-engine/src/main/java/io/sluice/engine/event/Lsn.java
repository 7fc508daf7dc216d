package io.sluice.engine.event;

import java.util.regex.Pattern;

/** PostgreSQL log sequence numbers in their usual text form, {@code 16/B374D848}. */
public final class Lsn {
    /** Two 32-bit halves in hex, as PostgreSQL prints them ({@code pg_lsn}'s text form). */
    private static final Pattern TEXT = Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");
    /** A decimal LSN, as Debezium stores it; at most 19 digits so it fits a long before the range check. */
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,19}");

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Lsn() {
    }

    /** The text form; every event carries two of them, so it is written into one array, not built from strings. */
    public static String format(long lsn) {
        char[] text = new char[17];
        int end = hex(text, 0, lsn >>> 32);
        text[end++] = '/';
        end = hex(text, end, lsn & 0xFFFFFFFFL);
        return new String(text, 0, end);
    }

    /** A 32-bit value in upper-case hex without leading zeros; returns the end. */
    private static int hex(char[] text, int start, long value) {
        int digits = Math.max(1, (32 - Integer.numberOfLeadingZeros((int) value) + 3) / 4);
        for (int i = digits - 1; i >= 0; i--) {
            text[start + i] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
        return start + digits;
    }

    /** Parses PostgreSQL's text form, {@code 16/B374D848}. */
    public static long parse(String text) {
        if (text == null || !TEXT.matcher(text).matches()) {
            throw new IllegalArgumentException("not an LSN (expected e.g. 16/B374D848): " + text);
        }
        int slash = text.indexOf('/');
        long high = Long.parseLong(text.substring(0, slash), 16);
        long low = Long.parseLong(text.substring(slash + 1), 16);
        return (high << 32) | low;
    }

    /**
     * Parses an LSN written either as PostgreSQL prints it ({@code 16/B374D848}) or as the decimal number Debezium
     * stores ({@code 97500387400}).
     */
    public static long parseTextOrNumber(String text) {
        String trimmed = text == null ? "" : text.strip();
        if (TEXT.matcher(trimmed).matches()) {
            return parse(trimmed);
        }
        if (DECIMAL.matcher(trimmed).matches()) {
            try {
                return Long.parseLong(trimmed);
            } catch (NumberFormatException tooLarge) {
                // Falls through to the message below: no PostgreSQL LSN is that large.
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not an LSN: write it as PostgreSQL prints it"
                + " (e.g. 16/B374D848) or as a decimal number (e.g. 97500387400)");
    }
}
