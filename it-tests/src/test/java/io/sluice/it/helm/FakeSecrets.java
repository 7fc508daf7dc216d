package io.sluice.it.helm;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Stand-ins for the Secrets a rendered pod reads, so that its environment can be built as Kubernetes would and the
 * configuration loaded with it. Each key of each Secret has a distinct value that says what it is.
 *
 * @param keysBySecret the keys of Secrets the pod reads whole ({@code envFrom}); single keys
 *                     ({@code secretKeyRef}) need no declaration
 */
record FakeSecrets(Map<String, Set<String>> keysBySecret) {

    static final FakeSecrets NONE_READ_WHOLE = new FakeSecrets(Map.of());

    FakeSecrets {
        keysBySecret = Map.copyOf(keysBySecret);
    }

    static String value(String secret, String key) {
        return "not-a-real-secret:" + secret + "/" + key;
    }

    static boolean isSecretValue(String text) {
        return text.startsWith("not-a-real-secret:");
    }

    Set<String> keysOf(String secret) {
        Set<String> keys = keysBySecret.get(secret);
        if (keys == null) {
            throw new AssertionError("the pod reads every key of Secret " + secret
                    + " (envFrom), but the test does not say which keys it holds");
        }
        return new TreeSet<>(keys);
    }
}
