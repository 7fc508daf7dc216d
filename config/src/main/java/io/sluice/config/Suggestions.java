package io.sluice.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean" for misspelt keys, type names, enum values and placeholders. */
final class Suggestions {

    private Suggestions() {
    }

    /**
     * A hint for an input that matched none of the candidates: the closest one when it is near enough to be a
     * typo, otherwise {@code listLabel: a, b, c} so the user sees what is allowed (empty when listLabel is empty).
     */
    static String hint(String input, Collection<String> candidates, String listLabel) {
        return closest(input, candidates)
                .map(match -> "did you mean \"" + match + "\"?")
                .orElse(listLabel.isEmpty() ? "" : listLabel + ": " + String.join(", ", candidates));
    }

    static Optional<String> closest(String input, Collection<String> candidates) {
        String typed = normalize(input);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = distance(typed, normalize(candidate));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        // One edit in a short word, two in a longer one: beyond that the "suggestion" is a guess.
        int tolerated = typed.length() <= 4 ? 1 : 2;
        return bestDistance <= tolerated ? Optional.ofNullable(best) : Optional.empty();
    }

    /** Case and word separators are ignored so that bootstrapServers and bootstrap_servers find bootstrap-servers. */
    private static String normalize(String word) {
        return word.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    }

    /** Levenshtein distance where swapping two adjacent letters counts as one edit (optimal string alignment). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
