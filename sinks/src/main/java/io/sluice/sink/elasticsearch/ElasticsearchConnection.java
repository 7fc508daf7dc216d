package io.sluice.sink.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.config.sink.ElasticsearchSinkConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.message.BasicHeader;
import org.elasticsearch.client.RestClient;

/**
 * The client of one sink: the Java API client over the low-level REST client, which spreads requests over the
 * configured nodes. Credentials go into a preemptive {@code Authorization} header (basic or API key), so no request
 * waits for a challenge; they are never logged.
 *
 * <p>The JSON mapper reads floating-point numbers as {@link java.math.BigDecimal}, so a stored value the sink
 * copies back into a document (an unchanged TOAST column) keeps every digit.
 */
final class ElasticsearchConnection implements AutoCloseable {
    private final RestClient rest;
    private final ElasticsearchClient client;

    private ElasticsearchConnection(RestClient rest, ElasticsearchClient client) {
        this.rest = rest;
        this.client = client;
    }

    /**
     * Creates the client; connects nothing yet.
     *
     * @throws IOException              when the CA file cannot be read
     * @throws GeneralSecurityException when the CA file holds no usable certificate
     */
    static ElasticsearchConnection create(ElasticsearchSinkConfig config) throws IOException, GeneralSecurityException {
        HttpHost[] hosts = config.urls().stream().map(HttpHost::create).toArray(HttpHost[]::new);
        SSLContext tls = config.tls().caFile() == null ? null : trusting(config.tls().caFile());
        int connectMillis = Math.toIntExact(Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()));
        int requestMillis = Math.toIntExact(Math.min(Integer.MAX_VALUE, config.requestTimeout().toMillis()));
        RestClient rest = RestClient.builder(hosts)
                .setDefaultHeaders(authorization(config.auth()))
                .setRequestConfigCallback(request -> request
                        .setConnectTimeout(connectMillis)
                        .setConnectionRequestTimeout(requestMillis)
                        .setSocketTimeout(requestMillis))
                .setHttpClientConfigCallback(http -> tls == null ? http : http.setSSLContext(tls))
                .build();
        ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        return new ElasticsearchConnection(rest, new ElasticsearchClient(
                new RestClientTransport(rest, new JacksonJsonpMapper(json))));
    }

    ElasticsearchClient client() {
        return client;
    }

    /** The low-level client under {@link #client()}, for requests read as plain JSON. */
    RestClient rest() {
        return rest;
    }

    /** Fails every request in flight (they throw) and releases the client's threads. */
    @Override
    public void close() throws IOException {
        rest.close();
    }

    private static Header[] authorization(ElasticsearchSinkConfig.Auth auth) {
        List<Header> headers = new ArrayList<>();
        if (auth.isBasic()) {
            String token = auth.username() + ":" + auth.password().reveal();
            headers.add(new BasicHeader("Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8))));
        } else if (auth.isApiKey()) {
            headers.add(new BasicHeader("Authorization", "ApiKey " + auth.apiKey().reveal()));
        }
        return headers.toArray(Header[]::new);
    }

    /** A TLS context that trusts exactly the certificates of a PEM file (hostnames are still verified). */
    private static SSLContext trusting(Path caFile) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(caFile)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certificates.isEmpty()) {
            throw new GeneralSecurityException(caFile + " holds no certificate");
        }
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        int n = 0;
        for (Certificate certificate : certificates) {
            trusted.setCertificateEntry("ca-" + n++, certificate);
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
