package io.sluice.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * Explains a YAML syntax error in plain words. The explanation is chosen from the characters of the file at the
 * parser's marks (a tab, an unclosed quote or bracket, a stray colon, a badly indented line), not from the
 * parser's wording; only errors none of these explain fall back to the parser's own description.
 */
final class YamlSyntax {

    private record Mark(int line, int column, int index) {
    }

    private YamlSyntax() {
    }

    /**
     * @param lastToken where the last token read before the error starts, or null: a quoted value that runs
     *                  over several lines into the error most likely lost its closing quote
     */
    static ConfigProblem describe(JsonProcessingException error, String text, String source, JsonLocation lastToken) {
        Mark problem = problemMark(error);
        Mark context = contextMark(error);
        Mark last = lastToken == null ? null
                : new Mark(lastToken.getLineNr(), lastToken.getColumnNr(), (int) lastToken.getCharOffset());
        char found = charAt(text, problem);
        char opened = context == null ? 0 : charAt(text, context);
        Mark at = problem;
        String message;
        String hint = "";
        if (found == '\t') {
            message = "tab character; YAML indents with spaces only";
        } else if (last != null && last.line() < problem.line() && isQuote(charAt(text, last))
                && !isClosedOnItsLine(text, last)) {
            at = last;
            message = "this quoted value runs on to line " + problem.line() + "; is its closing quote missing?";
        } else if (isQuote(opened)) {
            at = context;
            message = "this quoted value is never closed";
        } else if (opened == '[' || opened == '{') {
            at = context;
            message = "'" + opened + "' opened here is not closed by a matching '" + (opened == '[' ? ']' : '}') + "'";
            hint = "inside [...] and {...}, quote values that contain , [ ] { } or ${...}";
        } else if (found == ':') {
            message = "unexpected ':'; quote a value that contains \": \", or check the indentation of this line";
        } else if (found == '@' || found == '`') {
            message = "a plain value cannot start with '" + found + "'; put the value in quotes";
        } else if (startsLine(text, problem)) {
            message = "the indentation of this line does not match the lines above it";
        } else {
            message = "invalid YAML: " + parserProblem(error);
        }
        return new ConfigProblem(source, at.line(), at.column(), KeyPath.ROOT, message, hint);
    }

    /*
     * SnakeYAML knows where the fault is (its "problem mark"); the location Jackson attaches to the exception is
     * that of the last good token, e.g. line 1 for a tab on line 2. Jackson exposes the mark only through this
     * wrapper, deprecated since 2.8 but still what its YAML parser throws.
     */
    @SuppressWarnings("deprecation")
    private static Mark problemMark(JsonProcessingException error) {
        if (error instanceof com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.MarkedYAMLException marked
                && marked.getProblemMark() != null) {
            var mark = marked.getProblemMark();
            return new Mark(mark.getLine() + 1, mark.getColumn() + 1, mark.getIndex());
        }
        JsonLocation location = error.getLocation();
        return location == null ? new Mark(1, 1, 0)
                : new Mark(location.getLineNr(), location.getColumnNr(), (int) location.getCharOffset());
    }

    @SuppressWarnings("deprecation")
    private static Mark contextMark(JsonProcessingException error) {
        if (error instanceof com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.MarkedYAMLException marked
                && marked.getContextMark() != null) {
            var mark = marked.getContextMark();
            return new Mark(mark.getLine() + 1, mark.getColumn() + 1, mark.getIndex());
        }
        return null;
    }

    @SuppressWarnings("deprecation")
    private static String parserProblem(JsonProcessingException error) {
        if (error instanceof com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.MarkedYAMLException marked
                && marked.getProblem() != null) {
            return marked.getProblem();
        }
        // Jackson's own messages may name parser event classes, which mean nothing to the user.
        return "only mappings, lists and plain scalar keys and values are supported";
    }

    private static boolean isQuote(char c) {
        return c == '"' || c == '\'';
    }

    /** Whether the quote at the mark has its closing quote on the same line. */
    private static boolean isClosedOnItsLine(String text, Mark mark) {
        int lineEnd = text.indexOf('\n', mark.index());
        String rest = text.substring(mark.index() + 1, lineEnd < 0 ? text.length() : lineEnd);
        return rest.indexOf(text.charAt(mark.index())) >= 0;
    }

    private static char charAt(String text, Mark mark) {
        return mark.index() >= 0 && mark.index() < text.length() ? text.charAt(mark.index()) : 0;
    }

    /** Whether only spaces precede the mark on its line: the fault is where the line starts, i.e. its indentation. */
    private static boolean startsLine(String text, Mark mark) {
        for (int i = Math.min(mark.index(), text.length()) - 1; i >= 0 && text.charAt(i) != '\n'; i--) {
            if (text.charAt(i) != ' ') {
                return false;
            }
        }
        return true;
    }
}
