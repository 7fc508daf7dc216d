package io.sluice.it.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.sluice.config.sink.FailurePolicy;
import io.sluice.config.sink.RedisSinkConfig;
import io.sluice.config.sink.RedisValueMode;
import io.sluice.engine.event.TableId;
import io.sluice.engine.sink.EventBuilder;
import io.sluice.engine.sink.SinkException;
import io.sluice.it.support.FreePorts;
import io.sluice.it.support.LocalRedis;
import io.sluice.it.support.LocalRedis.Options;
import io.sluice.sink.redis.RedisCacheSink;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * The Redis sink over TLS against Redis's own TLS port: the server's certificate must be trusted by the JVM's trust
 * store and name the host the sink connects to. Certificates are made with the machine's {@code openssl}.
 *
 * <p>The JVM's trust store is global: the test points {@code javax.net.ssl.trustStore} at its own store and puts the
 * previous settings back afterwards, so test classes running later in this JVM see the JVM's defaults.
 */
class RedisTlsIT {
    private static final String TRUST_STORE_PASSWORD = "changeit-test";
    private static final List<String> TRUST_STORE_PROPERTIES = List.of("javax.net.ssl.trustStore",
            "javax.net.ssl.trustStoreType", "javax.net.ssl.trustStorePassword");

    @TempDir
    Path dir;

    @Test
    void tlsConnectionChecksTheCertificateChainAndTheHostName() throws Exception {
        Path matching = certificate("matching", "IP:127.0.0.1");
        Path otherHost = certificate("other-host", "DNS:elsewhere.invalid");
        Path trustStore = trustStore(matching, otherHost);
        int[] tlsPorts = FreePorts.pick(2);
        TableId table = new TableId("sluice", "tls", "rows");

        try (LocalRedis good = LocalRedis.start(tls(matching, tlsPorts[0]));
                LocalRedis wrongName = LocalRedis.start(tls(otherHost, tlsPorts[1]))) {
            Map<String, String> previous = useTrustStore(trustStore);
            try {
                try (RedisCacheSink sink = new RedisCacheSink("tls-it", config(tlsPorts[0]))) {
                    sink.open();
                    assertThat(sink.write(List.of(EventBuilder.insert(table).key("id", 1L).column("v", "secret")
                            .version(100).build())).failures()).isEmpty();
                }
                // The plain port shows what arrived over TLS.
                try (RedisClient plain = RedisClient.create(good.host(), good.port())) {
                    assertThat(plain.hget("tls:rows:1", "v")).isEqualTo("secret");
                }

                // Trusted, but issued for another host: refused for good, not retried.
                try (RedisCacheSink sink = new RedisCacheSink("tls-it", config(tlsPorts[1]))) {
                    assertThat(catchThrowable(sink::open)).isExactlyInstanceOf(SinkException.class)
                            .hasMessageContaining("No subject alternative names matching IP address 127.0.0.1");
                }
            } finally {
                previous.forEach((name, value) -> {
                    if (value == null) {
                        System.clearProperty(name);
                    } else {
                        System.setProperty(name, value);
                    }
                });
            }
            // With the JVM's default trust store, the self-signed certificate is not trusted at all.
            try (RedisCacheSink sink = new RedisCacheSink("tls-it", config(tlsPorts[0]))) {
                assertThat(catchThrowable(sink::open)).isExactlyInstanceOf(SinkException.class)
                        .hasMessageContaining("PKIX path building failed");
            }
        }
    }

    private static Options tls(Path certificate, int tlsPort) {
        Path key = certificate.resolveSibling(certificate.getFileName().toString().replace(".crt", ".key"));
        return Options.DEFAULT.withSetting("tls-port " + tlsPort)
                .withSetting("tls-cert-file " + certificate)
                .withSetting("tls-key-file " + key)
                .withSetting("tls-ca-cert-file " + certificate)
                .withSetting("tls-auth-clients no");
    }

    private static RedisSinkConfig config(int tlsPort) {
        return new RedisSinkConfig("127.0.0.1", tlsPort, null, null, 0, null, null, true, "tls:{table}:{key}",
                RedisValueMode.HASH, null, null, Duration.ofSeconds(5), FailurePolicy.FAIL, null, null, null);
    }

    /** A self-signed certificate and its key, {@code <name>.crt} and {@code <name>.key}, for the given names. */
    private Path certificate(String name, String subjectAltName) throws IOException, InterruptedException {
        Path certificate = dir.resolve(name + ".crt");
        Path key = dir.resolve(name + ".key");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.toString(), "-out", certificate.toString(), "-days", "2",
                "-subj", "/CN=sluice-" + name, "-addext", "subjectAltName=" + subjectAltName)
                .redirectErrorStream(true).start();
        String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).as("openssl finished").isTrue();
        assertThat(openssl.exitValue()).as("openssl exit code; output:\n%s", output).isZero();
        return certificate;
    }

    private Path trustStore(Path... certificates) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        for (Path file : certificates) {
            try (InputStream in = Files.newInputStream(file)) {
                Certificate certificate = factory.generateCertificate(in);
                store.setCertificateEntry(file.getFileName().toString(), certificate);
            }
        }
        Path path = dir.resolve("trust.p12");
        try (OutputStream out = Files.newOutputStream(path)) {
            store.store(out, TRUST_STORE_PASSWORD.toCharArray());
        }
        return path;
    }

    /** Points the JVM's default trust store at {@code path}; returns the settings it replaced. */
    private static Map<String, String> useTrustStore(Path path) {
        Map<String, String> previous = new java.util.HashMap<>();
        TRUST_STORE_PROPERTIES.forEach(name -> previous.put(name, System.getProperty(name)));
        System.setProperty("javax.net.ssl.trustStore", path.toString());
        System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
        System.setProperty("javax.net.ssl.trustStorePassword", TRUST_STORE_PASSWORD);
        return previous;
    }
}
