package io.sluice.config.transform;

import io.sluice.config.transform.RowFilter.Literal;
import io.sluice.config.transform.RowFilter.Operator;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses the {@link RowFilter} language:
 * <pre>
 *   filter     := or
 *   or         := and ("or" and)*
 *   and        := unary ("and" unary)*
 *   unary      := "not" unary | "(" or ")" | test
 *   test       := column (op literal | "is" ["not"] "null" | ["not"] "in" "(" literal ("," literal)* ")")
 *   op         := "=" | "!=" | "&lt;&gt;" | "&lt;" | "&lt;=" | "&gt;" | "&gt;="
 *   column     := name | "quoted name"
 *   literal    := 'text' ('' inside for a quote) | number | true | false
 * </pre>
 * Keywords are case-insensitive; column names are folded to lower case unless quoted, as PostgreSQL does.
 */
public final class RowFilterParser {

    /** The filter cannot be read; {@code position} is 1-based within the filter text. */
    public static final class SyntaxException extends Exception {
        private final int position;

        SyntaxException(String message, int position) {
            super(message);
            this.position = position;
        }

        public int position() {
            return position;
        }
    }

    private enum Kind { NAME, QUOTED_NAME, TEXT, NUMBER, SYMBOL, END }

    private record Token(Kind kind, String text, int position) {
        boolean isKeyword(String keyword) {
            return kind == Kind.NAME && text.toLowerCase(Locale.ROOT).equals(keyword);
        }

        boolean isSymbol(String symbol) {
            return kind == Kind.SYMBOL && text.equals(symbol);
        }

        String shown() {
            return kind == Kind.END ? "the end of the filter" : "\"" + text + "\"";
        }
    }

    private final List<Token> tokens;
    private int next;

    private RowFilterParser(List<Token> tokens) {
        this.tokens = tokens;
    }

    public static RowFilter parse(String text) throws SyntaxException {
        RowFilterParser parser = new RowFilterParser(tokenize(text));
        if (parser.peek().kind() == Kind.END) {
            throw new SyntaxException("the filter is empty", 1);
        }
        RowFilter filter = parser.or();
        Token rest = parser.peek();
        if (rest.kind() != Kind.END) {
            throw new SyntaxException("unexpected " + rest.shown() + "; expected \"and\", \"or\" or the end",
                    rest.position());
        }
        return filter;
    }

    private RowFilter or() throws SyntaxException {
        RowFilter left = and();
        while (peek().isKeyword("or")) {
            next++;
            left = new RowFilter.Or(left, and());
        }
        return left;
    }

    private RowFilter and() throws SyntaxException {
        RowFilter left = unary();
        while (peek().isKeyword("and")) {
            next++;
            left = new RowFilter.And(left, unary());
        }
        return left;
    }

    private RowFilter unary() throws SyntaxException {
        Token token = peek();
        if (token.isKeyword("not")) {
            next++;
            return new RowFilter.Not(unary());
        }
        if (token.isSymbol("(")) {
            next++;
            RowFilter inner = or();
            expectSymbol(")", "to close the \"(\" at position " + token.position());
            return inner;
        }
        return test();
    }

    private RowFilter test() throws SyntaxException {
        Token column = take();
        if (column.kind() != Kind.NAME && column.kind() != Kind.QUOTED_NAME) {
            throw new SyntaxException("expected a column name, got " + column.shown(), column.position());
        }
        if (column.kind() == Kind.NAME && isReserved(column.text())) {
            throw new SyntaxException("expected a column name, got the keyword " + column.shown()
                    + " (write \"" + column.text() + "\" in double quotes for a column of that name)", column.position());
        }
        // As in SQL, an unquoted name is folded to lower case; a quoted one is exact.
        String name = column.kind() == Kind.NAME ? column.text().toLowerCase(Locale.ROOT) : column.text();
        Token token = take();
        if (token.isKeyword("is")) {
            boolean negated = peek().isKeyword("not");
            if (negated) {
                next++;
            }
            Token nullWord = take();
            if (!nullWord.isKeyword("null")) {
                throw new SyntaxException("expected \"null\" after \"is\", got " + nullWord.shown(), nullWord.position());
            }
            return new RowFilter.IsNull(name, negated);
        }
        boolean negatedIn = token.isKeyword("not");
        if (negatedIn) {
            token = take();
            if (!token.isKeyword("in")) {
                throw new SyntaxException("expected \"in\" after \"" + name + " not\", got " + token.shown(),
                        token.position());
            }
        }
        if (token.isKeyword("in")) {
            expectSymbol("(", "after \"in\"");
            List<Literal> literals = new ArrayList<>();
            do {
                literals.add(literal());
            } while (takeIf(","));
            expectSymbol(")", "to close the list after \"in\"");
            return new RowFilter.In(name, literals, negatedIn);
        }
        Operator operator = operator(token);
        if (operator == null) {
            throw new SyntaxException("expected a comparison (=, !=, <, <=, >, >=), \"is\" or \"in\" after \""
                    + name + "\", got " + token.shown(), token.position());
        }
        return new RowFilter.Comparison(name, operator, literal());
    }

