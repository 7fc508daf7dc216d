package io.sluice.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An amount of bytes as people write it: {@code 512MB}, {@code 1GB}, {@code 64KB} or a plain number of bytes.
 * Units are binary (1 KB = 1024 bytes), as PostgreSQL's own settings read them.
 */
public final class ByteSize implements Comparable<ByteSize> {

    static final String FORMS = "a size such as 512MB, 1GB or 1048576 (bytes)";

    private static final Pattern FORM = Pattern.compile("(\\d+)\\s*(B|KB|MB|GB|TB)?", Pattern.CASE_INSENSITIVE);

    /** {@link #FORM} around spaces that {@link #parse} trims, as a JSON Schema (ECMA-262) pattern for editors. */
    static final String SCHEMA_PATTERN = "^\\s*[0-9]+\\s*(?:[KkMmGgTt]?[Bb])?\\s*$";

    private final long bytes;

    private ByteSize(long bytes) {
        this.bytes = bytes;
    }

    public static ByteSize ofBytes(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative size " + bytes);
        }
        return new ByteSize(bytes);
    }

    /** The size, or null when the text is not one of the accepted forms or does not fit in a long. */
    static ByteSize parse(String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            return null;
        }
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        int shift = switch (unit) {
            case "KB" -> 10;
            case "MB" -> 20;
            case "GB" -> 30;
            case "TB" -> 40;
            default -> 0;
        };
        try {
            long amount = Long.parseLong(m.group(1));
            if (amount > (Long.MAX_VALUE >> shift)) {
                return null;
            }
            return new ByteSize(amount << shift);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public long bytes() {
        return bytes;
    }

    @Override
    public int compareTo(ByteSize other) {
        return Long.compare(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteSize other && other.bytes == bytes;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(bytes);
    }

    /** Bytes in binary units with one decimal, as people read disk sizes: {@code 1.5 GB}, {@code 512 B}. */
    public static String readable(long bytes) {
        String[] units = {"B", "KB", "MB", "GB", "TB", "PB"};
        double value = Math.max(0, bytes);
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? (long) value + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** The largest exact binary unit: {@code 1GB}, {@code 1536MB}, {@code 1000B}. */
    @Override
    public String toString() {
        String[] units = {"TB", "GB", "MB", "KB"};
        for (int i = 0; i < units.length; i++) {
            int shift = 40 - 10 * i;
            if (bytes != 0 && bytes % (1L << shift) == 0) {
                return (bytes >> shift) + units[i];
            }
        }
        return bytes + "B";
    }
}
