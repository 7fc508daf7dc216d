package io.sluice.config.transform;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A row filter: a small predicate language over a row's column values, parsed by {@link RowFilterParser}.
 * <pre>
 *   status = 'paid' and amount &gt;= 100
 *   not (region in ('eu', 'uk')) or vip = true
 *   deleted_at is null
 * </pre>
 * Comparisons follow SQL: a null column value makes any comparison false ({@code is null} tests for it). Numbers
 * compare as numbers, also when the column's value is text holding a number (numeric columns in string mode);
 * everything else compares as text, which orders ISO-8601 timestamps of one column correctly.
 */
public sealed interface RowFilter {

    /** @param columns a row's value by column name; null for a null or absent column */
    boolean test(Function<String, Object> columns);

    /** The columns the filter reads. */
    List<String> columns();

    /** A literal of the language: text, a number or a boolean. */
    record Literal(Object value) {
        public Literal {
            Objects.requireNonNull(value, "value");
        }

        /** Negative, zero or positive as the column value orders before, equal to or after this literal; null when they cannot be compared. */
        Integer compareFrom(Object columnValue) {
            if (value instanceof BigDecimal number) {
                BigDecimal other = asNumber(columnValue);
                return other == null ? null : other.compareTo(number);
            }
            if (value instanceof Boolean flag) {
                Boolean other = columnValue instanceof Boolean b ? b
                        : "true".equals(columnValue) ? Boolean.TRUE : "false".equals(columnValue) ? Boolean.FALSE : null;
                return other == null ? null : Boolean.compare(other, flag);
            }
            return columnValue.toString().compareTo((String) value);
        }

        private static BigDecimal asNumber(Object value) {
            if (value instanceof BigDecimal d) {
                return d;
            }
            if (value instanceof Integer || value instanceof Long || value instanceof Short) {
                return BigDecimal.valueOf(((Number) value).longValue());
            }
            if (value instanceof Double || value instanceof Float) {
                double d = ((Number) value).doubleValue();
                return Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
            }
            if (value instanceof String text) {
                try {
                    return new BigDecimal(text);
                } catch (NumberFormatException e) {
                    return null;
                }
            }
            return null;
        }
    }

    /** {@code column op literal}. */
    record Comparison(String column, Operator operator, Literal literal) implements RowFilter {
        @Override
        public boolean test(Function<String, Object> columns) {
            Object value = columns.apply(column);
            if (value == null) {
                return false;
            }
            Integer order = literal.compareFrom(value);
            return order != null && operator.holds(order);
        }

        @Override
        public List<String> columns() {
            return List.of(column);
        }
    }

    /** {@code column [not] in (literal, ...)}. */
    record In(String column, List<Literal> literals, boolean negated) implements RowFilter {
        public In {
            literals = List.copyOf(literals);
        }

        @Override
        public boolean test(Function<String, Object> columns) {
            Object value = columns.apply(column);
            if (value == null) {
                return false;
            }
            boolean found = literals.stream().anyMatch(l -> Integer.valueOf(0).equals(l.compareFrom(value)));
            return found != negated;
        }

        @Override
        public List<String> columns() {
            return List.of(column);
        }
    }

    /** {@code column is [not] null}. */
    record IsNull(String column, boolean negated) implements RowFilter {
        @Override
        public boolean test(Function<String, Object> columns) {
            return (columns.apply(column) == null) != negated;
        }

        @Override
        public List<String> columns() {
            return List.of(column);
        }
    }

    record And(RowFilter left, RowFilter right) implements RowFilter {
        @Override
        public boolean test(Function<String, Object> columns) {
            return left.test(columns) && right.test(columns);
        }

        @Override
        public List<String> columns() {
            return java.util.stream.Stream.concat(left.columns().stream(), right.columns().stream()).distinct().toList();
        }
    }

    record Or(RowFilter left, RowFilter right) implements RowFilter {
        @Override
        public boolean test(Function<String, Object> columns) {
            return left.test(columns) || right.test(columns);
        }

        @Override
        public List<String> columns() {
            return java.util.stream.Stream.concat(left.columns().stream(), right.columns().stream()).distinct().toList();
        }
    }

    record Not(RowFilter operand) implements RowFilter {
        @Override
        public boolean test(Function<String, Object> columns) {
            return !operand.test(columns);
        }

        @Override
        public List<String> columns() {
            return operand.columns();
        }
    }

    enum Operator {
        EQ("="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">=");

        private final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }

        String symbol() {
            return symbol;
        }

        boolean holds(int order) {
            return switch (this) {
                case EQ -> order == 0;
                case NE -> order != 0;
                case LT -> order < 0;
                case LE -> order <= 0;
                case GT -> order > 0;
                case GE -> order >= 0;
            };
        }
    }
}