    private Literal literal() throws SyntaxException {
        Token token = take();
        switch (token.kind()) {
            case TEXT:
                return new Literal(token.text());
            case NUMBER:
                return new Literal(new BigDecimal(token.text()));
            case NAME:
                if (token.isKeyword("true") || token.isKeyword("false")) {
                    return new Literal(Boolean.valueOf(token.text().toLowerCase(Locale.ROOT)));
                }
                if (token.isKeyword("null")) {
                    throw new SyntaxException("compare with null using \"is null\" or \"is not null\"",
                            token.position());
                }
                throw new SyntaxException("expected a value ('text', a number, true or false), got " + token.shown()
                        + "; text goes in single quotes", token.position());
            default:
                throw new SyntaxException("expected a value ('text', a number, true or false), got " + token.shown(),
                        token.position());
        }
    }

    private static Operator operator(Token token) {
        if (token.kind() != Kind.SYMBOL) {
            return null;
        }
        if (token.text().equals("<>")) {
            return Operator.NE;
        }
        for (Operator operator : Operator.values()) {
            if (operator.symbol().equals(token.text())) {
                return operator;
            }
        }
        return null;
    }

    private static boolean isReserved(String word) {
        return List.of("and", "or", "not", "is", "in", "null", "true", "false")
                .contains(word.toLowerCase(Locale.ROOT));
    }

    private void expectSymbol(String symbol, String why) throws SyntaxException {
        Token token = take();
        if (!token.isSymbol(symbol)) {
            throw new SyntaxException("expected \"" + symbol + "\" " + why + ", got " + token.shown(),
                    token.position());
        }
    }

    private boolean takeIf(String symbol) {
        if (peek().isSymbol(symbol)) {
            next++;
            return true;
        }
        return false;
    }

    private Token peek() {
        return tokens.get(next);
    }

    private Token take() {
        Token token = tokens.get(next);
        if (token.kind() != Kind.END) {
            next++;
        }
        return token;
    }

    private static List<Token> tokenize(String text) throws SyntaxException {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            int at = i + 1;
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '\'' || c == '"') {
                StringBuilder value = new StringBuilder();
                int j = i + 1;
                while (true) {
                    if (j >= text.length()) {
                        throw new SyntaxException((c == '\'' ? "text" : "quoted column name")
                                + " is not closed by " + c, at);
                    }
                    if (text.charAt(j) == c) {
                        if (j + 1 < text.length() && text.charAt(j + 1) == c) {
                            value.append(c);
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    value.append(text.charAt(j++));
                }
                tokens.add(new Token(c == '\'' ? Kind.TEXT : Kind.QUOTED_NAME, value.toString(), at));
                i = j + 1;
            } else if (Character.isDigit(c) || (c == '-' && i + 1 < text.length() && Character.isDigit(text.charAt(i + 1)))) {
                int j = i + 1;
                while (j < text.length() && (Character.isDigit(text.charAt(j)) || text.charAt(j) == '.')) {
                    j++;
                }
                String number = text.substring(i, j);
                if (!number.matches("-?\\d+(\\.\\d+)?")) {
                    throw new SyntaxException("\"" + number + "\" is not a number", at);
                }
                tokens.add(new Token(Kind.NUMBER, number, at));
                i = j;
            } else if (Character.isLetter(c) || c == '_') {
                int j = i + 1;
                while (j < text.length() && (Character.isLetterOrDigit(text.charAt(j)) || text.charAt(j) == '_')) {
                    j++;
                }
                tokens.add(new Token(Kind.NAME, text.substring(i, j), at));
                i = j;
            } else if ("<>!=".indexOf(c) >= 0) {
                String two = i + 1 < text.length() ? text.substring(i, i + 2) : "";
                if (List.of("<=", ">=", "!=", "<>").contains(two)) {
                    tokens.add(new Token(Kind.SYMBOL, two, at));
                    i += 2;
                } else if (c == '!') {
                    throw new SyntaxException("\"!\" is only used in \"!=\"", at);
                } else {
                    tokens.add(new Token(Kind.SYMBOL, String.valueOf(c), at));
                    i++;
                }
            } else if (c == '(' || c == ')' || c == ',') {
                tokens.add(new Token(Kind.SYMBOL, String.valueOf(c), at));
                i++;
            } else {
                throw new SyntaxException("unexpected character '" + c + "'", at);
            }
        }
        tokens.add(new Token(Kind.END, "", text.length() + 1));
        return tokens;
    }
}
